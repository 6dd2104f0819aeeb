"""The sandbox's Exchange Online admin endpoint: ``InvokeCommand`` and ``$batch`` (reference section 1).

- ``POST /adminapi/beta/{tenant}/InvokeCommand`` with ``{"CmdletInput":{"CmdletName":..,"Parameters":{..}}}``.
- ``POST /adminapi/beta/{tenant}/$batch`` with ``{"requests":[{"id","method":"POST","url","body",
  "headers"}]}``, at most 10 requests [UNCONFIRMED limit, CIPP's]; ``{"responses":[{"id","status",
  "headers","body"}]}`` in request order. The items of a batch run concurrently (worker threads), so
  one item never sees another's write: dependent commands go in separate requests [UNCONFIRMED: the
  service's order within a batch is not documented; clients such as CIPP send independent items].

Authorisation, in the order the real service shows it (graph2otel, live): a bearer token for
``https://outlook.office365.com`` holding the app role ``Exchange.ManageAsApp`` (else 401 with a
``WWW-Authenticate`` challenge and no body), then an Exchange-capable Entra directory role on the
app's service principal (else, and for an unknown cmdlet, HTTP 403 with a body of NUL bytes). The
read-only roles (Global Reader, Security Reader) may run ``Get-*`` only. Unlike the real service the
NUL body is not declared as gzip (``Content-Encoding``), which would make most HTTP clients fail to
read the status; clients should still tolerate an undecodable 403 body.

Paging: ``Prefer: odata.maxpagesize=N`` (or ``X-Prefer``) cuts ``value`` to N rows and adds
``@odata.nextLink``; POST the same body to it for the next page. ``@adminapi.warnings`` carries
the truncation warning of ``-ResultSize``.
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
from contextlib import nullcontext
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from o365relay.sandbox import exchange_cmdlets_auth as _auth  # noqa: F401  (registers)
from o365relay.sandbox import exchange_cmdlets_connectors as _connectors  # noqa: F401
from o365relay.sandbox import exchange_cmdlets_filter as _filter  # noqa: F401
from o365relay.sandbox import exchange_cmdlets_org as _org  # noqa: F401
from o365relay.sandbox import exchange_cmdlets_permissions as _permissions  # noqa: F401
from o365relay.sandbox import exchange_cmdlets_trace as _trace  # noqa: F401
from o365relay.sandbox import store as st
from o365relay.sandbox.catalog import EXCHANGE_READ_ROLES, EXCHANGE_WRITE_ROLES
from o365relay.sandbox.exchange_cmdlets import CMDLETS, Call, CmdletError, check_parameters, public
from o365relay.sandbox.tokens import EXCHANGE_APP_ID, EXCHANGE_RESOURCE, TokenRejected

if TYPE_CHECKING:
    from o365relay.sandbox.context import SandboxContext

MAX_BATCH = 10
NUL_BODY = b"\x00" * 16
MANAGE_ROLE = "Exchange.ManageAsApp"
_PAGE_SIZE = re.compile(r"odata\.maxpagesize\s*=\s*(\d+)", re.IGNORECASE)

# (status, headers, body): body is a JSON-able value, or bytes for the raw NUL reply.
Reply = tuple[int, dict[str, str], Any]


def error_body(error: CmdletError) -> dict[str, Any]:
    """The real error body: generic top level, ``ErrId|Type|text`` details, the text again inside."""
    return {
        "error": {
            "code": error.code,
            "message": "Invalid Operation",
            "details": [
                {
                    "code": "Client",
                    "target": "",
                    "message": f"{error.err_id}|{error.exception_type}|{error.text}",
                }
            ],
            "innererror": {
                "message": "Error executing cmdlet",
                "type": "Microsoft.Exchange.Admin.OData.Core.ODataServiceException",
                "internalexception": {"message": error.text, "type": error.exception_type},
            },
        },
        "adminapi.warnings@odata.type": "#Collection(String)",
        "@adminapi.warnings": [],
    }


class ExchangeApi:
    """Authorises and runs InvokeCommand calls against one sandbox tenant."""

    def __init__(self, ctx: SandboxContext):
        self.ctx = ctx

    def authorise(self, authorization: str | None) -> tuple[dict[str, Any] | None, Reply | None]:
        """The token's claims, or the 401 reply."""
        challenge = (
            f'Bearer client_id="{EXCHANGE_APP_ID}", trusted_issuers="00000001-0000-0000-c000-'
            f'000000000000@*", token_types="app_asserted_user_v1 service_asserted_app_v1", '
            f'authorization_uri="{self.ctx.base_url}/common/oauth2/authorize"'
        )
        try:
            claims = self.ctx.tokens.verify(authorization, EXCHANGE_RESOURCE)
        except TokenRejected as rejected:
            return None, (
                401,
                {
                    "WWW-Authenticate": f'{challenge}, error="invalid_token"',
                    "x-ms-diagnostics": f'2000001;reason="{rejected}"',
                },
                b"",
            )
        if MANAGE_ROLE not in claims.get("roles", []):
            return None, (
                401,
                {
                    "WWW-Authenticate": challenge,
                    "x-ms-diagnostics": '2000008;reason="The token has no Exchange.ManageAsApp role."',
                },
                b"",
            )
        return claims, None

    def directory_roles(self, claims: dict[str, Any]) -> set[str]:
        return {
            a["xRoleName"]
            for a in self.ctx.store.list(st.DIRECTORY_ROLE_ASSIGNMENT, principalId=claims["oid"])
        }

    def invoke(
        self, claims: dict[str, Any], tenant: str, body: Any, query: dict[str, str], headers: dict[str, str]
    ) -> Reply:
        """One InvokeCommand, after the token was accepted."""
        if not self._tenant_matches(tenant, claims):
            return 401, {"WWW-Authenticate": 'Bearer error="invalid_token"'}, b""
        try:
            name, params = _cmdlet_input(body)
        except CmdletError as error:
            return error.status, {}, error_body(error)
        spec = CMDLETS.get(name.lower())
        roles = self.directory_roles(claims)
        allowed = EXCHANGE_READ_ROLES if spec is not None and spec.reads else EXCHANGE_WRITE_ROLES
        if spec is None or not roles & allowed:
            return 403, {"Content-Type": "application/json; charset=utf-8"}, NUL_BODY
        call = Call(self.ctx, {})
        try:
            call.params = check_parameters(spec, params)
            # a write is all-or-nothing; reads skip the transaction (and its lock), so a batch's reads
            # run side by side, as the service runs them
            with nullcontext() if spec.reads else self.ctx.store.transaction():
                rows = [public(r) for r in spec.handler(call)]
        except CmdletError as error:
            return error.status, {}, error_body(error)
        return 200, {}, self._page(rows, call.warnings, tenant, query, headers)

    def _tenant_matches(self, tenant: str, claims: dict[str, Any]) -> bool:
        if tenant.lower() == str(claims.get("tid", "")).lower():
            return True
        return tenant.lower() == self.ctx.initial_domain.lower()

    def _page(
        self,
        rows: list[dict[str, Any]],
        warnings: list[str],
        tenant: str,
        query: dict[str, str],
        headers: dict[str, str],
    ) -> dict[str, Any]:
        select = [s.strip() for s in query.get("$select", "").split(",") if s.strip()]
        if select:
            rows = [{k: v for k, v in r.items() if k in select} for r in rows]
        offset = _skip(query.get("$skiptoken"))
        prefer = headers.get("prefer", "") + ";" + headers.get("x-prefer", "")
        match = _PAGE_SIZE.search(prefer)
        size = max(1, int(match.group(1))) if match else len(rows) or 1
        base = f"{self.ctx.base_url}/adminapi/beta/{tenant}"
        out: dict[str, Any] = {
            "@odata.context": f"{base}/$metadata#Collection(Exchange.GenericHashTable)",
            "adminapi.warnings@odata.type": "#Collection(String)",
            "@adminapi.warnings": warnings,
            "value": rows[offset : offset + size],
        }
        if offset + size < len(rows):
            token = base64.urlsafe_b64encode(json.dumps({"o": offset + size}).encode()).decode()
            extra = f"&$select={','.join(select)}" if select else ""
            out["@odata.nextLink"] = f"{base}/InvokeCommand?$skiptoken={token}{extra}"
        return out


def _cmdlet_input(body: Any) -> tuple[str, dict[str, Any]]:
    try:
        cmd = body["CmdletInput"]
        name = cmd["CmdletName"]
        params = cmd.get("Parameters", {})
    except (KeyError, TypeError):
        raise CmdletError(
            "Microsoft.Exchange.Admin.OData.Core.ODataServiceException",
            'The request body must be {"CmdletInput":{"CmdletName":...,"Parameters":{}}}.',
            err_id="BadRequest",
        ) from None
    if not isinstance(name, str) or not isinstance(params, dict):
        raise CmdletError(
            "Microsoft.Exchange.Admin.OData.Core.ODataServiceException",
            "CmdletName must be a string and Parameters an object (send {} when there are none, not null).",
            err_id="BadRequest",
        )
    return name, params


def _skip(token: str | None) -> int:
    if not token:
        return 0
    try:
        return int(json.loads(base64.urlsafe_b64decode(token.encode()))["o"])
    except (ValueError, KeyError, TypeError):
        return 0


def _render(reply: Reply) -> Response:
    status, headers, body = reply
    if isinstance(body, bytes):
        return Response(body, status_code=status, headers=headers)
    return JSONResponse(body, status_code=status, headers=headers)


def _lower_headers(headers: Any) -> dict[str, str]:
    return {str(k).lower(): str(v) for k, v in dict(headers or {}).items()}


def routes(ctx: SandboxContext) -> list[BaseRoute]:
    api = ExchangeApi(ctx)

    async def invoke_command(request: Request) -> Response:
        claims, refused = api.authorise(request.headers.get("authorization"))
        if claims is None:
            assert refused is not None
            return _render(refused)
        try:
            body = await request.json()
        except ValueError:
            body = None
        query = {k: v for k, v in request.query_params.items()}
        return _render(await run_in_threadpool(
            api.invoke, claims, request.path_params["tenant"], body, query, _lower_headers(request.headers)))

    async def batch(request: Request) -> Response:
        claims, refused = api.authorise(request.headers.get("authorization"))
        if claims is None:
            assert refused is not None
            return _render(refused)
        try:
            requests = (await request.json())["requests"]
            if not isinstance(requests, list):
                raise TypeError
        except (ValueError, KeyError, TypeError):
            return JSONResponse(
                {"error": {"code": "BadRequest", "message": "Invalid batch payload format."}}, status_code=400
            )
        if len(requests) > MAX_BATCH:
            return JSONResponse(
                {
                    "error": {
                        "code": "BadRequest",
                        "message": f"Number of included requests in the batch must not exceed {MAX_BATCH}.",
                    }
                },
                status_code=400,
            )
        outer = _lower_headers(request.headers)
        # the items run at once, each on a worker thread as the service runs them side by side; the
        # event loop stays free to serve (and to time the injected latency of) other requests
        responses = await asyncio.gather(*(run_in_threadpool(_batch_item, api, claims, item, outer)
                                           for item in requests))
        return JSONResponse({"responses": list(responses)})

    return [
        Route("/adminapi/beta/{tenant}/InvokeCommand", invoke_command, methods=["POST"]),
        Route("/adminapi/beta/{tenant}/$batch", batch, methods=["POST"]),
    ]


def _batch_item(api: ExchangeApi, claims: dict[str, Any], item: Any, outer: dict[str, str]) -> dict[str, Any]:
    item_id = item.get("id") if isinstance(item, dict) else None
    url = urlsplit(str(item.get("url", ""))) if isinstance(item, dict) else urlsplit("")
    match = re.fullmatch(r"(?:/adminapi/beta)?/([^/]+)/InvokeCommand", url.path)
    if match is None or str(item.get("method", "POST")).upper() != "POST":
        error = CmdletError(
            "Microsoft.Exchange.Admin.OData.Core.ODataServiceException",
            "Batch items must POST to .../adminapi/beta/{tenant}/InvokeCommand.",
            err_id="BadRequest",
        )
        return {"id": item_id, "status": 400, "headers": {}, "body": error_body(error)}
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    headers = {**outer, **_lower_headers(item.get("headers"))}
    status, reply_headers, body = api.invoke(claims, match.group(1), item.get("body"), query, headers)
    return {
        "id": item_id,
        "status": status,
        "headers": reply_headers,
        "body": None if isinstance(body, bytes) else body,
    }
