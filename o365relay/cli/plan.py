"""``relayctl plan SPEC``: the pull-request comment, from the engine's preview and the audit.

Runs ``pulumi preview --json --policy-pack policies`` for the stack (run it from the project
directory, with the stack's credentials in the environment), reads the audit of the tenant against
the spec, and writes both as Markdown, each saying where it comes from.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

DESCRIPTION = """Write the Markdown plan reviewers read: what `pulumi up` will create, update, replace and
delete (from `pulumi preview --json` with the policy pack), the policy findings, and the audit's drift
(the tenant against the spec, including changes made behind the stack's back). Exit 0 when the plan
was written, 1 when a mandatory policy finding blocks the apply, 3 when the preview or the audit failed."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("spec", help="the stack's relay spec (relay.<stack>.yaml)")
    parser.add_argument("--stack", default="sandbox", help="the Pulumi stack (default sandbox)")
    parser.add_argument("--config-file", type=Path, help="the stack's config file, if not Pulumi.<stack>.yaml")
    parser.add_argument("--output", "-o", metavar="FILE", help="write the Markdown here instead of stdout")
    parser.add_argument("--no-audit", action="store_true", help="the engine's plan only, without reading the tenant")


def run(args: argparse.Namespace) -> int:
    from o365relay.engine.cli import PulumiCli
    from o365relay.engine.plan import read_plan, render_markdown
    from o365relay.errors import TenantError
    from o365relay.fileio import check_writable, write_text

    if args.output:
        check_writable(args.output)
    pulumi = PulumiCli(Path.cwd(), stack=args.stack, config_file=args.config_file)
    if args.stack == "sandbox":
        pulumi.ensure_stack()
    preview = pulumi.preview(check=False)
    plan = read_plan(preview.events())
    if not preview.ok and not plan.blocked and not plan.errors:
        raise TenantError(f"`pulumi preview` failed (exit {preview.returncode}): {preview.stderr.strip()[-2000:]}")
    audit = None if args.no_audit else _audit_markdown(args.spec)
    text = render_markdown(plan, args.stack, audit)
    if args.output:
        write_text(args.output, text)
    else:
        sys.stdout.write(text)
    if plan.blocked:
        return 1
    if not preview.ok:  # the engine's errors are in the plan too; the run still says why it failed
        where = f"; {args.output} lists every error" if args.output else ""
        raise TenantError(f"`pulumi preview` failed: {plan.errors[0].splitlines()[0]}{where}")
    return 0


def _audit_markdown(spec_path: str) -> str:
    import asyncio

    from o365relay.audit.runner import audit, spec_revision
    from o365relay.reports.audit_markdown import render_markdown
    from o365relay.spec.loader import load_spec
    from o365relay.tenant.settings import Endpoints

    spec = load_spec(spec_path)
    result = asyncio.run(audit(spec, Endpoints.from_env(), revision=spec_revision(spec_path)))
    return render_markdown(result)
