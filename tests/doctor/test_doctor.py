"""`relayctl doctor` against the sandbox: what the seeded deployer holds, and the fix for what it lacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from o365relay.doctor_grants import directory_role_checks, permission_checks
from o365relay.sandbox import store as st
from o365relay.sandbox.runner import Sandbox
from o365relay.sandbox.seed import SEEDS_DIR

ROOT = Path(__file__).resolve().parents[2]
GLOBAL_ADMINISTRATOR = "62e90394-69f5-4237-9190-012177145e10"  # Entra role template ids
GLOBAL_READER = "f2ef992c-3afb-46b9-b7cf-a126ee74c451"


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


def test_an_overprivileged_deployer_is_warned_with_the_exact_narrower_grant(
        sandbox_factory: Callable[..., Sandbox]) -> None:
    """Global Administrator (read from the token's wids claim) and app roles broader than needed: each is a
    WARN naming what suffices; a warning does not fail the run."""
    sandbox = sandbox_factory(seed=SEEDS_DIR / "overprivileged.yaml")
    result = doctor(sandbox, "--for", "deploy", "--format", "json")
    assert result.returncode == 0, result.stdout + result.stderr
    checks = {c["name"]: c for c in json.loads(result.stdout)}
    warned = {name for name, c in checks.items() if c["status"] == "excess"}
    assert warned == {"Entra role Global Administrator", "Graph Directory.ReadWrite.All", "Graph Mail.Send",
                      "Exchange full_access_as_app"}
    admin = checks["Entra role Global Administrator"]
    assert "Exchange Administrator suffices" in admin["detail"]
    sp = sandbox.store.find(st.SERVICE_PRINCIPAL, appId=sandbox.deployer_client_id)
    # it already holds Exchange Administrator: the fix is to remove Global Administrator, for this principal
    assert admin["fix"].startswith("remove the role: Get-MgRoleManagementDirectoryRoleAssignment")
    assert f"principalId eq '{sp['id']}'" in admin["fix"] and GLOBAL_ADMINISTRATOR in admin["fix"]
    assert "User.ReadWrite.All, and only if the spec creates mailbox users" in (
        checks["Graph Directory.ReadWrite.All"]["detail"])
    assert "directory roles in its token: Exchange Administrator, Global Administrator" in (
        checks["Exchange role"]["detail"])


def test_a_reader_holding_the_deployers_grants_is_told_to_drop_them(sandbox: Sandbox) -> None:
    """`--for audit`: Exchange Administrator and the deployer's write permissions are more than reading needs."""
    result = doctor(sandbox, "--for", "audit", "--format", "json")
    assert result.returncode == 0, result.stdout + result.stderr
    checks = {c["name"]: c for c in json.loads(result.stdout)}
    role = checks["Entra role Exchange Administrator"]
    assert role["status"] == "excess" and "Global Reader suffices" in role["detail"]
    assert f"-RoleDefinitionId {GLOBAL_READER} -DirectoryScopeId /" in role["fix"]
    for write in ("AppRoleAssignment.ReadWrite.All", "User.ReadWrite.All"):
        assert checks[f"Graph {write}"]["status"] == "excess"
    assert checks["Graph Application.ReadWrite.All"]["status"] == "excess"


def test_the_default_service_principal_entry_of_wids_is_no_role() -> None:
    assert directory_role_checks({"0997a1d0-0d1d-4acb-b408-d5ca73121e90"}, ("deploy", "audit"), "sp") == []


def test_a_permission_nothing_needs_says_so_plainly() -> None:
    [check] = [c for c in permission_checks({"Mail.Send"}, ("deploy",)) if c.status == "excess"]
    assert check.detail == ("held, but o365-relay needs none of it: senders use SMTP with their own "
                            "SMTP.SendAsApp, not Graph mail")
    assert check.fix == "remove Mail.Send from the app's API permissions"
