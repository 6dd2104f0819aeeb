"""Message trace through GraphClient: msgraph-sdk models (``message_traces``) vs the raw-JSON mode
(``message_trace_rows``, what ``relayctl usage`` reads), same sandbox, same rows, same run.

The sandbox records ROWS trace rows (one message to ROWS recipients, as its SMTP endpoints record
deliveries); each mode then reads the same window through the client over HTTPS. The figure is the
ratio of the two wall times; the model path is the baseline.

    .venv/bin/python bench/bench_usage_read.py [--rows 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import tempfile
import time
from pathlib import Path

from o365relay.sandbox import trace
from o365relay.sandbox.runner import start_sandbox
from o365relay.tenant.graph import GraphClient
from o365relay.usage.trace import to_row


async def read_both(sandbox: object, start: dt.datetime, end: dt.datetime) -> tuple[float, float, int, int]:
    async with GraphClient(sandbox.endpoints()) as graph:  # type: ignore[attr-defined]
        await graph.message_trace_rows(start, end, sender="nobody@contoso.com")  # token and connection
        began = time.perf_counter()
        models = await graph.message_traces(start, end)
        model_wall = time.perf_counter() - began
        began = time.perf_counter()
        rows = [to_row(item) for item in await graph.message_trace_rows(start, end)]
        raw_wall = time.perf_counter() - began
    return model_wall, raw_wall, len(models), len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as state, start_sandbox(Path(state)) as sandbox:
        os.environ.update(sandbox.env())
        received = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
        outcomes = [trace.Outcome(f"r{i}@fabrikam.example", trace.DELIVERED, "250 2.6.0 queued")
                    for i in range(args.rows)]
        trace.record(sandbox.store, sender="erp@contoso.com", outcomes=outcomes,
                     message_id=trace.new_message_id("contoso.com"), subject="bench", size=1200,
                     from_ip="203.0.113.5", to_ip="", endpoint="Relay", received=received)
        end = dt.datetime.now(dt.UTC)
        model_wall, raw_wall, models, rows = asyncio.run(read_both(sandbox, end - dt.timedelta(days=1), end))
    assert models == rows == args.rows, (models, rows)
    print(f"msgraph-sdk models (message_traces):   {models} rows in {model_wall:7.3f} s")
    print(f"raw JSON (message_trace_rows + to_row): {rows} rows in {raw_wall:7.3f} s")
    print(f"raw mode: {model_wall / raw_wall:.1f}x faster than the model path; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
