"""test-send says which way the mail went as message trace shows it, through the real SMTP conversation
with the sandbox: a connector test that Exchange took as direct send is not passed, and says why."""

from __future__ import annotations

from typing import Any

import pytest
from testsend_helpers import SPEC, use_app

from o365relay.cli.main import main
from o365relay.sandbox import store as st
from o365relay.spec.model import Connector
from o365relay.testsend.route import CONNECTOR, DIRECT, SMTP_AUTH, UNKNOWN, route_of, why_missed

FAST = ["--timeout", "20"]


class Event:
    def __init__(self, event: str, data: str | None = None):
        self.event, self.data = event, data


def send(capsys: Any, *args: str) -> tuple[int, str]:
    code = main(["test-send", SPEC, *args])
    return code, capsys.readouterr().out


def set_connector(tenant: Any, **fields: Any) -> None:
    row = tenant.store.find(st.INBOUND_CONNECTOR, Name="dc1-relay")
    tenant.store.update(st.INBOUND_CONNECTOR, row["id"], fields)


def test_relay_through_the_connector_says_so_from_trace(tenant: Any, capsys: Any) -> None:
    code, out = send(capsys, "dc1-relay", "--client-ip", "203.0.113.5", "--from", "scanner3@contoso.com",
                     "--to", "erp@contoso.com", *FAST)
    assert code == 0, out
    assert "path: through inbound connector dc1-relay" in out


def test_oauth_submission_says_smtp_auth(tenant: Any, monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    ident = use_app(tenant, "erp-mailer", monkeypatch)
    code, out = send(capsys, "erp-mailer", "--client-id", ident, *FAST)
    assert code == 0, out
    assert "path: SMTP AUTH (as erp@contoso.com)" in out


def test_connector_the_tenant_does_not_cover_is_direct_send_not_a_pass(tenant: Any, capsys: Any) -> None:
    """The spec lists 203.0.113.0/28, the tenant's connector only 198.51.100.0/24: the mail is delivered,
    but as direct send, so the relay test fails and names the IP trace saw."""
    set_connector(tenant, SenderIPAddresses=["198.51.100.0/24"])
    code, out = send(capsys, "dc1-relay", "--client-ip", "203.0.113.5", "--from", "scanner3@contoso.com",
                     "--to", "erp@contoso.com", *FAST)
    assert code == 1, out
    assert "path: direct send\n" in out and "verdict: DELIVERED" in out
    assert "the message came from 203.0.113.5, which connector dc1-relay in the tenant does not cover " \
           "(198.51.100.0/24)" in out


@pytest.mark.parametrize(("fields", "why"), [
    ({"Enabled": False}, "connector dc1-relay is disabled in the tenant"),
    ({"SenderDomains": ["smtp:fabrikam.example;1"]}, "accepts sender domains fabrikam.example, not contoso.com"),
])
def test_connector_missed_says_why(tenant: Any, capsys: Any, fields: dict[str, Any], why: str) -> None:
    set_connector(tenant, **fields)
    code, out = send(capsys, "dc1-relay", "--client-ip", "203.0.113.5", "--from", "scanner3@contoso.com",
                     "--to", "erp@contoso.com", *FAST)
    assert code == 1, out
    assert "path: direct send\n" in out and why in out


def test_a_wildcard_sender_domain_takes_the_domain_itself(tenant: Any, capsys: Any) -> None:
    """``*.contoso.com`` is contoso.com and all its subdomains (New-InboundConnector -SenderDomains)."""
    set_connector(tenant, SenderDomains=["smtp:*.contoso.com;1"])
    code, out = send(capsys, "dc1-relay", "--client-ip", "203.0.113.5", "--from", "scanner3@contoso.com",
                     "--to", "erp@contoso.com", *FAST)
    assert code == 0, out
    assert "path: through inbound connector dc1-relay" in out
    row = {"Name": "dc1-relay", "Enabled": True, "SenderIPAddresses": ["203.0.113.0/28"],
           "SenderDomains": ["smtp:*.contoso.com;1"]}
    why = why_missed(Connector("dc1-relay"), [row], "203.0.113.5", "scanner3@contoso.com")
    assert "accepts sender domains" not in why, why
    elsewhere = why_missed(Connector("dc1-relay"), [row], "203.0.113.5", "scanner3@evilcontoso.com")
    assert "accepts sender domains *.contoso.com, not evilcontoso.com" in elsewhere


def test_direct_send_test_taken_by_a_connector_is_not_a_pass(tenant: Any, capsys: Any) -> None:
    code, out = send(capsys, "dc1-relay", "--method", "direct", "--client-ip", "203.0.113.5",
                     "--from", "printer@contoso.com", "--to", "erp@contoso.com", *FAST)
    assert code == 1, out
    assert "path: through inbound connector dc1-relay" in out
    assert "not a direct-send test: the tenant recognised 203.0.113.5 as connector dc1-relay" in out


def test_no_trace_claims_no_path(tenant: Any, capsys: Any) -> None:
    code, out = send(capsys, "dc1-relay", "--client-ip", "192.0.2.10", "--from", "scanner3@contoso.com",
                     "--to", "erp@contoso.com", "--no-trace")
    assert code == 0, out
    assert "path: not confirmed" in out and "connector dc1-relay" not in out.split("path:")[1]


def test_route_reads_the_receive_event_only() -> None:
    named = ('<root><MEP Name="CustomData" Blob="S:InboundConnectorData=Name=R&amp;D relay;'
             'ConnectorType=OnPremises" /></root>')
    assert route_of([Event("Receive", named), Event("Deliver")], submitted=False) == route_of(
        [Event("Receive", named)], submitted=False)
    assert route_of([Event("Receive", named)], submitted=False).connector == "R&D relay"
    assert route_of([Event("Receive", named)], submitted=False).kind == CONNECTOR
    assert route_of([Event("Receive", "<root />")], submitted=False).kind == DIRECT
    assert route_of([Event("Receive", None)], submitted=True).kind == SMTP_AUTH
    assert route_of([Event("Deliver", named)], submitted=False).kind == UNKNOWN
