"""Read message trace through Graph for any window, in the chunks the API allows.

Graph's ``messageTraces`` takes windows of at most 10 days, starting at most 90 days ago, and
allows 100 requests per 5 minutes (reference section 5.1); the client pages each chunk.
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
        raise UsageError(f"the window ends ({end:%Y-%m-%d %H:%M}) before it starts ({start:%Y-%m-%d %H:%M})")
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
    """Every trace row in [start, end], one request chain per 10-day window."""
    rows: list[TraceRow] = []
    for low, high in windows(start, end):
        rows += [to_row(t) for t in await graph.message_traces(low, high, message_id=message_id)]
    return rows


def to_row(trace: Any) -> TraceRow:
    """An msgraph ExchangeMessageTrace as a plain row (addresses lower-cased, time in UTC)."""
    received = trace.received_date_time
    if received.tzinfo is None:
        received = received.replace(tzinfo=UTC)
    status = getattr(trace.status, "value", trace.status)
    return TraceRow(
        trace_id=str(trace.id), sender=(trace.sender_address or "").lower(),
        recipient=(trace.recipient_address or "").lower(), message_id=trace.message_id or "",
        received=received.astimezone(UTC), status=str(status or ""), from_ip=trace.from_i_p or "",
    )
