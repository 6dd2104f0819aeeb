"""``relayctl lint SPEC``: the policy rules over a spec, as text, JSON or SARIF.

Exit 0 when nothing blocks, 1 when a finding is mandatory and not waived, 2 when the spec is invalid.
The same rules run in the CrossGuard pack (``policies/``), so a clean lint means a clean preview.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from o365relay.errors import UsageError
from o365relay.rules.base import (
    DEFAULT_MAX_SECRET_DAYS,
    ENFORCEMENTS,
    RULE_LEVELS,
    SEVERITIES,
    LintOptions,
    Rule,
)

DESCRIPTION = """Check a relay spec against the policy rules: no open relay, TLS on connectors, no Basic
SMTP AUTH, strong OAuth credentials, least privilege, SPF/DKIM/DMARC, reject direct send.
Waivers in the spec are honoured until they expire; findings are reported at their spec lines."""

FORMATS = ("text", "json", "sarif")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("spec", metavar="SPEC", type=Path, nargs="?",
                        help="the relay spec, e.g. relay.prod.yaml")
    parser.add_argument("--list-rules", action="store_true",
                        help="list the rules (id, severity, baselines, waivable, fix) instead of linting")
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format (default: text)")
    parser.add_argument("--enforcement", choices=ENFORCEMENTS, default="advisory",
                        help="mandatory findings fail the run (exit 1); default: advisory")
    parser.add_argument("--rule", action="append", default=[], metavar="ID=LEVEL",
                        help="override one rule: mandatory, advisory or disabled (repeatable)")
    parser.add_argument("--severity", action="append", default=[], metavar="ID=SEVERITY",
                        help="override one rule's severity: low, medium, high or critical (repeatable)")
    parser.add_argument("--max-secret-days", type=int, default=None, metavar="N",
                        help="longest client-secret lifetime an OAuth sender may declare (default: 180)")
    parser.add_argument("--allow-basic-smtp-auth", action="store_true",
                        help="this stack may still use Basic SMTP AUTH senders (no-basic-smtp-auth is off)")
    parser.add_argument("--resolve-dns", action="store_true",
                        help="count the DNS lookups nested in vendor SPF includes by resolving them "
                             "(offline, the count is a lower bound and spf-lookups-unverified says so)")
    parser.add_argument("--nameserver", action="append", default=[], metavar="IP[:PORT]",
                        help="with --resolve-dns: ask this nameserver (repeatable; default: the system's)")
    parser.add_argument("--output", type=Path, metavar="FILE", help="write the report to FILE, not stdout")


def options_from(args: argparse.Namespace) -> LintOptions:
    if args.max_secret_days is not None and args.max_secret_days < 1:
        raise UsageError(f"--max-secret-days must be at least 1, got {args.max_secret_days}")
    return LintOptions(
        enforcement=args.enforcement,
        rules=parse_overrides("--rule", args.rule, RULE_LEVELS),
        severity=parse_overrides("--severity", args.severity, SEVERITIES),
        max_secret_days=args.max_secret_days or DEFAULT_MAX_SECRET_DAYS,
        basic_smtp_auth_forbidden=not args.allow_basic_smtp_auth,
        spf_include_lookups=_resolver(args) if args.resolve_dns else None,
    )


def _resolver(args: argparse.Namespace) -> Any:
    from o365relay.dnscheck.resolver import Dns, parse_nameserver
    from o365relay.dnscheck.spf import include_lookups

    return include_lookups(Dns([parse_nameserver(n) for n in args.nameserver] or None))


def all_rules() -> dict[str, Rule]:
    """The rule registry; imported on use so ``relayctl --help`` does not load every rule module."""
    from o365relay.rules import RULES

    return RULES


def parse_overrides(flag: str, items: list[str], allowed: tuple[str, ...]) -> dict[str, Any]:
    """``ID=VALUE`` items of a repeatable flag, each ID a known rule and each VALUE one of ``allowed``."""
    rules = all_rules()
    overrides: dict[str, Any] = {}
    for item in items:
        rule_id, _, value = item.partition("=")
        if rule_id not in rules:
            raise UsageError(f"{flag} {item}: unknown rule {rule_id!r}; rules: {', '.join(rules)}")
        if value not in allowed:
            raise UsageError(f"{flag} {item}: the value must be one of {', '.join(allowed)}")
        overrides[rule_id] = value
    return overrides


def rules_listing(fmt: str) -> str:
    """Every rule, for reviewers and for writing waivers (``--format json`` for tools)."""
    if fmt != "text":
        rules = [{"id": r.id, "severity": r.severity, "waivable": r.waivable, "baselines": list(r.baselines),
                  "rationale": r.rationale, "fix": r.fix} for r in all_rules().values()]
        return json.dumps(rules, indent=2) + "\n"
    lines = []
    for r in all_rules().values():
        waivable = "" if r.waivable else ", not waivable"
        baselines = f" [{', '.join(r.baselines)}]" if r.baselines else ""
        lines += [f"{r.id} ({r.severity}{waivable}){baselines}", f"    {r.rationale}", f"    fix: {r.fix}"]
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    from o365relay.fileio import check_writable, write_text
    from o365relay.reports.sarif import repo_relative_uri, sarif_log
    from o365relay.rules import exit_code, lint
    from o365relay.rules.report import as_json, as_text
    from o365relay.spec.loader import load_spec

    if args.list_rules:
        sys.stdout.write(rules_listing(args.format))
        return 0
    if args.spec is None:
        raise UsageError("lint needs a SPEC file (or --list-rules)")
    options = options_from(args)
    if args.output:
        check_writable(args.output)
    spec = load_spec(args.spec)
    findings = lint(spec, options)
    if args.format == "text":
        text = as_text(findings, spec)
    elif args.format == "json":
        text = json.dumps(as_json(findings, spec, options), indent=2) + "\n"
    else:
        log = sarif_log(findings, all_rules().values(), spec, repo_relative_uri(args.spec))
        text = json.dumps(log, indent=2) + "\n"
    if args.output:
        write_text(args.output, text)
    else:
        sys.stdout.write(text)
    return exit_code(findings)
