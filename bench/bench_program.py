"""Mock-render the Pulumi program for a spec with 5,000 Send As grants, as a ratio to registering the
same number of bare custom resources (target: at most 1.5x).

Both runs use Pulumi's own mock runtime (``pulumi.runtime.set_mocks``), so the ratio isolates what
the program adds per grant: the spec model, the component tree and the dynamic provider's pickle.

Two baselines, because the SDK treats them differently: a resource *class* (as every provider SDK
resource is, e.g. ``azuread.User``) makes the SDK capture its caller's stack trace at registration;
``pulumi.CustomResource`` called directly skips that (its stack holds no third ``__init__``), which
no real program does. The first baseline is the target's reference; both are printed.

    .venv/bin/python bench/bench_program.py [--grants 5000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import pulumi

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "components"))

import pulumi_mocks as pm  # noqa: E402

from components.stack import RelayStack  # noqa: E402
from o365relay.spec.loader import spec_from_document  # noqa: E402


class Bare(pulumi.CustomResource):
    """The least a resource class can be."""

    def __init__(self, name: str, props: dict[str, Any]) -> None:
        super().__init__("bench:index:Bare", name, props)


def big_spec(grants: int) -> Any:
    doc = {
        "version": 1,
        "tenant": {"id": "7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a", "initialDomain": "contoso.onmicrosoft.com"},
        "domains": {"contoso.com": {"dmarc": {"policy": "reject"}}},
        "connectors": {"dc1-relay": {"senderIPs": ["203.0.113.0/28"]}},
        "serviceAccounts": {"bulk-mailer": {
            "kind": "application", "mailbox": "bulk@contoso.com",
            "credential": {"type": "federated", "issuer": "https://token.actions.githubusercontent.com",
                           "subject": "repo:contoso/bulk:environment:prod"}}},
        "sendAs": [{"trustee": "bulk-mailer", "mailbox": f"shared{i:05d}@contoso.com"} for i in range(grants)],
    }
    return spec_from_document(doc, "<bench>")


def timed(program: Any) -> float:
    asyncio.set_event_loop(asyncio.new_event_loop())
    pulumi.runtime.settings.ROOT.set(None)
    pulumi.runtime.set_mocks(pm.TenantMocks(), project=pm.PROJECT, stack=pm.STACK, preview=False)

    @pulumi.runtime.test
    def run() -> None:
        program()

    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grants", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    spec = big_spec(args.grants)

    def relay() -> None:
        RelayStack("relay", spec, ROOT)

    def bare_class() -> None:
        for i, grant in enumerate(spec.send_as):
            Bare(f"bare-{i}", {"mailbox": grant.mailbox, "trustee": "x", "service_account": grant.trustee})

    def bare_direct() -> None:
        for i, grant in enumerate(spec.send_as):
            pulumi.CustomResource("bench:index:Bare", f"bare-{i}",
                                  {"mailbox": grant.mailbox, "trustee": "x", "service_account": grant.trustee})

    results = {}
    for label, program in (("program (RelayStack)", relay), ("bare resource class", bare_class),
                           ("bare CustomResource", bare_direct)):
        runs = [timed(program) for _ in range(args.repeat)]
        results[label] = statistics.median(runs)
        print(f"{label:22} median {results[label]:.2f} s  runs {[round(t, 2) for t in runs]}")
    p = results["program (RelayStack)"]
    print(f"grants: {args.grants}")
    print(f"ratio to a bare resource class: {p / results['bare resource class']:.2f}x (target <= 1.5x)")
    print(f"ratio to bare CustomResource calls: {p / results['bare CustomResource']:.2f}x")


if __name__ == "__main__":
    main()
