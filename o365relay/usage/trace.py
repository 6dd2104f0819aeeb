"""Read message trace through Graph for any window, in the chunks the API allows.

Graph's ``messageTraces`` takes windows of at most 10 days, starting at most 90 days ago, and
allows 100 requests per 5 minutes (reference section 5.1). Pages are asked for at the maximum
``$top`` (5000) to spend as few of those requests as possible.

The pages are read as JSON through the GraphClient's own request adapter (same credential, retry
policy and error translation) rather than ``GraphClient.message_traces``: msgraph-sdk's model
deserialisation costs about 25 ms per trace row (``Entity.get_field_deserializers`` re-runs its
imports on every object; measured with bench/bench_usage_read.py), which is minutes for a busy
relay's 10,000 rows a day, against milliseconds here.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

from o365relay.errors import UsageError
from o365relay.tenant.graph_errors import graph_call
from o365relay.usage.analysis import TraceRow

if TYPE_CHECKING:
    from o365relay.tenant.graph import GraphClient

MAX_SPAN = timedelta(days=10)
MAX_AGE = timedelta(days=90)
PAGE_SIZE = 5000
PATH = "/admin/exchange/tracing/messageTraces"


def windows(start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """Consecutive windows of at most 10 days covering [start, end]."""
    if end <= start:
        raise UsageError(f"the window from {start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} UTC is empty: "
                         f"its end must come after its start")
    if datetime.now(UTC) - start > MAX_AGE:
        raise UsageError("message trace keeps 90 days: start the window less than 90 days ago")
    out = []
    while start < end:
        stop = min(start + MAX_SPAN, end)
        out.append((start, stop))
        start = stop
    return out


async def read_traces(graph: GraphClient, start: datetime, end: datetime, *,
                      message_id: str | None = None) -> list[TraceRow]:
    """Every trace row in [start, end] (optionally of one Message-ID), one page chain per window."""
    rows: list[TraceRow] = []
    for low, high in windows(start, end):
        rows += [to_row(item) for item in await _pages(graph, _filter(low, high, message_id))]
    return rows


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _filter(start: datetime, end: datetime, message_id: str | None) -> str:
    clauses = [f"receivedDateTime ge {_iso(start)}", f"receivedDateTime le {_iso(end)}"]
    if message_id:
        clauses.append("messageId eq '" + message_id.replace("'", "''") + "'")
    return " and ".join(clauses)


@graph_call("ExchangeMessageTrace.Read.All", "read message trace")
async def _pages(graph: GraphClient, odata_filter: str) -> list[dict[str, Any]]:
    from kiota_abstractions.method import Method
    from kiota_abstractions.request_information import RequestInformation

    query = urlencode({"$filter": odata_filter, "$top": str(PAGE_SIZE)}, quote_via=quote)
    url: str | None = f"{graph.endpoints.graph_base}{PATH}?{query}"
    items: list[dict[str, Any]] = []
    while url:
        info = RequestInformation(Method.GET)
        info.url = url
        info.headers.try_add("Accept", "application/json")
        raw: Any = await graph.sdk.request_adapter.send_primitive_async(  # type: ignore[func-returns-value]
            info, "bytes", None)
        page = json.loads(raw or b"{}")
        items += page.get("value", [])
        url = page.get("@odata.nextLink")
    return items


def to_row(item: dict[str, Any]) -> TraceRow:
    """An exchangeMessageTrace (Graph JSON) as a plain row: addresses lower-cased, time in UTC."""
    received = datetime.fromisoformat(str(item["receivedDateTime"]).replace("Z", "+00:00"))
    return TraceRow(
        trace_id=str(item.get("id", "")), sender=str(item.get("senderAddress") or "").lower(),
        recipient=str(item.get("recipientAddress") or "").lower(), message_id=str(item.get("messageId") or ""),
        received=received.astimezone(UTC), status=str(item.get("status") or ""),
        from_ip=str(item.get("fromIP") or ""),
    )
