"""``python -m components.offline``: the demo's apply, run as a subprocess against the sandbox.

The first run creates every resource of the example spec (and the tenant then holds them); the
second run, on the state the first saved, has nothing to do; an endpoint off loopback is refused
before anything is read or sent.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from o365relay.sandbox.runner import Sandbox
from o365relay.tenant.exchange import ExchangeClient
from o365relay.tenant.sync import run_sync

pytestmark = pytest.mark.slow

PROJECT_ROOT = Path(__file__).resolve().parents[2]
KINDS = ("create", "update", "replace", "delete", "same")


def offline(state: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "components.offline", "--spec", "relay.prod.yaml",
                           "--state", str(state)], cwd=PROJECT_ROOT, env={**os.environ, **(env or {})},
                          capture_output=True, text=True, timeout=240, check=False)


def counts(stdout: str) -> dict[str, list[str]]:
    """The per-kind lines: ``create   30: a, b, ...`` -> {"create": [a, b, ...]}."""
    out: dict[str, list[str]] = {}
    for line in stdout.splitlines()[:len(KINDS)]:
        kind, _, rest = line.partition(" ")
        number, _, names = rest.strip().partition(": ")
        out[kind] = names.split(", ") if names else []
        assert len(out[kind]) == int(number), line
    return out


def connectors(sandbox: Sandbox) -> dict[str, list[str]]:
    async def go() -> list[dict[str, Any]]:
        async with ExchangeClient(sandbox.endpoints()) as exo:
            return list(await exo.invoke("Get-InboundConnector", {}, idempotent=True))

    return {str(c["Name"]): sorted(c["SenderIPAddresses"]) for c in run_sync(go())}


def test_apply_then_nothing_to_do(sandbox_env: Sandbox, tmp_path: Path) -> None:
    state = tmp_path / "applied-state.json"
    assert connectors(sandbox_env) == {}

    first = offline(state)
    assert first.returncode == 0, first.stderr
    ops = counts(first.stdout)
    assert list(ops) == list(KINDS)
    assert {k for k, names in ops.items() if names} == {"create"}
    assert {"dc1-relay-connector", "erp-mailer-app", "contoso.com-dkim-signing",
            "monitoring-alerts-fullaccess"} <= set(ops["create"])
    assert first.stdout.splitlines()[-1].startswith("applied relay.prod.yaml to sandbox tenant ")
    assert connectors(sandbox_env) == {"dc1-relay": ["198.51.100.25", "203.0.113.0/28"]}
    saved = json.loads(state.read_text())
    assert len(saved["resources"]) == len(ops["create"])
    assert sandbox_env.deployer_client_secret not in state.read_text()

    second = offline(state)
    assert second.returncode == 0, second.stderr
    again = counts(second.stdout)
    assert {k for k, names in again.items() if names} == {"same"}
    assert sorted(again["same"]) == sorted(ops["create"])
    assert second.stdout.splitlines()[-1].startswith("no changes: relay.prod.yaml matches sandbox tenant")


def test_refuses_an_endpoint_off_loopback(sandbox_env: Sandbox, tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    done = offline(state, {"RELAY_GRAPH_BASE": "https://graph.microsoft.com/v1.0"})
    assert done.returncode == 2
    assert "refusing to apply" in done.stderr and "RELAY_GRAPH_BASE" in done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == "" and not state.exists()
