"""Faults on demand: throttling (429), outages (503), latency and dropped connections.

A :class:`FaultPlan` draws one decision per request from ``random.Random(seed)`` in arrival order,
so a sequential client sees the same faults on every run with the same seed. It is applied by
:class:`FaultMiddleware` (pure ASGI) to every HTTP route except the sandbox admin routes
(``/_sandbox/...``), or only to the path prefixes in ``paths``. The plan can be swapped while the
sandbox runs (``Sandbox.set_faults`` or ``POST /_sandbox/faults``).

Shapes, as the real services give them:

- 429 on ``/adminapi/``: ``text/plain`` "You have reached the maximum number of concurrent requests
  per tenant. Please wait and try again" (the body ExoHelper retries on) plus ``Retry-After``.
- 429 elsewhere: Graph's ``{"error":{"code":"TooManyRequests",...}}`` plus ``Retry-After``.
- 503: ``{"error":{"code":"ServiceUnavailable",...}}`` plus ``Retry-After``.
- drop: the TCP connection is aborted before any byte of the response (the client sees
  "server disconnected without sending a response").
- garbage: 200 with an HTML page instead of the API's JSON, as an intercepting proxy or captive
  portal answers.

Reply shapes (``shapes``, see :mod:`o365relay.sandbox.fault_shapes`) rewrite Exchange admin replies
instead: a truncated read, a read that ignores its Identity, an error body in camel case, an empty 2xx.

Exchange's concurrency throttling is a limit, not a draw: with ``exo-concurrency=N`` the admin
endpoint has at most N requests of one tenant (``/adminapi/beta/{tenant}/``) in flight, from arrival
(the injected latency included) to the reply; the one past it gets the 429 above, ``Retry-After``
included, as the service answers past its per-tenant budget (Microsoft's "Exchange Online limits"
service description; the legacy Remote PowerShell budget was 3 per user and 9 per tenant; the REST
endpoint's is not published, and how it counts a ``$batch`` is not known: here a batch is one
request). ``stats["exoConcurrency"]`` counts those replies. The model is the sandbox's own.

Text form (``relayctl sandbox --faults``): ``429=0.2,503=0.1,drop=0.05,garbage=0.01,latency=0.05,seed=7,
retry-after=1,paths=/v1.0:/adminapi,shapes=truncated:unfiltered,exo-concurrency=9``.
"""

from __future__ import annotations

import asyncio
import json
import random
import re
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Literal

from o365relay.errors import UsageError
from o365relay.sandbox import fault_shapes

Fault = Literal["throttle", "unavailable", "drop", "garbage"]

EXO_CONCURRENCY_TEXT = (
    "You have reached the maximum number of concurrent requests per tenant. Please wait and try again"
)
ADMIN_PREFIX = "/_sandbox"
EXO_CONCURRENCY_STAT = "exoConcurrency"
_EXCHANGE_TENANT = re.compile(r"/adminapi/beta/([^/]+)/")


@dataclass
class FaultPlan:
    """Probabilities of each fault per request, reproducible by ``seed``.

    ``latency`` (seconds) is added to every request the plan covers; ``retry_after`` is the
    ``Retry-After`` value of 429/503 replies. ``stats`` counts what was injected.
    """

    throttle: float = 0.0
    unavailable: float = 0.0
    drop: float = 0.0
    garbage: float = 0.0
    latency: float = 0.0
    exo_concurrency: int = 0  # Exchange requests one tenant may have in flight (0: no limit)
    seed: int = 0
    retry_after: int = 1
    paths: tuple[str, ...] = ()
    shapes: tuple[str, ...] = ()
    stats: Counter[str] = field(default_factory=Counter, init=False, repr=False)
    _rng: random.Random = field(init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def __post_init__(self) -> None:
        for name in ("throttle", "unavailable", "drop", "garbage"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise UsageError(f"fault rate {name}={value} must be between 0 and 1")
        if self.exo_concurrency < 0:
            raise UsageError(f"exo-concurrency={self.exo_concurrency} must be 0 (no limit) or more")
        if self.throttle + self.unavailable + self.drop + self.garbage > 1.0:
            raise UsageError("fault rates add up to more than 1")
        unknown = sorted(set(self.shapes) - set(fault_shapes.SHAPES))
        if unknown:
            raise UsageError(f"unknown reply shape {', '.join(unknown)}: expected {', '.join(fault_shapes.SHAPES)}")
        self._rng = random.Random(self.seed)

    def covers(self, path: str) -> bool:
        if path.startswith(ADMIN_PREFIX):
            return False
        return not self.paths or any(path.startswith(p) for p in self.paths)

    def decide(self, path: str) -> Fault | None:
        """Draw the fault for one request on ``path`` (None: serve it normally)."""
        if not self.covers(path):
            return None
        with self._lock:
            draw = self._rng.random()
            self.stats["requests"] += 1
            fault: Fault | None = None
            if draw < self.throttle:
                fault = "throttle"
            elif draw < self.throttle + self.unavailable:
                fault = "unavailable"
            elif draw < self.throttle + self.unavailable + self.drop:
                fault = "drop"
            elif draw < self.throttle + self.unavailable + self.drop + self.garbage:
                fault = "garbage"
            if fault:
                self.stats[fault] += 1
            return fault

    @classmethod
    def parse(cls, text: str) -> FaultPlan:
        """Build a plan from ``key=value`` pairs (see the module docstring)."""
        names = {
            "429": "throttle",
            "503": "unavailable",
            "drop": "drop",
            "garbage": "garbage",
            "latency": "latency",
            "exo-concurrency": "exo_concurrency",
            "seed": "seed",
            "retry-after": "retry_after",
            "paths": "paths",
            "shapes": "shapes",
        }
        kwargs: dict[str, Any] = {}
        for item in filter(None, (part.strip() for part in text.split(","))):
            key, sep, value = item.partition("=")
            if not sep or key not in names:
                raise UsageError(f"bad fault {item!r}: expected one of {', '.join(names)} as key=value")
            try:
                if key in ("paths", "shapes"):
                    kwargs[key] = tuple(p for p in value.split(":") if p)
                elif key in ("seed", "retry-after", "exo-concurrency"):
                    kwargs[names[key]] = int(value)
                else:
                    kwargs[names[key]] = float(value)
            except ValueError:
                raise UsageError(f"bad fault {item!r}: {value!r} is not a number") from None
        return cls(**kwargs)

    def describe(self) -> dict[str, Any]:
        return {
            "429": self.throttle,
            "503": self.unavailable,
            "drop": self.drop,
            "garbage": self.garbage,
            "latency": self.latency,
            "exoConcurrency": self.exo_concurrency,
            "seed": self.seed,
            "retryAfter": self.retry_after,
            "paths": list(self.paths),
            "shapes": list(self.shapes),
            "stats": dict(self.stats),
        }


class FaultSwitch:
    """The current plan, replaceable at runtime from any thread."""

    def __init__(self, plan: FaultPlan | None = None):
        self.plan = plan


class FaultMiddleware:
    """ASGI middleware applying the switch's current plan to HTTP requests."""

    def __init__(self, app: Any, switch: FaultSwitch):
        self.app = app
        self.switch = switch
        self.in_flight: Counter[str] = Counter()  # Exchange requests per tenant (one event loop: no lock)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        plan = self.switch.plan
        if scope["type"] != "http" or plan is None or not plan.covers(scope["path"]):
            await self.app(scope, receive, send)
            return
        tenant = _EXCHANGE_TENANT.match(scope["path"]) if plan.exo_concurrency else None
        if tenant is None:
            await self._serve(plan, scope, receive, send)
            return
        key = tenant.group(1).lower()
        if self.in_flight[key] >= plan.exo_concurrency:
            with plan._lock:
                plan.stats[EXO_CONCURRENCY_STAT] += 1
            await asyncio.sleep(plan.latency)
            await _send_fault(send, "throttle", scope["path"], plan.retry_after)
            return
        self.in_flight[key] += 1
        try:
            await self._serve(plan, scope, receive, send)
        finally:
            self.in_flight[key] -= 1

    async def _serve(self, plan: FaultPlan, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if plan.latency:
            await asyncio.sleep(plan.latency)
        fault = plan.decide(scope["path"])
        if fault is None and plan.shapes and fault_shapes.applies(scope["path"]):
            await _shaped(self.app, plan.shapes, scope, receive, send)
        elif fault is None:
            await self.app(scope, receive, send)
        elif fault == "drop":
            await _abort_connection(send)
        else:
            await _send_fault(send, fault, scope["path"], plan.retry_after)


async def _shaped(app: Any, shapes: tuple[str, ...], scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Run the request with its body and reply rewritten into the plan's reply shapes."""
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    request = fault_shapes.rewrite_request(shapes, b"".join(chunks))

    async def replay() -> dict[str, Any]:
        return {"type": "http.request", "body": request, "more_body": False}

    start: dict[str, Any] = {}
    body: list[bytes] = []

    async def capture(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            start.update(message)
        elif message["type"] == "http.response.body":
            body.append(message.get("body", b""))

    await app(scope, replay, capture)
    reply = fault_shapes.rewrite_response(shapes, request, start["status"], b"".join(body))
    headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
    await send({**start, "headers": [*headers, (b"content-length", str(len(reply)).encode())]})
    await send({"type": "http.response.body", "body": reply})


async def _send_fault(send: Any, fault: Fault, path: str, retry_after: int) -> None:
    if fault == "throttle" and path.startswith("/adminapi/"):
        status, ctype, body = 429, b"text/plain; charset=utf-8", EXO_CONCURRENCY_TEXT.encode()
    elif fault == "garbage":
        status, ctype, body = 200, b"text/html", b"<html><body><h1>Proxy error</h1></body></html>"
    elif fault == "throttle":
        error = {"code": "TooManyRequests", "message": "Too many requests. Please retry after some time."}
        status, ctype, body = 429, b"application/json", json.dumps({"error": error}).encode()
    else:
        error = {"code": "ServiceUnavailable", "message": "The service is temporarily unavailable."}
        status, ctype, body = 503, b"application/json", json.dumps({"error": error}).encode()
    headers = [
        (b"content-type", ctype),
        (b"retry-after", str(retry_after).encode()),
        (b"content-length", str(len(body)).encode()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _abort_connection(send: Any) -> None:
    """Close the socket without a response.

    ASGI has no "abort" message, so this reaches uvicorn's per-request cycle object (the owner of
    ``send``) for its transport; both of uvicorn's HTTP implementations keep it as ``.transport``.
    """
    transport = getattr(getattr(send, "__self__", None), "transport", None)
    if transport is None:
        raise ConnectionAbortedError("sandbox fault: dropped connection")
    transport.abort()
    for _ in range(3):  # let connection_lost run, so the server knows not to answer with a 500
        await asyncio.sleep(0)
