"""``relayctl dns SPEC``: live DNS checks of every sending domain the spec declares."""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from o365relay.dnscheck.model import DnsReport
    from o365relay.spec.model import RelaySpec

DESCRIPTION = """Check the live DNS of every sending domain the spec declares:
  SPF    exactly one record, valid, at most 10 lookups / 2 void lookups, every connector IP authorised
  DKIM   both selector CNAMEs published and pointing at the tenant's Selector1CNAME/Selector2CNAME
  DMARC  a valid record, its policy and report addresses as declared
  MX     the host Graph's serviceConfigurationRecords names
  DNSBL  no connector sender IP listed on the blocklist zones
DKIM and MX targets are read from the tenant when one is configured (RELAY_TENANT_ID or AZURE_TENANT_ID
and credentials); without one, give DKIM targets with --dkim-targets.
Exit 1 on findings, 3 when a lookup failed and nothing else is wrong."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("spec", help="the relay spec (relay.<stack>.yaml)")
    add_dns_options(parser)
    parser.add_argument("--format", choices=["text", "json", "markdown"], default="text")


def add_dns_options(parser: argparse._ActionsContainer) -> None:
    """The options of the DNS checks, shared by ``relayctl dns`` and ``relayctl audit --dns``."""
    parser.add_argument("--nameserver", action="append", default=[], metavar="IP[:PORT]",
                        help="ask this nameserver (repeatable; default: the system resolver)")
    parser.add_argument("--dnsbl", action="append", default=[], metavar="ZONE",
                        help="blocklist zone to look sender IPs up in (repeatable; "
                             "default: zen.spamhaus.org and bl.spamcop.net)")
    parser.add_argument("--dkim-targets", metavar="FILE",
                        help="YAML/JSON: domain -> {selector1, selector2} targets, or Get-DkimSigningConfig JSON")
    parser.add_argument("--offline", action="store_true", help="do not read DKIM/MX targets from the tenant")
    parser.add_argument("--timeout", type=float, default=3.0, help="seconds per DNS lookup (default 3)")


def run(args: argparse.Namespace) -> int:
    from o365relay.reports.dns import RENDERERS, render_text
    from o365relay.spec.loader import load_spec

    spec = load_spec(args.spec)
    report = check_spec_dns(spec, args)
    text = render_text(report, rich=sys.stdout.isatty()) if args.format == "text" else RENDERERS[args.format](report)
    sys.stdout.write(text)
    return report.exit_code


def check_spec_dns(spec: RelaySpec, args: argparse.Namespace) -> DnsReport:
    """The DNS checks of ``spec`` with the options above (``relayctl dns`` and ``relayctl audit --dns``)."""
    import asyncio
    from dataclasses import replace

    from o365relay.dnscheck import DnsInputs, run_checks
    from o365relay.dnscheck.dnsbl import DEFAULT_ZONES
    from o365relay.dnscheck.facts import TenantFacts, dkim_targets_from_file, read_tenant_facts
    from o365relay.dnscheck.resolver import Dns, parse_nameserver

    dns = Dns([parse_nameserver(n) for n in args.nameserver] or None, timeout=args.timeout)
    facts = TenantFacts()
    if not args.offline and (os.environ.get("RELAY_TENANT_ID") or os.environ.get("AZURE_TENANT_ID")):
        from o365relay.tenant.settings import Endpoints

        facts = asyncio.run(read_tenant_facts(Endpoints.from_env(), list(spec.domains)))
    if args.dkim_targets:
        facts = replace(facts, dkim=dkim_targets_from_file(args.dkim_targets))
    return run_checks(spec, DnsInputs(dns=dns, facts=facts, dnsbl_zones=args.dnsbl or DEFAULT_ZONES))
