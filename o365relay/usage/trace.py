"""Read message trace through Graph for any window, in the chunks the API allows.

Graph's ``messageTraces`` takes windows of at most 10 days, starting at most 90 days ago, and
allows 100 requests per 5 minutes (reference section 5.1). Each window is read with
``GraphClient.message_trace_rows`` (plain JSON at the largest page size, no msgraph-sdk models).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from o365relay.errors import UsageError
from o365relay.usage.analysis import TraceRow

if TYPE_CHECKING:
    from o365relay.tenant.graph import GraphClient

MAX_SPAN = timedelta(days=10)
MAX_AGE = timedelta(days=90)


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
        rows += [to_row(item) for item in await graph.message_trace_rows(low, high, message_id=message_id)]
    return rows


def to_row(item: dict[str, Any]) -> TraceRow:
    """An exchangeMessageTrace (Graph JSON) as a plain row: addresses lower-cased, time in UTC."""
    received = datetime.fromisoformat(str(item["receivedDateTime"]).replace("Z", "+00:00"))
    return TraceRow(
        trace_id=str(item.get("id", "")), sender=str(item.get("senderAddress") or "").lower(),
        recipient=str(item.get("recipientAddress") or "").lower(), message_id=str(item.get("messageId") or ""),
        received=received.astimezone(UTC), status=str(item.get("status") or ""),
        from_ip=str(item.get("fromIP") or ""),
    )
