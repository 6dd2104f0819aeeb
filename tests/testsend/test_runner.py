"""relayctl test-send against the sandbox: each method delivers and is confirmed in message trace;
each misconfiguration gets its specific refusal and explanation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from swaks_client import basic_login, submission
from testsend_helpers import SPEC, use_app

from o365relay.cli.main import main
from o365relay.smtp.explain import explain
from o365relay.smtp.xoauth2 import xoauth2

FAST = ["--timeout", "20"]


def send(capsys, *args):
    code = main(["test-send", SPEC, *args])
    return code, capsys.readouterr().out


def test_xoauth2_string_matches_the_documented_vector():
    assert xoauth2("test@contoso.onmicrosoft.com", "EwBAAl3BAAUFFpUAo7J3Ve0bjLBWZWCclRC3EoAA") == (
        "dXNlcj10ZXN0QGNvbnRvc28ub25taWNyb3NvZnQuY29tAWF1dGg9QmVhcmVyIEV3QkFBbDNCQUFVRkZwVUFvN0ozVmUwYmpMQlda"
        "V0NjbFJDM0VvQUEBAQ==")


def test_oauth_sender_delivers_and_is_traced(tenant, monkeypatch, capsys):
    ident = use_app(tenant, "erp-mailer", monkeypatch)
    code, out = send(capsys, "erp-mailer", "--client-id", ident, "--from", "invoices@contoso.com",
                     "--to", "ap@fabrikam.example", *FAST)
    assert code == 0, out
    assert re.search(r"ap@fabrikam\.example\s+delivered", out) and "verdict: DELIVERED" in out


def test_mailbox_sender_delivers_with_the_password_from_the_environment(tenant, monkeypatch, capsys):
    monkeypatch.setenv("RELAY_SMTP_PASSWORD", tenant.secret_for("scanner3@contoso.com"))
    code, out = send(capsys, "scanner-floor3", *FAST)
    assert code == 0, out
    assert "by mailbox" in out and "verdict: DELIVERED" in out


def test_connector_relay_reaches_the_internet(tenant, capsys):
    code, out = send(capsys, "dc1-relay", "--client-ip", "203.0.113.5", "--from", "scanner3@contoso.com",
                     "--to", "records@fabrikam.example", *FAST)
    assert code == 0, out
    assert re.search(r"records@fabrikam\.example\s+delivered\s+from 203\.0\.113\.5", out)


def test_direct_send_reaches_the_tenant(tenant, capsys):
    code, out = send(capsys, "dc1-relay", "--method", "direct", "--client-ip", "192.0.2.10",
                     "--from", "printer@contoso.com", "--to", "erp@contoso.com", *FAST)
    assert code == 0, out
    assert "verdict: DELIVERED" in out


def test_relay_from_an_undeclared_ip_is_refused_and_explained(tenant, capsys):
    code, out = send(capsys, "dc1-relay", "--client-ip", "192.0.2.10", "--from", "scanner3@contoso.com",
                     "--to", "records@fabrikam.example", *FAST)
    assert code == 1
    assert "550 5.7.64" in out and "connectors.<name>.senderIPs" in out


def test_relay_to_an_unknown_internal_recipient_is_explained(tenant, capsys):
    code, out = send(capsys, "dc1-relay", "--client-ip", "203.0.113.5", "--from", "scanner3@contoso.com",
                     "--to", "nobody-here@contoso.com", *FAST)
    assert code == 1
    assert "550 5.4.1" in out and "directory-based edge blocking" in out


@pytest.mark.parametrize(("account", "app", "reply", "title"), [
    ("noc-mailer", "erp-mailer", "535 5.7.139", "SMTP AUTH is disabled for the tenant"),
    ("erp-mailer", "roleless-mailer", "535 5.7.3", "carries no SMTP.SendAsApp role"),
    ("erp-mailer", "unregistered-mailer", "535 5.7.3", "not registered as a service principal in Exchange"),
    ("oncall-mailer", "erp-mailer", "535 5.7.3", "no FullAccess on the mailbox"),
])
def test_each_oauth_misconfiguration_gets_its_explanation(tenant, monkeypatch, capsys, account, app, reply, title):
    ident = use_app(tenant, app, monkeypatch)
    code, out = send(capsys, account, "--client-id", ident, *FAST)
    assert code == 1
    assert f"reply: {reply}" in out and title in out


def test_send_as_missing_is_explained(tenant, monkeypatch, capsys):
    ident = use_app(tenant, "erp-mailer", monkeypatch)
    code, out = send(capsys, "erp-mailer", "--client-id", ident, "--from", "purchasing@contoso.com", *FAST)
    assert code == 1
    assert "554 5.2.252 SendAsDenied" in out and "to sendAs" in out


def test_basic_auth_refused_is_explained(tenant, monkeypatch, capsys):
    from o365relay.sandbox import store as st

    org = tenant.store.organization()
    tenant.store.update(st.ORGANIZATION, org["id"], {"allowBasicAuthSmtp": False})
    monkeypatch.setenv("RELAY_SMTP_PASSWORD", tenant.secret_for("scanner3@contoso.com"))
    code, out = send(capsys, "scanner-floor3", *FAST)
    assert code == 1
    assert "550 5.7.30" in out and "kind: application" in out


def test_wrong_sender_secret_is_explained_without_leaking_it(tenant, monkeypatch, capsys):
    ident = use_app(tenant, "erp-mailer", monkeypatch)
    monkeypatch.setenv("RELAY_SENDER_CLIENT_SECRET", "wrong-secret-value")
    code, out = send(capsys, "erp-mailer", "--client-id", ident, *FAST)
    assert code == 3
    assert "AADSTS7000215" in out and "Wrong client secret" in out and "wrong-secret-value" not in out


def _last_refusal(output: str) -> str:
    return [line[4:].strip() for line in output.splitlines() if line.startswith("<~*")][-1]


def test_swaks_replies_feed_the_explanations(tenant):
    """Debian's swaks (a client nobody here wrote) sees replies that `relayctl explain` explains."""
    password = tenant.secret_for("scanner3@contoso.com")
    login = ("--to", "erp@contoso.com", "--from")
    ok = basic_login(tenant, "scanner3@contoso.com", password, *login, "scanner3@contoso.com")
    assert ok.returncode == 0, ok.stdout
    spoof = basic_login(tenant, "scanner3@contoso.com", password, *login, "invoices@contoso.com")
    assert explain(_last_refusal(spoof.stdout)).explanation.key == "send-as-denied"
    wrong = basic_login(tenant, "scanner3@contoso.com", "wrong", *login, "scanner3@contoso.com")
    assert explain(_last_refusal(wrong.stdout)).explanation.key == "auth-rejected"
    anonymous = submission(tenant, "--to", "erp@contoso.com", "--from", "scanner3@contoso.com")
    assert explain(_last_refusal(anonymous.stdout)).explanation.key == "not-authenticated"


def test_refused_relay_names_the_ip_trace_saw(tenant, capsys):
    """No --client-ip: the IP missing from senderIPs is the one message trace recorded (here loopback)."""
    code, out = send(capsys, "dc1-relay", "--from", "scanner3@contoso.com", "--to", "records@fabrikam.example",
                     *FAST)
    assert code == 1
    assert "550 5.7.64" in out
    assert "the message came from 127.0.0.1, which connectors.dc1-relay.senderIPs (203.0.113.0/28) does not " \
           "cover: add 127.0.0.1 to senderIPs" in out


def test_direct_send_rejected_names_the_ip_missing_from_the_connector(tenant, capsys):
    from o365relay.sandbox import store as st

    org = tenant.store.organization()
    tenant.store.update(st.ORGANIZATION, org["id"], {"rejectDirectSend": True})
    code, out = send(capsys, "dc1-relay", "--client-ip", "192.0.2.10", "--from", "scanner3@contoso.com",
                     "--to", "erp@contoso.com", *FAST)
    assert code == 1
    assert "550 5.7.68" in out and "the message came from 192.0.2.10, which connectors.dc1-relay.senderIPs" in out


def test_default_recipient_is_a_declared_mailbox_the_tenant_has(tenant, capsys):
    from o365relay.sandbox import store as st

    erp = tenant.store.find(st.USER, userPrincipalName="erp@contoso.com")
    tenant.store.delete(st.USER, erp["id"])
    code, out = send(capsys, "dc1-relay", "--client-ip", "203.0.113.5", "--from", "scanner3@contoso.com", *FAST)
    assert code == 0, out
    assert "To noc@notify.contoso.com" in out and "550 5.4.1" not in out


def test_no_declared_mailbox_in_the_tenant_asks_for_to(tenant, capsys, tmp_path):
    spec = tmp_path / "relay.yaml"
    spec.write_text(Path(SPEC).read_text().split("serviceAccounts:")[0]
                    + "serviceAccounts:\n  ghost: {kind: mailbox, mailbox: ghost@contoso.com}\n")
    code = main(["test-send", str(spec), "dc1-relay", "--client-ip", "203.0.113.5", *FAST])
    err = capsys.readouterr().err
    assert code == 2
    assert err.strip() == ("relayctl: error: none of the spec's mailboxes (ghost@contoso.com) exists in the tenant "
                           "yet: give a recipient that does with --to")
