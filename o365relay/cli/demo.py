"""``relayctl demo``: the whole story on the embedded default, the sandbox tenant.

Each step runs the real ``relayctl`` command a platform engineer would type, as a subprocess with the
sandbox's environment, and the demo prints the command, its output and its verdict. The apply step
runs ``pulumi up`` only where it can work: the sandbox cannot host Entra (azuread) resources, so on
the sandbox the stack is applied through the same dynamic providers in Pulumi's provider host
(``python -m components.offline``), and the demo says so plainly.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

DESCRIPTION = """Start the sandbox tenant seeded with Contoso's mailboxes and domains, then validate and
lint the spec, show the Markdown plan of what would change, apply it, audit the tenant against it, and
send test messages the way a datacenter device and the floor-3 scanner would, confirming each in
message trace. Reports go to --reports (default reports/). Run it from the project directory."""

CONNECTOR_DEVICE_IP = "203.0.113.5"  # inside dc1-relay's 203.0.113.0/28: the datacenter's NAT egress
LEGACY_SENDER = ("scanner-floor3", "scanner3@contoso.com")
PLAN_LINES = 30  # of the Markdown plan shown on the terminal; the file has all of it


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--spec", default="relay.prod.yaml", help="the spec to run (default relay.prod.yaml)")
    parser.add_argument("--reports", type=Path, default=Path("reports"), help="where reports are written")
    parser.add_argument("--state-dir", type=Path, default=Path(".sandbox/demo"),
                        help="the sandbox's state (wiped at the start of each demo)")


class Demo:
    TOTAL = 7

    def __init__(self, args: argparse.Namespace, env: dict[str, str]):
        self.args = args
        self.env = env
        self.step = 0
        self.results: list[tuple[str, str]] = []

    def next(self, title: str) -> None:
        self.step += 1
        print(f"\n━━ {self.step}/{self.TOTAL} {title}")

    def run(self, argv: list[str], *, shown: str | None = None, extra_env: dict[str, str] | None = None,
            module: str = "o365relay.cli.main", tail: int = 40) -> int:
        """Run a command as a user would, print it and the last ``tail`` lines of its output."""
        print(f"$ {shown or 'relayctl ' + ' '.join(argv)}")
        done = subprocess.run([sys.executable, "-m", module, *argv], env={**self.env, **(extra_env or {})},
                              capture_output=True, text=True, check=False, timeout=600)
        lines = (done.stdout + done.stderr).rstrip().splitlines()
        if len(lines) > tail:
            print(f"  … ({len(lines) - tail} lines above)")
        for line in lines[-tail:]:
            print(f"  {line}")
        return done.returncode

    def verdict(self, what: str, ok: bool, detail: str) -> None:
        mark = "✔" if ok else "✘"
        print(f"{mark} {detail}")
        self.results.append((what, f"{mark} {detail}"))


def _apply_note() -> str:
    pulumi = shutil.which("pulumi")
    where = f"The Pulumi CLI is at {pulumi}, but" if pulumi else "The Pulumi CLI is not installed, and"
    return (f"{where} `pulumi up` needs Entra ID for the azuread resources, which the sandbox cannot host.\n"
            "For a real tenant: `pulumi up --stack prod --policy-pack policies` (see examples/ci/github/).\n"
            "On the sandbox the same dynamic providers apply the stack through Pulumi's provider host over gRPC,\n"
            "and the Entra objects (apps, service principals, SMTP.SendAsApp grants) are created through the\n"
            "sandbox's Graph.")


def _story(demo: Demo, spec: str, reports: Path, password: str) -> None:
    demo.next("Validate the spec")
    code = demo.run(["validate", spec])
    demo.verdict("validate", code == 0, f"{spec} is valid" if code == 0 else f"{spec} is invalid (exit {code})")

    demo.next("Lint it against the policy rules (SARIF for code scanning)")
    code = demo.run(["lint", spec, "--enforcement", "mandatory"])
    demo.run(["lint", spec, "--format", "sarif", "--output", str(reports / "lint.sarif")], tail=0)
    demo.verdict("lint", code == 0, "no mandatory finding (waived findings listed above)" if code == 0
                 else f"mandatory findings (exit {code})")

    demo.next("Plan: what `pulumi up` would change against the live tenant")
    code = demo.run(["audit", spec, "--format", "markdown", "--output", str(reports / "plan.md")], tail=0)
    plan = (reports / "plan.md").read_text(encoding="utf-8").rstrip().splitlines() if code in (0, 1) else []
    print("\n".join(f"  {line}" for line in plan[:PLAN_LINES]))
    if len(plan) > PLAN_LINES:
        print(f"  … {len(plan) - PLAN_LINES} more lines in {reports / 'plan.md'}")
    demo.verdict("plan", code in (0, 1), f"plan written to {reports / 'plan.md'}" if code in (0, 1)
                 else f"the tenant could not be read (exit {code})")

    demo.next("Apply")
    print(_apply_note())
    state = demo.args.state_dir / "applied-state.json"
    code = demo.run(["--spec", spec, "--state", str(state)], module="components.offline",
                    shown=f"python -m components.offline --spec {spec} --state {state}")
    demo.verdict("apply", code == 0, "applied" if code == 0 else f"apply failed (exit {code})")

    demo.next("Audit: desired against actual")
    code = demo.run(["audit", spec, "--hide-in-sync"])
    for fmt in ("html", "json"):
        demo.run(["audit", spec, "--format", fmt, "--output", str(reports / f"audit.{fmt}")], tail=0)
    demo.verdict("audit", code == 0, "the tenant is in sync with the spec" if code == 0
                 else f"findings remain (exit {code})")

    demo.next("Test-send: a datacenter device relays through connector dc1-relay")
    code = demo.run(["test-send", spec, "dc1-relay", "--client-ip", CONNECTOR_DEVICE_IP,
                     "--to", "invoices@contoso.com", "--timeout", "60"])
    demo.verdict("connector relay", code == 0, "delivered and confirmed in message trace" if code == 0
                 else f"not confirmed (exit {code})")

    demo.next("Test-send: the floor-3 scanner with SMTP AUTH (its waiver expires 2027-03-31)")
    code = demo.run(["test-send", spec, LEGACY_SENDER[0], "--to", "purchasing@contoso.com", "--timeout", "60"],
                    extra_env={"RELAY_SMTP_PASSWORD": password})
    demo.verdict("legacy sender", code == 0, "delivered and confirmed in message trace" if code == 0
                 else f"not confirmed (exit {code})")


def run(args: argparse.Namespace) -> int:
    from o365relay.errors import UsageError
    from o365relay.sandbox.runner import start_sandbox

    if not Path(args.spec).is_file():
        raise UsageError(f"{args.spec} not found: run the demo from the project directory")
    shutil.rmtree(args.state_dir, ignore_errors=True)
    args.reports.mkdir(parents=True, exist_ok=True)
    print("o365-relay demo on the sandbox tenant (offline; no Microsoft tenant and no Pulumi CLI needed)")
    with start_sandbox(args.state_dir) as sandbox:
        print(f"sandbox: {sandbox.base_url} (Graph, Exchange admin, token) · SMTP submission "
              f"{sandbox.smtp_host}:{sandbox.smtp_port} · MX {sandbox.smtp_host}:{sandbox.mx_port}")
        print(f"tenant {sandbox.tenant_id} ({sandbox.initial_domain}), state in {args.state_dir}")
        demo = Demo(args, {**os.environ, **sandbox.env(), "PYTHONUNBUFFERED": "1"})
        _story(demo, args.spec, args.reports, sandbox.secret_for(LEGACY_SENDER[1]) or "")
    print("\n━━ Summary")
    for _, line in demo.results:
        print(f"  {line}")
    print(f"\nReports: {args.reports}/plan.md (the PR comment), {args.reports}/audit.html (for auditors), "
          f"{args.reports}/audit.json, {args.reports}/lint.sarif (code scanning)")
    print(f"Try more against your own sandbox: relayctl sandbox --state-dir {args.state_dir}")
    return 0 if all(line.startswith("✔") for _, line in demo.results) else 1
