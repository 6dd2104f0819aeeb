"""Secrets stay secrets: client secrets and generated passwords reach state and outputs only wrapped,
and nothing a device owner reads (the non-secret outputs) carries one."""

from __future__ import annotations

import json
from pathlib import Path

import pulumi_mocks as pm
import pytest

from components import program

EXTRA_ACCOUNTS = """  lobby-printer:
    kind: mailbox
    mailbox: printer-lobby@contoso.com
    create:
      license: EXCHANGESTANDARD
      usageLocation: US
      displayName: Lobby printer
  legacy-app:
    kind: application
    mailbox: purchasing@contoso.com
    credential:
      type: secret
      expiresInDays: 180
  scanner-floor3:
    kind: mailbox"""

PASSWORD = "generated-lobby-printer-initial-password-Pw1!"  # what the mock RandomPassword returns
CLIENT_SECRET = "client-secret-of-legacy-app-client-secret"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> pm.RecordingMonitor:
    text = pm.EXAMPLE_SPEC.read_text().replace("  scanner-floor3:\n    kind: mailbox", EXTRA_ACCOUNTS)
    spec = pm.write_project(tmp_path_factory.mktemp("project"), text)
    return pm.render(program.run, pm.stack_config(spec))


def by_name(monitor: pm.RecordingMonitor, name: str) -> pm.Registration:
    (found,) = [r for r in monitor.registrations.values() if r.name == name]
    return found


def test_client_secret_is_a_secret_output(stack: pm.RecordingMonitor) -> None:
    password = by_name(stack, "legacy-app-client-secret")
    assert "value" in password.additional_secret_outputs
    assert password.inputs["endDateRelative"] == "4320h"
    assert password.inputs["applicationId"] == by_name(stack, "legacy-app-app").outputs["id"]


def test_created_mailbox_password_is_generated_and_secret(stack: pm.RecordingMonitor) -> None:
    generated = by_name(stack, "lobby-printer-initial-password")
    assert generated.type == "random:index/randomPassword:RandomPassword"
    assert "result" in generated.additional_secret_outputs
    user = by_name(stack, "lobby-printer-user")
    assert pm.is_secret(user.inputs["password"])
    assert pm.unwrap(user.inputs["password"]) == PASSWORD
    assert user.inputs["usageLocation"] == "US"
    assert user.inputs["userPrincipalName"] == "printer-lobby@contoso.com"


def test_licence_after_user_and_smtp_auth_after_licence(stack: pm.RecordingMonitor) -> None:
    licence = by_name(stack, "lobby-printer-license")
    assert {k: v for k, v in licence.inputs.items() if k != "__provider"} == {
        "user": "printer-lobby@contoso.com", "sku_part_number": "EXCHANGESTANDARD", "usage_location": "US"}
    assert {d.rsplit("::", 1)[-1] for d in licence.dependencies} == {"lobby-printer-user"}
    smtp = by_name(stack, "printer-lobby@contoso.com-smtp-auth")
    assert {d.rsplit("::", 1)[-1] for d in smtp.dependencies} == {"lobby-printer-license"}


def test_secrets_export_is_secret_and_holds_both(stack: pm.RecordingMonitor) -> None:
    assert "secrets" in stack.secret_exports
    assert stack.exports["secrets"] == {"lobby-printer": PASSWORD, "legacy-app": CLIENT_SECRET}


def test_no_secret_in_any_plain_output_or_dynamic_input(stack: pm.RecordingMonitor) -> None:
    plain = {k: v for k, v in stack.exports.items() if k not in stack.secret_exports}
    assert set(plain) == {"senders", "dnsRecords", "zoneFiles", "policyEnforcement"}
    text = json.dumps(plain)
    dynamic = json.dumps([r.inputs for r in stack.registrations.values()
                          if r.type.startswith("pulumi-python:dynamic/")])
    for secret in (PASSWORD, CLIENT_SECRET):
        assert secret not in text
        assert secret not in dynamic
    assert stack.exports["senders"]["legacy-app"]["credential"].startswith("client secret")


def test_missing_certificate_file_is_a_clean_error(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    spec = pm.write_project(tmp_path)
    (tmp_path / "certs" / "monitoring-alerts.pem").unlink()
    import pulumi

    with pytest.raises(pulumi.RunError, match="1 problem in the spec"):
        pm.render(program.run, pm.stack_config(spec))
    assert any("monitoring-alerts" in r.getMessage() and "cannot read" in r.getMessage()
               for r in caplog.records if r.levelname == "ERROR")
