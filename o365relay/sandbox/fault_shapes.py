"""Reply shapes the real Exchange admin endpoint is seen to give and the sandbox's own model does not,
injected on demand so that clients are tested against them over HTTP.

Each shape rewrites ``InvokeCommand`` traffic (and the items of a ``$batch``) on its way in or out:

- ``truncated``: a ``Get-*`` answer loses its second half, keeps no ``@odata.nextLink`` and carries
  Exchange's truncation warning in ``@adminapi.warnings``.
- ``unfiltered``: a ``Get-*`` runs as if ``Identity`` had not been given, so it answers with rows for
  every object (what Get-InboundConnector and Get-ServicePrincipal do for an unknown identity).
- ``error-case``: an error body spells ``innerError`` / ``internalException`` in camel case and has no
  ``details``, so the real text is only under the camel-case keys.
- ``empty-2xx``: a successful cmdlet other than ``Get-*`` answers 200 with an empty body.

Text form, inside a fault plan: ``shapes=truncated:unfiltered``.
"""

from __future__ import annotations

import json
from typing import Any

SHAPES = ("truncated", "unfiltered", "error-case", "empty-2xx")
TRUNCATION_WARNING = ("There are more results available than are currently displayed. To view them, "
                      "increase the value for the ResultSize parameter.")


def applies(path: str) -> bool:
    """Only the Exchange admin endpoint has these shapes."""
    return path.startswith("/adminapi/") and path.endswith(("/InvokeCommand", "/$batch"))


def rewrite_request(shapes: tuple[str, ...], body: bytes) -> bytes:
    """The request as the service acts on it (``unfiltered`` drops a Get-*'s Identity)."""
    if "unfiltered" not in shapes:
        return body
    doc = _json(body)
    if not isinstance(doc, dict):
        return body
    for command in _commands(doc):
        if _is_get(command) and isinstance(command.get("Parameters"), dict):
            command["Parameters"].pop("Identity", None)
    return json.dumps(doc).encode()


def rewrite_response(shapes: tuple[str, ...], request: bytes, status: int, body: bytes) -> bytes:
    """The reply as it reaches the client, given the (rewritten) request it answers."""
    doc, sent = _json(body), _json(request)
    if not isinstance(doc, dict) or not isinstance(sent, dict):
        return body
    if "responses" in doc:
        commands = {str(r.get("id")): (r.get("body") or {}).get("CmdletInput", {})
                    for r in sent.get("requests", []) if isinstance(r, dict)}
        for item in doc["responses"]:
            item["body"] = _rewrite_one(shapes, commands.get(str(item.get("id")), {}),
                                        int(item.get("status", 200)), item.get("body"))
        return json.dumps(doc).encode()
    out = _rewrite_one(shapes, sent.get("CmdletInput", {}), status, doc)
    return b"" if out is None else json.dumps(out).encode()


def _rewrite_one(shapes: tuple[str, ...], command: dict[str, Any], status: int, doc: Any) -> Any:
    if not isinstance(doc, dict):
        return doc
    if status >= 400 and "error-case" in shapes and isinstance(doc.get("error"), dict):
        return {**doc, "error": _camel_case_error(doc["error"])}
    if status >= 400:
        return doc
    if "empty-2xx" in shapes and not _is_get(command):
        return None
    if "truncated" in shapes and _is_get(command):
        rows = list(doc.get("value") or [])
        doc = {k: v for k, v in doc.items() if k != "@odata.nextLink"}
        return {**doc, "value": rows[: len(rows) // 2], "@adminapi.warnings": [TRUNCATION_WARNING]}
    return doc


def _camel_case_error(error: dict[str, Any]) -> dict[str, Any]:
    inner = dict(error.get("innererror") or {})
    internal = inner.pop("internalexception", None)
    if internal is not None:
        inner["internalException"] = internal
    out = {k: v for k, v in error.items() if k not in ("innererror", "details")}
    out["innerError"] = inner
    return out


def _commands(doc: dict[str, Any]) -> list[dict[str, Any]]:
    if "requests" in doc:
        bodies = [r.get("body") for r in doc["requests"] if isinstance(r, dict)]
        return [b["CmdletInput"] for b in bodies if isinstance(b, dict) and isinstance(b.get("CmdletInput"), dict)]
    command = doc.get("CmdletInput")
    return [command] if isinstance(command, dict) else []


def _is_get(command: dict[str, Any]) -> bool:
    return str(command.get("CmdletName", "")).lower().startswith("get-")


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return None
