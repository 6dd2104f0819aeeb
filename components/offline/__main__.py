"""``python -m components.offline --spec relay.prod.yaml --state FILE``: apply a spec to the SANDBOX.

Run from the project root with the sandbox's environment (AZURE_*, RELAY_* as ``Sandbox.env()``
gives them; ``relayctl demo`` does this). The program is rendered with the stack config, each
resource is applied through Pulumi's dynamic-provider host, and the state is kept in --state so the
next run converges and a changed spec applies only the difference. Prints one line per operation
kind (count and names) and a summary. Exit codes: 0 applied, 2 bad input or not a loopback sandbox,
3 the tenant failed.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from pathlib import Path

from components.offline.walk import OPERATIONS, Walk
from o365relay.errors import RelayError, SpecError, UsageError


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m components.offline",
        description="Apply a relay spec to the loopback SANDBOX tenant without the Pulumi CLI (Entra objects "
                    "are simulated through the sandbox's Graph). Never targets a real tenant.")
    parser.add_argument("--spec", required=True, type=Path, help="the relay spec (e.g. relay.prod.yaml)")
    parser.add_argument("--state", required=True, type=Path,
                        help="JSON state of the previous run (created if missing, rewritten after each run)")
    return parser.parse_args(argv)


def load_state(path: Path, tenant_id: str) -> Walk:
    """The previous run's Walk, or an empty one."""
    if not path.exists():
        return Walk()
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise UsageError(f"--state {path}: cannot read it as JSON ({error})") from None
    return Walk.from_document(doc, tenant_id, str(path))


def save_state(path: Path, walk: Walk, tenant_id: str) -> None:
    """Write atomically, readable by this user only (it names every object of the tenant)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(walk.to_document(tenant_id), handle, indent=1, sort_keys=True)
    os.replace(tmp, path)


def report(operations: list[tuple[str, str]]) -> list[str]:
    """One line per operation kind, in the engine's order: ``create   3: a, b, c``."""
    lines = []
    for kind in OPERATIONS:
        names = [name for op, name in operations if op == kind]
        lines.append(f"{kind:<8}{len(names):>3}{': ' + ', '.join(names) if names else ''}")
    return lines


def summary(operations: list[tuple[str, str]], spec: Path, tenant_id: str, seconds: float) -> str:
    counts = {kind: sum(1 for op, _ in operations if op == kind)
              for kind in OPERATIONS}
    changed = len(operations) - counts["same"]
    if not changed:
        return (f"no changes: {spec} matches sandbox tenant {tenant_id} ({counts['same']} unchanged) "
                f"in {seconds:.1f}s")
    return (f"applied {spec} to sandbox tenant {tenant_id} in {seconds:.1f}s: {changed} changes "
            f"({counts['create']} created, {counts['update']} updated, {counts['replace']} replaced, "
            f"{counts['delete']} deleted), {counts['same']} unchanged")


def run(args: argparse.Namespace) -> int:
    import httpx

    from components import program
    from components.offline.dns import CnameServer
    from components.offline.host import DynamicHost
    from components.offline.sandbox import DnsTeam, EntraGraph, confirm_sandbox, sandbox_endpoints
    from components.offline.walk import apply
    from o365relay.spec.loader import load_spec

    started = time.monotonic()
    endpoints = sandbox_endpoints(dict(os.environ))  # refuse before reading anything else
    spec = load_spec(args.spec)
    tenant_id = spec.tenant.id
    if tenant_id.lower() != endpoints.tenant_id.lower():
        raise UsageError(f"{args.spec} declares tenant {tenant_id}, but the sandbox is tenant "
                         f"{endpoints.tenant_id}: start the sandbox with a seed for that tenant")
    previous = load_state(args.state, tenant_id)
    config = {"o365-relay:spec": str(args.spec), "o365-relay:tenantId": tenant_id}
    graph = EntraGraph(endpoints)
    with httpx.Client(verify=endpoints.ssl_context(), timeout=30) as client, CnameServer() as dns_server:
        confirm_sandbox(client, endpoints)
        host_config = {**config, "o365-relay:nameserver": dns_server.address}
        try:
            with DynamicHost(config=host_config) as host:
                walk = apply(program.run, config, host, graph, previous,
                             before=DnsTeam(client, endpoints, dns_server),
                             save=lambda state: save_state(args.state, state, tenant_id))
        finally:
            graph.close()
    for line in report(walk.operations):
        print(line)
    print(summary(walk.operations, args.spec, tenant_id, time.monotonic() - started))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Clean messages and exit codes, never a traceback (SpecError lists every problem)."""
    import pulumi

    # azure-identity logs each refused token request; the error below already says why, once.
    logging.getLogger("azure.identity").setLevel(logging.CRITICAL)
    args = parse_args(argv)
    try:
        return run(args)
    except SpecError as err:
        for problem in err.problems:
            print(problem, file=sys.stderr)
        print(f"error: {err}: fix it and run again (relayctl validate shows the same)", file=sys.stderr)
        return err.exit_code
    except RelayError as err:
        print(f"error: {err}", file=sys.stderr)
        return err.exit_code
    except pulumi.RunError as err:  # the program refused its config; it has logged why
        print(f"error: {err}", file=sys.stderr)
        return UsageError.exit_code


if __name__ == "__main__":
    sys.exit(main())
