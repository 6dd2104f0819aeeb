"""Follow a test message in message trace until it is delivered, failed, or the time is up.

Message trace allows 100 requests per 5 minutes; polling starts at 2 s and doubles to 30 s, so a
5-minute follow costs about 15 requests and several test-sends can run side by side.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from o365relay.usage.analysis import TraceRow
from o365relay.usage.trace import read_traces

if TYPE_CHECKING:
    from o365relay.tenant.graph import GraphClient

FINAL = frozenset({"delivered", "failed", "quarantined", "filteredasspam", "expanded", "recalled"})
FIRST_DELAY, MAX_DELAY = 2.0, 30.0
SLACK = timedelta(minutes=5)  # clock skew between this host and the service


async def follow(graph: GraphClient, message_id: str, sent_at: datetime, timeout: float,
                 first_delay: float = FIRST_DELAY) -> tuple[list[TraceRow], int]:
    """The message's trace rows once every recipient has a final status (or at the timeout), and the
    number of requests spent."""
    deadline = time.monotonic() + timeout
    delay, requests, rows = first_delay, 0, []
    while True:
        rows = await read_traces(graph, sent_at - SLACK, datetime.now(UTC) + timedelta(minutes=1),
                                 message_id=message_id)
        requests += 1
        if rows and all(r.status.lower() in FINAL for r in rows):
            return rows, requests
        if time.monotonic() + delay > deadline:
            return rows, requests
        await asyncio.sleep(delay)
        delay = min(delay * 2, MAX_DELAY)
