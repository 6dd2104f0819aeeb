"""``relayctl usage SPEC``: messages and recipients per sender from message trace, with flags."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta

from o365relay.errors import UsageError
from o365relay.fileio import check_writable, write_text

DESCRIPTION = """Read message trace through Graph (ExchangeMessageTrace.Read.All) for a window, count
messages and recipients per sender per hour and day, and flag service accounts near the SMTP AUTH
limits (30 messages a minute, 10,000 recipients a day), sudden rises against each sender's trailing
24-hour baseline, and senders in the spec's domains that the spec does not declare. --format html draws
each sender's daily volume against the per-mailbox limits, with the flags marked. The tenant comes
from the environment (RELAY_* / AZURE_*, e.g. from `relayctl sandbox env`). Exit 0 when nothing is
flagged, 1 when something is."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("spec", metavar="SPEC", help="the relay spec (relay.<stack>.yaml)")
    parser.add_argument("--days", type=float, default=2.0, help="window ending now, in days (default 2)")
    parser.add_argument("--start", help="window start, ISO 8601 UTC (e.g. 2026-07-01T00:00Z); overrides --days")
    parser.add_argument("--end", help="window end, ISO 8601 UTC (default now)")
    parser.add_argument("--near", type=float, default=0.8, help="flag at this fraction of a limit (default 0.8)")
    parser.add_argument("--format", choices=("text", "markdown", "json", "html"), default="text")
    parser.add_argument("--output", "-o", metavar="FILE", help="write the report here instead of stdout")


def run(args: argparse.Namespace) -> int:
    from o365relay.spec.loader import load_spec
    from o365relay.tenant.graph import GraphClient
    from o365relay.tenant.settings import Endpoints
    from o365relay.tenant.sync import run_sync
    from o365relay.usage.analysis import Thresholds, analyze_usage
    from o365relay.usage.render import render
    from o365relay.usage.trace import read_traces

    if args.days <= 0 and not args.start:
        raise UsageError(f"--days {args.days:g} gives an empty window: give a number of days above 0, e.g. --days 1")
    if args.output:
        check_writable(args.output)
    spec = load_spec(args.spec)
    end = parse_when(args.end, "--end") if args.end else datetime.now(UTC)
    start = parse_when(args.start, "--start") if args.start else end - timedelta(days=args.days)
    if not 0 < args.near <= 1:
        raise UsageError(f"--near {args.near} must be a fraction between 0 and 1, e.g. 0.8")

    async def fetch() -> list:
        async with GraphClient(Endpoints.from_env()) as graph:
            return await read_traces(graph, start, end)

    report = analyze_usage(run_sync(fetch()), spec, start, end, Thresholds(near=args.near))
    text = render(report, args.format)
    if args.output:
        write_text(args.output, text + "\n", private=True)
    else:
        print(text)
    return 1 if report.flags else 0


def parse_when(text: str, option: str) -> datetime:
    """An ISO 8601 option value as an aware time (UTC when it names no offset)."""
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(f"{option} {text!r} is not an ISO 8601 time; write e.g. 2026-07-01T00:00Z") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
