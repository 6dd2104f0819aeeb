"""Bench: the real engine against the sandbox — `pulumi up` of the example spec and of a 500-grant
spec, and a no-change `pulumi preview` of the 500-grant spec.

With ``--exo-concurrency N`` the sandbox enforces Exchange's per-tenant concurrency limit (429 with
Retry-After past N requests in flight, see o365relay/sandbox/faults.py); each row then also counts
the 429s the providers met ("throttled") and the run must still end with no failed step.

For each run: wall time (the CLI process, start to exit), the sandbox's requests (count), the time
at least one request was being served ("tenant busy", the union of the requests' intervals from the
sandbox's request journal) and the rest ("engine and hosts": the CLI, the language host, the
program, the provider hosts and the plugins, and the client side of each call). The sandbox runs in
this process on the same 2 cores, so "tenant busy" also holds CPU the engine could not use meanwhile.

    .venv/bin/python bench/bench_engine.py [--grants 500] [--parallel 10] [--skip-example]

Needs the Pulumi CLI (`make toolchain`). The example spec needs the azuread provider plugin.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from o365relay.engine.cli import PulumiCli, Result, write_stack_config  # noqa: E402
from o365relay.engine.entra import without_entra  # noqa: E402
from o365relay.sandbox.faults import EXO_CONCURRENCY_STAT, FaultPlan  # noqa: E402
from o365relay.sandbox.runner import Sandbox, start_sandbox  # noqa: E402
from o365relay.sandbox.seed import DEFAULT_SEED  # noqa: E402

E2E_SPEC = ROOT / "tests" / "engine" / "relay.e2e.yaml"


def busy_seconds(entries: list[dict[str, Any]]) -> float:
    """The length of the union of the requests' [start, end] intervals."""
    total, reach = 0.0, float("-inf")
    for start, end in sorted((e["start"], e["end"]) for e in entries):
        if end > reach:
            total += end - max(start, reach)
            reach = end
    return total


def shared(i: int) -> str:
    return f"shared{i:03d}@contoso.com"


def write_grants_case(workdir: Path, grants: int) -> tuple[Path, Path]:
    """A seed with ``grants`` shared mailboxes and the e2e spec granting Send As on each."""
    seed = workdir / "seed.yaml"
    seed.write_text(yaml.safe_dump({"extends": str(DEFAULT_SEED),
                                    "users": {shared(i): {"displayName": f"Shared {i}"} for i in range(grants)}}))
    spec = yaml.safe_load(E2E_SPEC.read_text(encoding="utf-8"))
    spec["sendAs"] = [{"trustee": "erp-legacy", "mailbox": shared(i)} for i in range(grants)]
    path = workdir / "relay.grants.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return seed, path


def stack_for(sandbox: Sandbox, workdir: Path, spec: Path) -> PulumiCli:
    config_file = write_stack_config(ROOT, workdir / "Pulumi.sandbox.yaml", spec)
    pulumi = PulumiCli(ROOT, backend_dir=workdir / "state", config_file=config_file,
                       env={**sandbox.env(), **sandbox.azuread_env()}, timeout=3600)
    pulumi.ensure_stack()
    return pulumi


def measured(name: str, sandbox: Sandbox, run: Any) -> dict[str, Any]:
    sandbox.ctx.requests.clear()
    plan = sandbox.ctx.faults.plan
    before = plan.stats[EXO_CONCURRENCY_STAT] if plan else 0
    result: Result = run()
    entries = sandbox.ctx.requests.entries()
    busy = busy_seconds(entries)
    row = {"case": name, "ok": result.ok, "wallSeconds": round(result.seconds, 2), "requests": len(entries),
           "tenantBusySeconds": round(busy, 2), "engineAndHostsSeconds": round(result.seconds - busy, 2)}
    if plan is not None:
        row["throttled"] = plan.stats[EXO_CONCURRENCY_STAT] - before
    print(json.dumps(row), flush=True)
    if not result.ok:
        print(result.stderr[-3000:] or result.stdout[-3000:], file=sys.stderr)
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--grants", type=int, default=500)
    parser.add_argument("--parallel", type=int, default=10, help="pulumi up --parallel (default 10)")
    parser.add_argument("--skip-example", action="store_true", help="only the grants cases")
    parser.add_argument("--exo-concurrency", type=int, default=0, metavar="N",
                        help="sandbox: Exchange requests one tenant may have in flight (default: no limit)")
    args = parser.parse_args()
    faults = FaultPlan(exo_concurrency=args.exo_concurrency) if args.exo_concurrency else None
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-engine-") as tmp:
        if not args.skip_example:
            work = Path(tmp) / "example"
            work.mkdir()
            spec = work / "relay.prod.yaml"
            shutil.copy(ROOT / "relay.prod.yaml", spec)
            shutil.copytree(ROOT / "certs", work / "certs")
            with start_sandbox(work / "tenant", dns_team=True, faults=faults) as sandbox:
                pulumi = stack_for(sandbox, work, spec)
                name = "up example spec"
                if not pulumi.has_plugin("azuread"):  # say so rather than pretend
                    document, dropped = without_entra(yaml.safe_load(spec.read_text(encoding="utf-8")))
                    spec.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
                    name += f" without {', '.join(dropped)} (no azuread plugin)"
                rows.append(measured(name, sandbox, lambda: pulumi.up(parallel=args.parallel, check=False)))
        work = Path(tmp) / "grants"
        work.mkdir()
        t0 = time.monotonic()
        seed, spec = write_grants_case(work, args.grants)
        with start_sandbox(work / "tenant", seed=seed, dns_team=True, faults=faults) as sandbox:
            print(f"seeded {args.grants} mailboxes in {time.monotonic() - t0:.1f}s", flush=True)
            pulumi = stack_for(sandbox, work, spec)
            limit = f", exo-concurrency {args.exo_concurrency}" if args.exo_concurrency else ""
            rows.append(measured(f"up {args.grants} grants, --parallel {args.parallel}{limit}", sandbox,
                                 lambda: pulumi.up(parallel=args.parallel, check=False)))
            rows.append(measured(f"preview {args.grants} grants, no change", sandbox,
                                 lambda: pulumi.run("preview", "--expect-no-changes", check=False)))
    print(json.dumps(rows, indent=1))
    return 0 if all(r["ok"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
