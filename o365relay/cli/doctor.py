"""``relayctl doctor``: check the configured identity's tokens, permissions and roles, with fixes."""

from __future__ import annotations

import argparse
import json
import sys

DESCRIPTION = """Check, for the tenant and identity in the environment (AZURE_TENANT_ID, AZURE_CLIENT_ID and a
credential; RELAY_* endpoint overrides), whether o365-relay can get tokens for Graph and Exchange, which
of the permissions and roles it needs are held, and for each gap the exact fix.
Permissions held beyond what it needs are warnings (WARN), with the narrower one to grant instead.
Exit 0 when everything needed is held, 1 when something is missing, 3 when no token can be had or
a check could not run (the tenant failed)."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--for", dest="purpose", choices=["deploy", "audit", "all"], default="all",
                        help="check what `pulumi up` needs (deploy), what audit/test-send/usage need, or both")
    parser.add_argument("--format", choices=["text", "json"], default="text")


def run(args: argparse.Namespace) -> int:
    from o365relay.doctor import run_diagnosis
    from o365relay.doctor_grants import Purpose
    from o365relay.tenant.settings import Endpoints

    purposes: tuple[Purpose, ...] = ("deploy", "audit") if args.purpose == "all" else (args.purpose,)
    checks = run_diagnosis(Endpoints.from_env(), purposes)
    if args.format == "json":
        json.dump([c.__dict__ for c in checks], sys.stdout, indent=2)
        print()
    else:
        marks = {"ok": "ok     ", "missing": "MISSING", "failed": "FAILED ", "excess": "WARN   "}
        for check in checks:
            print(f"{marks[check.status]} {check.name}: {check.detail}")
            if check.fix:
                print(f"        fix: {check.fix}")
    if any(c.status == "failed" and c.name.endswith("token") for c in checks):
        return 3
    if any(c.status == "missing" for c in checks):
        return 1
    return 3 if any(c.status == "failed" for c in checks) else 0  # a check that could not run is no verdict
