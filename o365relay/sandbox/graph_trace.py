"""Graph's message trace in the sandbox: ``GET /admin/exchange/tracing/messageTraces`` (and one trace,
and ``getDetailsByRecipient``), with the service's rules.

- Permission ``ExchangeMessageTrace.Read.All`` *and* Microsoft's message-trace service principal
  (appId 8bd644d1-64a1-4d4b-ae52-2e0cbf64e373) provisioned in the tenant; without it the sandbox
  answers 403 naming the missing service principal [sandbox wording; the real text is not published].
- ``$filter``: ``receivedDateTime`` ge/le/gt/lt; ``id``, ``messageId``, ``senderAddress``,
  ``recipientAddress``, ``status``, ``fromIP``, ``toIP`` eq; ``subject`` contains/startswith/endswith;
  terms joined by ``and`` only. Window defaults to the last 48 hours, spans at most 10 days, starts at
  most 90 days ago.
- ``$top`` 1..5000 (default page 1000), ``@odata.nextLink`` paging, newest first.
- 100 requests per rolling 5 minutes per tenant; over it, 429 ``TooManyRequests`` with ``Retry-After``
  (seconds until the oldest counted request leaves the window).
"""

from __future__ import annotations

import datetime as dt
import math
import threading
import time
from collections import deque
from typing import TYPE_CHECKING

from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

from o365relay.sandbox import store as st
from o365relay.sandbox import trace
from o365relay.sandbox.catalog import MESSAGE_TRACE_APP_ID
from o365relay.sandbox.graph_http import (
    GraphCall,
    GraphError,
    bad_request,
    collection,
    graph_route,
    not_found,
    parse_filter,
)
from o365relay.sandbox.odata import Node

if TYPE_CHECKING:
    from o365relay.sandbox.context import SandboxContext

TRACE_ROLES = ("ExchangeMessageTrace.Read.All",)
TRACE_FILTER = {"receivedDateTime": {"ge", "le", "gt", "lt"},
                "subject": {"contains", "startswith", "endswith"},
                **{p: {"eq"} for p in ("id", "messageId", "senderAddress", "recipientAddress", "status",
                                       "fromIP", "toIP")}}
BASE = "/admin/exchange/tracing/messageTraces"
CONTEXT = "admin/exchange/tracing/messageTraces"
DEFAULT_WINDOW = dt.timedelta(hours=48)
MAX_SPAN = dt.timedelta(days=10)
MAX_AGE = dt.timedelta(days=90)
CLOCK_SKEW = dt.timedelta(minutes=5)


class RollingLimit:
    """At most ``limit`` calls per ``window`` seconds; thread-safe."""

    def __init__(self, limit: int = 100, window: float = 300.0):
        self.limit, self.window = limit, window
        self._calls: deque[float] = deque()
        self._lock = threading.Lock()

    def take(self) -> int:
        """Count one call; 0 when allowed, else the seconds to wait (the call is not counted)."""
        now = time.monotonic()
        with self._lock:
            while self._calls and self._calls[0] <= now - self.window:
                self._calls.popleft()
            if len(self._calls) >= self.limit:
                return max(1, math.ceil(self._calls[0] + self.window - now))
            self._calls.append(now)
            return 0


def routes(ctx: SandboxContext, limit: RollingLimit | None = None) -> list[BaseRoute]:
    limiter = limit or RollingLimit()

    def admit(call: GraphCall) -> None:
        if call.ctx.store.find(st.SERVICE_PRINCIPAL, appId=MESSAGE_TRACE_APP_ID) is None:
            raise GraphError(403, "Authorization_RequestDenied",
                             "Insufficient privileges to complete the operation. The Message Trace service "
                             f"principal (appId {MESSAGE_TRACE_APP_ID}) is not provisioned in this tenant.")
        wait = limiter.take()
        if wait:
            raise GraphError(429, "TooManyRequests",
                             "Too many requests. Message trace allows 100 requests per 5 minutes.",
                             headers={"Retry-After": str(wait)})

    async def list_traces(call: GraphCall) -> Response:
        admit(call)
        node = parse_filter(call.query, TRACE_FILTER, "exchangeMessageTrace")
        start, end, rest = window(node)
        rows = [trace.graph_view(r) for r in trace.in_window(call.ctx.store, start, end)]
        rows = [r for r in rows if all(term.matches(r) for term in rest)]
        return collection(call, CONTEXT, rows, default_page=1000, max_page=5000)

    async def get_trace(call: GraphCall) -> Response:
        admit(call)
        row = call.ctx.store.find(st.MESSAGE_TRACE, xMessageTraceId=call.path_params["tid"])
        if row is None:
            raise not_found(call.path_params["tid"])
        body = {"@odata.context": f"{call.ctx.base_url}/v1.0/$metadata#{CONTEXT}/$entity",
                **trace.graph_view(row)}
        return JSONResponse(body)

    async def details(call: GraphCall) -> Response:
        admit(call)
        tid, recipient = call.path_params["tid"], call.path_params["recipient"]
        events = trace.details(call.ctx.store, tid, recipient)
        if events is None:
            raise not_found(f"{tid} ({recipient})")
        return collection(call, "Collection(microsoft.graph.exchangeMessageTraceDetail)", events,
                          default_page=1000, max_page=5000)

    return [
        graph_route(ctx, BASE, list_traces, ["GET"], TRACE_ROLES),
        graph_route(ctx, BASE + "/{tid}", get_trace, ["GET"], TRACE_ROLES),
        graph_route(ctx, BASE + "/{tid}/getDetailsByRecipient(recipientAddress='{recipient}')", details,
                    ["GET"], TRACE_ROLES),
    ]


def window(node: Node | None, now: dt.datetime | None = None) -> tuple[dt.datetime, dt.datetime, list[Node]]:
    """Split a filter into the receivedDateTime window (validated) and the remaining terms."""
    now = now or dt.datetime.now(dt.UTC)
    terms = node.conjuncts() if node is not None else []
    if any(t.kind in ("or", "not") for t in terms):
        raise bad_request("Message trace filters combine clauses with 'and' only.")
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    rest: list[Node] = []
    for term in terms:
        if term.prop != "receivedDateTime":
            rest.append(term)
            continue
        try:
            moment = trace.parse_iso(str(term.value))
        except ValueError:
            raise bad_request(f"Invalid receivedDateTime value '{term.value}'; use YYYY-MM-DDThh:mm:ssZ.") \
                from None
        if term.op in ("ge", "gt"):
            start = moment
        else:
            end = moment
    end = end or now
    start = start or end - DEFAULT_WINDOW
    if end > now + CLOCK_SKEW:
        raise bad_request("The end date (receivedDateTime le) cannot be in the future.")
    if start > end:
        raise bad_request("The start date must be earlier than the end date.")
    if end - start > MAX_SPAN:
        raise bad_request("The date range between receivedDateTime ge and le cannot exceed 10 days.")
    if start < now - MAX_AGE:
        raise bad_request("The start date cannot be more than 90 days in the past.")
    return start, end, rest
