"""``relayctl export --output FILE``: write a spec that declares what the tenant holds today."""

from __future__ import annotations

import argparse
import sys

DESCRIPTION = """Read the tenant (credentials from the environment) and write a spec declaring its relay
connectors (OnPremises inbound), applications holding SMTP.SendAsApp, mailboxes with SMTP AUTH switched on,
their Send As grants, and the verified domains with DKIM from Exchange and SPF/DMARC from DNS.
Notes in the file (and on stderr) say what needs a hand: names to rename, grants to people.
The written spec validates; `relayctl audit` of it against the same tenant is in sync, apart from the
noted objects."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--output", "-o", required=True, metavar="FILE", help="where to write the spec")
    parser.add_argument("--nameserver", action="append", default=[], metavar="IP[:PORT]",
                        help="read SPF and DMARC from this nameserver (default: the system resolver)")
    parser.add_argument("--no-dns", action="store_true",
                        help="do not read DNS: declare Microsoft's default SPF and no DMARC")
    parser.add_argument("--force", action="store_true", help="overwrite FILE if it exists")


def run(args: argparse.Namespace) -> int:
    import asyncio

    from o365relay.dnscheck.resolver import Dns, parse_nameserver
    from o365relay.export.runner import export_tenant
    from o365relay.export.writer import render_yaml
    from o365relay.fileio import check_writable, write_text
    from o365relay.reports.progress import progress_bar
    from o365relay.reports.wording import plural
    from o365relay.tenant.settings import Endpoints

    output = check_writable(args.output, overwrite=args.force)
    endpoints = Endpoints.from_env()
    dns = None if args.no_dns else Dns([parse_nameserver(n) for n in args.nameserver] or None)
    with progress_bar("reading the tenant") as tick:
        export = asyncio.run(export_tenant(endpoints, dns, tick))
    write_text(output, render_yaml(export, endpoints.tenant_id, output), private=True, overwrite=args.force)
    for warning in export.warnings:
        print(f"relayctl export: note: {warning}", file=sys.stderr)
    found = export.spec
    counts = (plural(len(found.connectors), "connector"), plural(len(found.service_accounts), "service account"),
              plural(len(found.send_as), "Send As grant"), plural(len(found.domains), "domain"))
    print(f"wrote {output}: {', '.join(counts)}", file=sys.stderr)
    return 0
