"""`relayctl doctor` against the sandbox: what the seeded deployer holds, and the fix for what it lacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from o365relay.doctor import permission_checks
from o365relay.sandbox.runner import Sandbox
from o365relay.sandbox.seed import SEEDS_DIR

ROOT = Path(__file__).resolve().parents[2]


def doctor(sandbox: Sandbox, *args: str, **env_overrides: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **sandbox.env(), **env_overrides}
    return subprocess.run([sys.executable, "-m", "o365relay.cli.main", "doctor", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120, check=False)


def test_the_seeded_deployer_holds_everything(sandbox: Sandbox) -> None:
    result = doctor(sandbox, "--format", "json")
    checks = {c["name"]: c for c in json.loads(result.stdout)}
    assert result.returncode == 0, result.stdout + result.stderr
    assert checks["Exchange role"]["status"] == "ok"
    assert checks["Exchange.ManageAsApp"]["status"] == "ok"
    assert checks["message-trace service principal"]["status"] == "ok"
    assert checks["Graph AppRoleAssignment.ReadWrite.All"]["status"] == "ok"
    assert sandbox.deployer_client_secret not in result.stdout + result.stderr


def test_a_missing_exchange_role_is_reported_with_its_fix(sandbox_factory: Callable[..., Sandbox]) -> None:
    sandbox = sandbox_factory(seed=SEEDS_DIR / "no-exchange-role.yaml")
    result = doctor(sandbox)
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    role = next(i for i, line in enumerate(lines) if line.startswith("MISSING Exchange role"))
    assert "assign the Entra role Exchange Administrator" in lines[role + 1]


def test_a_refused_credential_exits_3_without_printing_the_secret(sandbox: Sandbox) -> None:
    result = doctor(sandbox, AZURE_CLIENT_SECRET="canary-not-the-secret-0123456789")
    assert result.returncode == 3, result.stdout + result.stderr
    assert "FAILED  Graph token" in result.stdout
    assert "canary-not-the-secret-0123456789" not in result.stdout + result.stderr


def test_permission_checks_accept_a_broader_permission_and_name_the_fix() -> None:
    checks = {c.name: c for c in permission_checks({"Application.ReadWrite.All"}, ("deploy",))}
    assert checks["Graph Application.ReadWrite.OwnedBy"].status == "ok"
    missing = checks["Graph AppRoleAssignment.ReadWrite.All"]
    assert missing.status == "missing"
    assert "AppRoleAssignment.ReadWrite.All on Microsoft Graph" in missing.fix
    assert "Graph ExchangeMessageTrace.Read.All" not in checks  # an audit-only permission


def test_deploying_needs_application_read_all_to_grant_send_as_app() -> None:
    checks = {c.name: c for c in permission_checks({"Application.ReadWrite.OwnedBy", "AppRoleAssignment.ReadWrite.All",
                                                    "User.ReadWrite.All", "Domain.Read.All"}, ("deploy",))}
    assert checks["Graph Application.Read.All"].status == "missing"
    assert "SMTP.SendAsApp" in checks["Graph Application.Read.All"].detail


def test_broader_permissions_are_warned_about_with_the_narrower_one(sandbox: Sandbox) -> None:
    result = doctor(sandbox)
    assert result.returncode == 0, result.stdout + result.stderr  # a warning does not fail the run
    [line] = [x for x in result.stdout.splitlines() if x.startswith("WARN")]
    assert "Graph Application.ReadWrite.All" in line and "Application.ReadWrite.OwnedBy" in line
