"""``relayctl smtp-auth-report SPEC``: who still needs Basic SMTP AUTH or direct send, against the spec."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime, timedelta

from o365relay.errors import UsageError

DESCRIPTION = """Read the Entra sign-in log (SMTP AUTH sign-ins with a password, client app 'Authenticated
SMTP'; AuditLog.Read.All, and Microsoft Entra ID P1 or P2: without it the report says so and uses message
trace alone) and message trace (ExchangeMessageTrace.Read.All) for a window, and judge every sender against
the spec: declared and OAuth, declared Basic (and its waiver), relayed through a declared connector, or
undeclared (it breaks when tenant.smtpAuth / tenant.rejectDirectSend is enforced). Proposes the spec stanzas
for the undeclared ones. --evidence FILE writes what was read, for `tenant.evidence: FILE`, which lint and
the policy pack need before a rollout may move to stage: enforce. Exit 0 when nothing would break, 1 when
something would."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("spec", metavar="SPEC", help="the relay spec (relay.<stack>.yaml)")
    parser.add_argument("--days", type=float, default=14.0, help="window ending now, in days (default 14, at most 30)")
    parser.add_argument("--start", help="window start, ISO 8601 UTC (e.g. 2026-12-01T00:00Z); overrides --days")
    parser.add_argument("--end", help="window end, ISO 8601 UTC (default now)")
    parser.add_argument("--evidence", metavar="FILE", help="also write the evidence (JSON) to FILE")
    parser.add_argument("--format", choices=("text", "markdown", "json"), default="text")


def run(args: argparse.Namespace) -> int:
    from o365relay import fileio
    from o365relay.cli.usage import parse_when
    from o365relay.smtpauth.gather import gather
    from o365relay.smtpauth.judge import judge
    from o365relay.smtpauth.propose import propose
    from o365relay.smtpauth.render import render
    from o365relay.spec.document import evidence_document
    from o365relay.spec.loader import load_spec
    from o365relay.spec.model import Evidence
    from o365relay.tenant.graph import GraphClient
    from o365relay.tenant.settings import Endpoints
    from o365relay.tenant.sync import run_sync

    spec = load_spec(args.spec)
    end = parse_when(args.end, "--end") if args.end else datetime.now(UTC)
    start = parse_when(args.start, "--start") if args.start else end - timedelta(days=args.days)
    if end <= start:
        raise UsageError(f"the window ends ({end:%Y-%m-%d %H:%M}) before it starts ({start:%Y-%m-%d %H:%M})")
    if args.evidence:
        fileio.check_writable(args.evidence)

    async def fetch() -> Evidence:
        async with GraphClient(Endpoints.from_env()) as graph:
            return await gather(graph, spec, start, end)

    evidence = run_sync(fetch())
    today = datetime.now(UTC).date()
    verdict = judge(evidence, spec, today)
    proposal, notes = propose(verdict, spec, today)
    if args.evidence:
        fileio.write_text(args.evidence, json.dumps(evidence_document(evidence), indent=2) + "\n")
    print(render(verdict, proposal, notes, args.format))
    return 1 if verdict.breaking("smtpAuth") or verdict.breaking("rejectDirectSend") else 0
