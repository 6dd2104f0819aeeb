"""``relayctl dns SPEC``: live DNS checks of every sending domain the spec declares."""

from __future__ import annotations

import argparse
import os
import ssl
import sys
from typing import TYPE_CHECKING

from o365relay.errors import UsageError

if TYPE_CHECKING:
    from o365relay.dnscheck.facts import TenantFacts
    from o365relay.dnscheck.model import DnsReport
    from o365relay.spec.model import RelaySpec

DESCRIPTION = """Check the live DNS of every sending domain the spec declares:
  SPF    exactly one record, valid, at most 10 lookups / 2 void lookups, every connector IP authorised
  DKIM   both selector CNAMEs published and pointing at the tenant's Selector1CNAME/Selector2CNAME
  DMARC  a valid record, its policy and report addresses as declared
  MX     the host Graph's serviceConfigurationRecords names
  DNSBL  no connector sender IP listed on the blocklist zones
  MTA-STS the _mta-sts record, the policy served at https://mta-sts.<domain>/.well-known/mta-sts.txt as
         declared, every MX matched by it; TLS-RPT the _smtp._tls record (domains that declare them)
DKIM and MX targets are read from the tenant when one is configured (RELAY_TENANT_ID or AZURE_TENANT_ID
and credentials); without one, give DKIM targets with --dkim-targets.
Exit 1 on findings, 3 when a lookup failed and nothing else is wrong.

With --export octodns|dnscontrol nothing is looked up: the records the spec implies (SPF with the
connector IPs, the tenant's DKIM CNAMEs, DMARC, MTA-STS, TLS-RPT) are printed as an octoDNS zone file or
DNSControl records, merged with the zone as it is (--existing ZONE=FILE: the octoDNS zone file, or for
DNSControl a zone file of what is published) so other TXT values at the apex stay and there is one SPF
record. --mta-sts-policy DOMAIN prints the policy file to serve for DOMAIN."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("spec", help="the relay spec (relay.<stack>.yaml)")
    add_dns_options(parser)
    parser.add_argument("--format", choices=["text", "json", "markdown"], default="text")
    parser.add_argument("--mta-sts-policy", metavar="DOMAIN",
                        help="print the MTA-STS policy file to serve for DOMAIN and exit")
    parser.add_argument("--export", choices=["octodns", "dnscontrol"],
                        help="print the records for this DNS tool instead of checking DNS")
    parser.add_argument("--existing", action="append", default=[], metavar="ZONE=FILE",
                        help="with --export: the zone as it is now, merged with the relay's records (repeatable)")
    parser.add_argument("-o", "--output", metavar="DIR",
                        help="with --export: write one file per zone here (<zone>.yaml / <zone>.js)")


def add_dns_options(parser: argparse._ActionsContainer) -> None:
    """The options of the DNS checks, shared by ``relayctl dns`` and ``relayctl audit --dns``."""
    parser.add_argument("--nameserver", action="append", default=[], metavar="IP[:PORT]",
                        help="ask this nameserver (repeatable; default: RELAY_NAMESERVER, which `relayctl "
                             "sandbox env` sets to the sandbox's DNS server, else the system resolver)")
    parser.add_argument("--dnsbl", action="append", default=[], metavar="ZONE",
                        help="blocklist zone to look sender IPs up in (repeatable; "
                             "default: zen.spamhaus.org and bl.spamcop.net)")
    parser.add_argument("--dkim-targets", metavar="FILE",
                        help="YAML/JSON: domain -> {selector1, selector2} targets, or Get-DkimSigningConfig JSON")
    parser.add_argument("--offline", action="store_true", help="do not read DKIM/MX targets from the tenant")
    parser.add_argument("--timeout", type=float, default=3.0, help="seconds per DNS lookup (default 3)")
    parser.add_argument("--mta-sts-port", type=int, default=443, metavar="PORT",
                        help="HTTPS port of the mta-sts.<domain> policy hosts (default 443)")
    parser.add_argument("--mta-sts-ca", metavar="FILE",
                        help="CA bundle to verify the policy hosts with (default: the system's)")


def run(args: argparse.Namespace) -> int:
    from o365relay.reports.dns import RENDERERS, render_text
    from o365relay.spec.loader import load_spec

    spec = load_spec(args.spec)
    if args.mta_sts_policy:
        return _print_policy(spec, args.mta_sts_policy)
    if args.export:
        from o365relay.cli.dns_export import export

        return export(args, spec, tenant_facts(spec, args))
    report = check_spec_dns(spec, args)
    text = render_text(report, rich=sys.stdout.isatty()) if args.format == "text" else RENDERERS[args.format](report)
    sys.stdout.write(text)
    return report.exit_code


def tenant_facts(spec: RelaySpec, args: argparse.Namespace) -> TenantFacts:
    """DKIM and MX targets: the tenant's when one is configured, DKIM overridden by --dkim-targets."""
    import asyncio
    from dataclasses import replace

    from o365relay.dnscheck.facts import TenantFacts, dkim_targets_from_file, read_tenant_facts

    facts = TenantFacts()
    if not args.offline and (os.environ.get("RELAY_TENANT_ID") or os.environ.get("AZURE_TENANT_ID")):
        from o365relay.tenant.settings import Endpoints

        facts = asyncio.run(read_tenant_facts(Endpoints.from_env(), list(spec.domains)))
    if args.dkim_targets:
        facts = replace(facts, dkim=dkim_targets_from_file(args.dkim_targets))
    return facts


def check_spec_dns(spec: RelaySpec, args: argparse.Namespace) -> DnsReport:
    """The DNS checks of ``spec`` with the options above (``relayctl dns`` and ``relayctl audit --dns``)."""
    from o365relay.dnscheck import DnsInputs, run_checks
    from o365relay.dnscheck.dnsbl import DEFAULT_ZONES
    from o365relay.dnscheck.mta_sts import PolicyHost
    from o365relay.dnscheck.resolver import Dns, parse_nameserver

    servers = args.nameserver or [n for n in [os.environ.get("RELAY_NAMESERVER", "")] if n]
    dns = Dns([parse_nameserver(n) for n in servers] or None, timeout=args.timeout)
    host = PolicyHost(port=_port(args.mta_sts_port), tls=_trust(args.mta_sts_ca), timeout=args.timeout)
    return run_checks(spec, DnsInputs(dns=dns, facts=tenant_facts(spec, args),
                                      dnsbl_zones=args.dnsbl or DEFAULT_ZONES, policy_host=host))


def _print_policy(spec: RelaySpec, domain: str) -> int:
    from o365relay.records import mta_sts_policy

    declared = spec.domains.get(domain.lower().rstrip("."))
    if declared is None or declared.mta_sts is None:
        with_policy = sorted(d.name for d in spec.domains.values() if d.mta_sts is not None)
        raise UsageError(f"--mta-sts-policy {domain}: no declared domain with mtaSts of that name "
                         f"(domains with mtaSts: {', '.join(with_policy) or 'none'})")
    sys.stdout.write(mta_sts_policy(declared.mta_sts))
    return 0


def _port(port: int) -> int:
    if not 0 < port < 65536:
        raise UsageError(f"--mta-sts-port {port}: a port is a number from 1 to 65535")
    return port


def _trust(ca_file: str | None) -> ssl.SSLContext:
    if ca_file is None:
        return ssl.create_default_context()
    try:
        return ssl.create_default_context(cafile=ca_file)
    except (OSError, ssl.SSLError) as error:
        raise UsageError(f"--mta-sts-ca {ca_file}: not a readable CA bundle ({error})") from None
