"""A SaaS partner through the real engine: with rejectDirectSend on, its mail as support@contoso.com is
refused until `pulumi up` applies its partner connector, accepted through it (and only from the partner's
IPs), and refused again once the connector leaves the spec. The mail goes from the partner's side with the
product's own SMTP client to the sandbox's MX endpoint (XCLIENT names the partner's public IP)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from engine_stack import Stack, open_stack

from o365relay.engine.plan import read_plan
from o365relay.sandbox import store as st
from o365relay.smtp.send import SendResult, build_message, deliver, new_message_id

pytestmark = pytest.mark.slow

SPEC = """\
version: 1
tenant:
  id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a
  initialDomain: contoso.onmicrosoft.com
  rejectDirectSend: true
domains:
  contoso.com:
    dmarc: {policy: reject, rua: [mailto:dmarc-reports@contoso.com]}
connectors:
  dc1-relay: {senderIPs: [203.0.113.0/28]}
"""
PARTNER = {"type": "partner", "senderDomains": ["contoso.com"], "senderIPs": ["192.0.2.0/24"],
           "acceptedDomains": ["contoso.com"], "comment": "helpdesk SaaS"}
SAAS_IP = "192.0.2.25"


@pytest.fixture(scope="module")
def partner_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    yield from open_stack(tmp_path_factory.mktemp("engine-partner"), SPEC, dns_team=True)


def saas_sends(stack: Stack, ip: str = SAAS_IP) -> SendResult:
    """support@contoso.com from the ticketing platform to erp@contoso.com, over STARTTLS, from ``ip``."""
    message_id = new_message_id("contoso.com")
    msg = build_message("support@contoso.com", "erp@contoso.com", message_id, "partner")
    return deliver(stack.sandbox.smtp_host, stack.sandbox.mx_port, msg, client_ip=ip,
                   ca_file=str(stack.sandbox.ca_file))


def traced(stack: Stack, message_id: str) -> list[tuple[str, str]]:
    return [(r["status"], r["fromIP"]) for r in stack.sandbox.store.list(st.MESSAGE_TRACE)
            if r["messageId"] == message_id]


def test_without_its_connector_the_saas_is_refused_once_direct_send_is_rejected(partner_stack: Stack) -> None:
    partner_stack.pulumi.up()
    assert partner_stack.sandbox.store.organization()["rejectDirectSend"] is True
    refused = saas_sends(partner_stack)
    assert not refused.accepted and refused.reply.startswith("550 5.7.68 TenantInboundAttribution")


def test_up_applies_the_partner_connector_and_the_saas_gets_through(partner_stack: Stack) -> None:
    spec = partner_stack.read_spec()
    spec["connectors"]["ticketing"] = PARTNER
    partner_stack.write_spec(spec)
    plan = read_plan(partner_stack.pulumi.preview().events())
    assert [(s.op, s.kind, s.name) for s in plan.steps if s.op != "same"] == [
        ("create", "exchange:PartnerConnector", "ticketing-connector")]
    partner_stack.pulumi.up()
    [row] = [c for c in partner_stack.sandbox.store.list(st.INBOUND_CONNECTOR) if c["Name"] == "ticketing"]
    assert (row["ConnectorType"], row["RestrictDomainsToIPAddresses"], row["AssociatedAcceptedDomains"]) == (
        "Partner", True, ["contoso.com"])

    sent = saas_sends(partner_stack)
    assert sent.accepted, sent.reply
    assert traced(partner_stack, sent.message_id) == [("delivered", SAAS_IP)]
    impostor = saas_sends(partner_stack, ip="198.51.100.9")
    assert not impostor.accepted and impostor.reply.startswith("550 5.7.51 TenantInboundAttribution")
    partner_stack.pulumi.run("preview", "--expect-no-changes")


def test_removing_the_connector_from_the_spec_refuses_the_saas_again(partner_stack: Stack) -> None:
    spec = partner_stack.read_spec()
    del spec["connectors"]["ticketing"]
    partner_stack.write_spec(spec)
    partner_stack.pulumi.up()
    assert not [c for c in partner_stack.sandbox.store.list(st.INBOUND_CONNECTOR) if c["Name"] == "ticketing"]
    refused = saas_sends(partner_stack)
    assert not refused.accepted and refused.reply.startswith("550 5.7.68")
