"""Time ``load_spec`` on a large generated spec against bare ``yaml.safe_load`` + jsonschema.

The generated spec has 500 service accounts and 5,000 send-as grants. Both paths run in the same
process on the same file; the best of several runs is kept. Targets: load_spec <= 2x the baseline
and under 1 s. Exit status 1 when a target is missed, so CI can run it as a check.

    .venv/bin/python bench/bench_validate.py [--accounts 500] [--grants 5000] [--runs 5]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yaml
from jsonschema import Draft202012Validator

from o365relay.spec.loader import load_spec
from o365relay.spec.schema import load_schema

HEADER = """\
version: 1
tenant:
  id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a
  initialDomain: contoso.onmicrosoft.com
domains:
  contoso.com:
    dmarc: {policy: reject, rua: [mailto:dmarc@contoso.com]}
  notify.contoso.com: {}
connectors:
  dc1-relay:
    senderIPs: [203.0.113.0/28, 198.51.100.25]
"""


def generate(accounts: int, grants: int) -> str:
    """A valid spec of the given size, written the way people write specs (block style)."""
    lines = [HEADER, "serviceAccounts:"]
    for i in range(accounts):
        lines += [f"  app-{i:04d}:", "    kind: application", f"    mailbox: app{i}@contoso.com",
                  f"    description: generated sender {i}", "    credential:", "      type: federated",
                  "      issuer: https://token.actions.githubusercontent.com",
                  f"      subject: repo:contoso/app{i}:environment:prod"]
    lines.append("sendAs:")
    for j in range(grants):
        lines.append(f"  - {{trustee: app-{j % accounts:04d}, mailbox: shared{j}@notify.contoso.com}}")
    return "\n".join(lines) + "\n"


def best(runs: int, job: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        job()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--accounts", type=int, default=500)
    parser.add_argument("--grants", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "relay.big.yaml"
        path.write_text(generate(args.accounts, args.grants), encoding="utf-8")
        validator = Draft202012Validator(load_schema())

        def baseline() -> None:
            errors = list(validator.iter_errors(yaml.safe_load(path.read_text(encoding="utf-8"))))
            assert not errors, errors[0]

        load_spec(path)  # warm the cached schema and validator, as a long-running process would
        ours, theirs = best(args.runs, lambda: load_spec(path)), best(args.runs, baseline)
        size = path.stat().st_size
    ratio = ours / theirs
    print(f"spec: {args.accounts} service accounts, {args.grants} send-as grants, {size:,} bytes")
    print(f"load_spec:                   {ours * 1000:8.1f} ms")
    print(f"yaml.safe_load + jsonschema: {theirs * 1000:8.1f} ms")
    print(f"ratio: {ratio:.2f}x (target <= 2x); load_spec under 1 s: {'yes' if ours < 1 else 'NO'}")
    return 0 if ratio <= 2 and ours < 1 else 1


if __name__ == "__main__":
    sys.exit(main())
