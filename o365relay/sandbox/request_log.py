"""What the sandbox was asked, in order and with timings: one entry per HTTP request.

Sandbox-only (no Microsoft service exposes it): tests read it to prove the order in which a run
changed the tenant (each Exchange request names its cmdlets), benchmarks to split a run's wall time
between the engine and the time the tenant spent answering. ``GET /_sandbox/requests`` serves it;
``DELETE /_sandbox/requests`` empties it. The log keeps the last ``LIMIT`` requests, in memory only.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from typing import Any

LIMIT = 100_000


class RequestLog:
    """A bounded, thread-safe journal of requests."""

    def __init__(self, limit: int = LIMIT) -> None:
        self._lock = threading.Lock()
        self._entries: deque[dict[str, Any]] = deque(maxlen=limit)
        self._seq = 0

    def add(self, entry: dict[str, Any]) -> None:
        with self._lock:
            self._seq += 1
            self._entries.append({"seq": self._seq, **entry})

    def entries(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def cmdlet_calls(body: bytes) -> list[tuple[str, list[str]]]:
    """Each cmdlet an InvokeCommand or ``$batch`` body asks for, with the names of its parameters
    (which of several jobs a cmdlet such as Set-OrganizationConfig was doing)."""
    try:
        doc = json.loads(body or b"null")
    except ValueError:
        return []
    return _calls(doc)


def _calls(doc: Any) -> list[tuple[str, list[str]]]:
    if isinstance(doc, dict) and isinstance(doc.get("requests"), list):
        return [c for r in doc["requests"] if isinstance(r, dict) for c in _calls(r.get("body"))]
    try:
        name = doc["CmdletInput"]["CmdletName"]
    except (KeyError, TypeError):
        return []
    parameters = doc["CmdletInput"].get("Parameters")
    return [(name, sorted(parameters) if isinstance(parameters, dict) else [])] if isinstance(name, str) else []


class RequestLogMiddleware:
    """ASGI middleware timing every HTTP request into ``log`` (admin routes excluded)."""

    def __init__(self, app: Any, log: RequestLog):
        self.app = app
        self.log = log

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or path.startswith("/_sandbox/"):
            await self.app(scope, receive, send)
            return
        body: list[bytes] = []
        status = 0
        logged = False
        start = time.time()

        def record() -> None:
            nonlocal logged
            if not logged:
                logged = True
                self.log.add({"start": start, "end": time.time(), "method": scope.get("method", ""), "path": path,
                              "status": status, **_cmdlet_fields(b"".join(body))})

        async def receiving() -> Any:
            message = await receive()
            if message["type"] == "http.request" and path.startswith("/adminapi/"):
                body.append(message.get("body", b""))
            return message

        async def sending(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body" and not message.get("more_body", False):
                record()  # before the last bytes leave: a client that has its reply finds the request logged
            await send(message)

        try:
            await self.app(scope, receiving, sending)
        finally:
            record()  # a request that ended without a whole reply


def _cmdlet_fields(body: bytes) -> dict[str, Any]:
    calls = cmdlet_calls(body)
    return {"cmdlets": [name for name, _ in calls], "parameters": [names for _, names in calls]}
