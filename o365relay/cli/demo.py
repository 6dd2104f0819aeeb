"""``relayctl demo``: the whole story on the embedded default, the sandbox tenant.

Each step runs the real command a platform engineer would type (``relayctl ...``, ``pulumi up``), as
a subprocess with the sandbox's environment, and the demo prints the command, its output and its
verdict. The stack is ``sandbox`` (``Pulumi.sandbox.yaml``); its state lives beside the demo's
sandbox tenant (``--state-dir``), so both start fresh together.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from o365relay.engine.cli import PulumiCli

DESCRIPTION = """Start the sandbox tenant seeded with Contoso's mailboxes and domains, then validate and lint the spec,
show the engine's Markdown plan (`pulumi preview` with the policy pack), apply it with `pulumi up`, audit
the tenant against it, publish the stack's DNS records in the sandbox's DNS as a DNS team would and check
them with `relayctl dns`, and send test messages the way a datacenter device and the floor-3 scanner would,
confirming each in message trace (and charting them in reports/usage.html). Needs the Pulumi CLI (yours,
or `make toolchain`). Reports go to --reports (default reports/). Run it from the project directory."""

CONNECTOR_DEVICE_IP = "203.0.113.5"  # inside dc1-relay's 203.0.113.0/28: the datacenter's NAT egress
LEGACY_SENDER = ("scanner-floor3", "scanner3@contoso.com")
PLAN_LINES = 30  # of the Markdown plan shown on the terminal; the file has all of it


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--spec", default="relay.prod.yaml", help="the spec to run (default relay.prod.yaml)")
    parser.add_argument("--reports", type=Path, default=Path("reports"), help="where reports are written")
    parser.add_argument("--state-dir", type=Path, default=Path(".sandbox/demo"),
                        help="the sandbox's and the stack's state (wiped at the start of each demo)")


class Demo:
    TOTAL = 8

    def __init__(self, args: argparse.Namespace, env: dict[str, str], pulumi: PulumiCli):
        self.args = args
        self.env = env
        self.pulumi = pulumi
        self.step = 0
        self.results: list[tuple[str, str]] = []

    def next(self, title: str) -> None:
        self.step += 1
        print(f"\n━━ {self.step}/{self.TOTAL} {title}")

    def run(self, argv: list[str], *, shown: str | None = None, extra_env: dict[str, str] | None = None,
            tail: int = 40, stdin: str | None = None) -> int:
        """Run a relayctl command as a user would, print it and the last ``tail`` lines of its output."""
        print(f"$ {shown or 'relayctl ' + ' '.join(argv)}")
        done = subprocess.run([sys.executable, "-m", "o365relay.cli.main", *argv],
                              env={**self.env, **(extra_env or {})}, input=stdin,
                              capture_output=True, text=True, check=False, timeout=1800)
        self.show(done.stdout + done.stderr, tail)
        return done.returncode

    @staticmethod
    def show(output: str, tail: int) -> None:
        lines = output.rstrip().splitlines()
        if len(lines) > tail:
            print(f"  … ({len(lines) - tail} lines above)")
        for line in lines[-tail:]:
            print(f"  {line}")

    def verdict(self, what: str, ok: bool, detail: str) -> None:
        mark = "✔" if ok else "✘"
        print(f"{mark} {detail}")
        self.results.append((what, f"{mark} {detail}"))


def _story(demo: Demo, reviewed: str, spec: str, reports: Path, password: str) -> None:
    """The steps; ``reviewed`` is the spec a reviewer reads, ``spec`` the one applied (the same, unless
    the engine lacks the azuread plugin)."""
    demo.next("Validate the spec")
    code = demo.run(["validate", reviewed])
    demo.verdict("validate", code == 0, f"{reviewed} is valid" if code == 0
                 else f"{reviewed} is invalid (exit {code})")

    demo.next("Lint it against the policy rules (SARIF for code scanning)")
    code = demo.run(["lint", reviewed, "--enforcement", "mandatory"])
    demo.run(["lint", reviewed, "--format", "sarif", "--output", str(reports / "lint.sarif")], tail=0)
    demo.verdict("lint", code == 0, "no mandatory finding (waived findings listed above)" if code == 0
                 else f"mandatory findings (exit {code})")

    demo.next("Plan: what `pulumi up` would change in the sandbox tenant, and its drift")
    code = demo.run(["plan", spec, "--stack", "sandbox", "--config-file", str(demo.pulumi.config_file),
                     "--output", str(reports / "plan.md")], extra_env=dict(demo.pulumi.env))
    plan = (reports / "plan.md").read_text(encoding="utf-8").rstrip().splitlines() if code in (0, 1) else []
    print("\n".join(f"  {line}" for line in plan[:PLAN_LINES]))
    if len(plan) > PLAN_LINES:
        print(f"  … {len(plan) - PLAN_LINES} more lines in {reports / 'plan.md'}")
    demo.verdict("plan", code == 0, f"plan written to {reports / 'plan.md'}" if code == 0
                 else f"the plan failed or a mandatory policy finding blocks it (exit {code})")

    demo.next("Apply to the sandbox tenant with the Pulumi engine")
    print(f"$ pulumi up --yes --stack sandbox   ({demo.pulumi.executable})")
    done = demo.pulumi.up("--suppress-outputs", check=False)
    demo.show(done.stdout + done.stderr, 12)
    demo.verdict("apply", done.ok, f"`pulumi up` converged in {done.seconds:.1f}s" if done.ok
                 else f"`pulumi up` failed (exit {done.returncode})")

    demo.next("Audit: desired against actual")
    code = demo.run(["audit", spec, "--hide-in-sync"])
    for fmt in ("html", "json"):
        demo.run(["audit", spec, "--format", fmt, "--output", str(reports / f"audit.{fmt}")], tail=0)
    demo.verdict("audit", code == 0, "the tenant is in sync with the spec" if code == 0
                 else f"findings remain (exit {code})")

    demo.next("DNS: the DNS team publishes the stack's records; relayctl dns checks them")
    tenant = demo.args.state_dir / "tenant"
    zone_files = demo.pulumi.run("stack", "output", "zoneFiles", "--json", check=False)
    code = demo.run(["sandbox", "publish", "-", "--state-dir", str(tenant)], stdin=zone_files.stdout, tail=3,
                    shown=f"pulumi stack output zoneFiles --json | relayctl sandbox publish - --state-dir {tenant}")
    if code == 0:
        code = demo.run(["dns", spec])
    demo.verdict("dns", code == 0, "SPF, DKIM, DMARC and MX check out on the sandbox's DNS server" if code == 0
                 else f"DNS findings (exit {code})")

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
    # the volume picture of what the steps above sent, per sender against the limits (exit 1 = flags, still written)
    demo.run(["usage", spec, "--format", "html", "--output", str(reports / "usage.html")], tail=0)


def _applied_spec(spec: Path, state_dir: Path, pulumi: PulumiCli) -> Path:
    """The spec itself, or, when the engine has no azuread plugin, the spec without its OAuth senders
    (Entra objects), saying so: nothing stands in for the missing provider."""
    import yaml

    from o365relay.engine.entra import without_entra

    if pulumi.has_plugin("azuread"):
        return spec
    document, dropped = without_entra(yaml.safe_load(spec.read_text(encoding="utf-8")))
    if not dropped:
        return spec
    partial = state_dir / f"{spec.stem}.without-entra.yaml"
    partial.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    print(f"⚠ the azuread provider plugin is not installed (`make toolchain` lists what it could not build in "
          f".pulumi-toolchain/unavailable): the OAuth senders {', '.join(dropped)} are left out of this run, "
          f"which applies {partial}")
    return partial


def run(args: argparse.Namespace) -> int:
    from o365relay.cli.sandbox import ENV_FILE, exports, sandbox_runner
    from o365relay.engine.cli import PulumiCli, write_stack_config
    from o365relay.errors import UsageError
    from o365relay.fileio import write_text

    start_sandbox = sandbox_runner().start_sandbox

    if not Path(args.spec).is_file():
        raise UsageError(f"{args.spec} not found: run the demo from the project directory")
    shutil.rmtree(args.state_dir, ignore_errors=True)
    args.reports.mkdir(parents=True, exist_ok=True)
    backend = (args.state_dir / "pulumi-state").resolve()
    backend.mkdir(parents=True)
    print("o365-relay demo on the sandbox tenant (offline; no Microsoft tenant needed)")
    # the DNS team publishes DKIM selector CNAMEs as the tenant makes them, so one `pulumi up` can
    # switch DKIM signing on (with a real DNS team it takes a second run after they publish)
    with start_sandbox(args.state_dir / "tenant", dns_team=True) as sandbox:
        env = {**os.environ, **sandbox.env(), "PYTHONUNBUFFERED": "1", "PULUMI_BACKEND_URL": backend.as_uri()}
        # the azuread provider's custom-cloud settings go to the commands that run the engine only
        pulumi = PulumiCli(Path.cwd(), env={**env, **sandbox.azuread_env()})
        print(f"sandbox: {sandbox.base_url} (Graph, Exchange admin, token) · SMTP submission "
              f"{sandbox.smtp_host}:{sandbox.smtp_port} · MX {sandbox.smtp_host}:{sandbox.mx_port}")
        print(f"tenant {sandbox.tenant_id} ({sandbox.initial_domain}), state in {args.state_dir}")
        print(f"Pulumi CLI: {pulumi.executable}; stack sandbox, backend {backend.as_uri()}")
        spec = _applied_spec(Path(args.spec), args.state_dir, pulumi)
        pulumi.config_file = write_stack_config(Path.cwd(), args.state_dir / "Pulumi.sandbox.yaml", spec)
        pulumi.ensure_stack()
        demo = Demo(args, env, pulumi)
        env_file = sandbox.state_dir / ENV_FILE  # where `relayctl sandbox publish` finds this sandbox
        write_text(env_file, exports(sandbox.env()), private=True)
        try:
            _story(demo, args.spec, str(spec), args.reports, sandbox.secret_for(LEGACY_SENDER[1]) or "")
        finally:
            env_file.unlink(missing_ok=True)
    print("\n━━ Summary")
    for _, line in demo.results:
        print(f"  {line}")
    print(f"\nReports: {args.reports}/plan.md (the PR comment), {args.reports}/audit.html (for auditors), "
          f"{args.reports}/audit.json, {args.reports}/usage.html (volume per sender), "
          f"{args.reports}/lint.sarif (code scanning)")
    print(f"Try more against your own sandbox: relayctl sandbox --state-dir {args.state_dir / 'tenant'}")
    return 0 if all(line.startswith("✔") for _, line in demo.results) else 1
