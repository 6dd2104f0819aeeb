"""``relayctl audit SPEC``: desired (the spec) against actual (the tenant), with evidence."""

from __future__ import annotations

import argparse
import sys
from typing import Any

DESCRIPTION = """Read the tenant in bulk and compare it with the spec. Every object ends as
  in sync     declared, present, equal (Exchange value forms such as smtp:*;1 normalised)
  drift       declared and present, fields differ (desired -> actual)
  missing     declared, absent
  unexpected  present, undeclared: relay connectors, Send As grants on declared mailboxes (and the declared
              senders' Send As anywhere else), apps holding SMTP.SendAsApp and their credentials, Exchange
              service principals, permissions on the senders' mailboxes, mailboxes with SMTP AUTH switched on
  unknown     the read failed (the reason is given); never reported as drift or missing
Every report states its scope: what was read, what failed, and what was not looked at. DNS records are
not read unless --dns is given: then the checks of `relayctl dns` run too and become rows of the report.
The tenant and credentials come from the environment (AZURE_TENANT_ID/AZURE_CLIENT_ID/..., RELAY_*).
Exit 0 in sync, 1 findings, 3 when failed reads prevent a verdict."""

FORMATS = ("text", "markdown", "json", "html")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("spec", help="the relay spec (relay.<stack>.yaml)")
    parser.add_argument("--format", choices=FORMATS, default="text")
    parser.add_argument("--output", "-o", metavar="FILE", help="write the report here instead of stdout")
    parser.add_argument("--every-mailbox", action="store_true",
                        help="also read every mailbox's permissions (one read a mailbox, batched: slower on large "
                             "tenants) to find the declared senders' FullAccess and other rights on mailboxes the spec "
                             "does not name")
    parser.add_argument("--hide-in-sync", action="store_true", help="text format: list only findings and unknowns")
    parser.add_argument("--dns", action="store_true",
                        help="also check the domains' DNS records (SPF, DKIM, DMARC, MX, DNSBL) as `relayctl dns` does")
    from o365relay.cli.dns import add_dns_options

    add_dns_options(parser.add_argument_group("DNS checks (with --dns)"))


def run(args: argparse.Namespace) -> int:
    import asyncio

    from o365relay.audit.runner import audit, plan_reads, spec_revision
    from o365relay.errors import UsageError
    from o365relay.fileio import check_writable, write_text
    from o365relay.reports.progress import progress_bar
    from o365relay.spec.loader import load_spec
    from o365relay.tenant.credentials import check_sign_in
    from o365relay.tenant.settings import Endpoints

    spec = load_spec(args.spec)
    endpoints = Endpoints.from_env()
    if endpoints.tenant_id.lower() not in (spec.tenant.id.lower(), spec.tenant.initial_domain.lower()):
        raise UsageError(f"{args.spec} declares tenant {spec.tenant.id} but the credentials are for "
                         f"{endpoints.tenant_id}: set AZURE_TENANT_ID to the spec's tenant")
    if args.output:
        check_writable(args.output)
    asyncio.run(check_sign_in(endpoints))
    revision = spec_revision(args.spec)
    with progress_bar("reading the tenant", plan_reads(spec).total) as tick:
        result = asyncio.run(audit(spec, endpoints, revision=revision, progress=tick,
                                   every_mailbox=args.every_mailbox))
    if args.dns:
        from o365relay.audit.dns_items import with_dns
        from o365relay.cli.dns import check_spec_dns

        result = with_dns(result, spec, check_spec_dns(spec, args))
    text = _render(result, args.format, rich=sys.stdout.isatty() and not args.output,
                   show_in_sync=not args.hide_in_sync)
    if args.output:
        write_text(args.output, text, private=True)
    else:
        sys.stdout.write(text)
    return result.exit_code


def _render(result: Any, fmt: str, *, rich: bool, show_in_sync: bool) -> str:
    if fmt == "text":
        from o365relay.reports.audit_text import render_text

        return render_text(result, rich=rich, show_in_sync=show_in_sync)
    if fmt == "markdown":
        from o365relay.reports.audit_markdown import render_markdown

        return render_markdown(result)
    if fmt == "json":
        from o365relay.reports.audit_json import render_json

        return render_json(result)
    from o365relay.reports.audit_html import render_html

    return render_html(result)
