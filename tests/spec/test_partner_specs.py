# ruff: noqa: E501  (a table of exact inputs and messages reads best one per line)
"""Partner connectors in the spec (type: partner): bad entries report every problem exactly; good ones load
apart from the relay connectors, so no SPF of ours gains a partner's IPs."""

from __future__ import annotations

import pytest

from o365relay.errors import SpecError
from o365relay.spec.document import to_document
from o365relay.spec.loader import load_text, spec_from_document
from o365relay.spec.model import PartnerConnector

HEAD = ("version: 1\ntenant: {id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a, initialDomain: contoso.onmicrosoft.com}\n"
        "domains:\n  contoso.com: {}\nconnectors:\n  dc1-relay:\n    senderIPs: [203.0.113.0/28]\n    certificateName: relay.contoso.com\n")

CASES = {
    'no-sender-domains': (
        '  ticketing: {type: partner, senderIPs: [192.0.2.0/24]}\n',
        [(9, 14, 'spec.connectors.ticketing', "missing required key 'senderDomains': The sender domains this connector scopes (SenderDomains): the domains the partner sends as, often your own (support@contoso.com from a ticketing platform)")],
    ),
    'ip-overlaps-a-relay-connector': (
        '  ticketing:\n    type: partner\n    senderDomains: [contoso.com]\n    senderIPs: [192.0.2.0/24, 203.0.113.4]\n',
        [(12, 31, 'spec.connectors.ticketing.senderIPs[1]', "203.0.113.4 overlaps connectors.dc1-relay.senderIPs[0], a relay connector's: Exchange takes that mail as relayed, never as this partner's; give the partner its own addresses")],
    ),
    'private-ip': (
        '  ticketing:\n    type: partner\n    senderDomains: [contoso.com]\n    senderIPs: [10.1.2.3]\n',
        [(12, 17, 'spec.connectors.ticketing.senderIPs[0]', "10.1.2.3 is in private address space (RFC 1918, 10.0.0.0/8); a connector matches the public IPv4 address the mail leaves your network from (after NAT): use that address")],
    ),
    'relay-certificate-name': (
        '  ticketing:\n    type: partner\n    senderDomains: [contoso.com]\n    certificateName: relay.contoso.com\n',
        [(12, 22, 'spec.connectors.ticketing.certificateName', "relay.contoso.com is also relay connector dc1-relay's certificate name: Exchange would take the partner's mail as relayed; use the partner's own certificate name")],
    ),
    'accepted-domain-not-declared': (
        '  ticketing:\n    type: partner\n    senderDomains: [contoso.com]\n    certificateName: "*.ticketing.example"\n    acceptedDomains: [contoso.com, contso.com]\n',
        [(13, 36, 'spec.connectors.ticketing.acceptedDomains[1]', "'contso.com' is not a declared domain; did you mean 'contoso.com'?")],
    ),
    'relay-keys-on-a-partner': (
        '  ticketing:\n    type: partner\n    senderDomains: [contoso.com]\n    certificateName: "*.ticketing.example"\n    sendsFor: [contoso.com]\n',
        [(13, 5, 'spec.connectors.ticketing.sendsFor', "'sendsFor' applies to relay connectors only: a partner's IPs are its own, so no SPF of yours gains them; remove it")],
    ),
    'partner-keys-on-a-relay': (
        '  printers:\n    senderIPs: [198.51.100.0/28]\n    acceptedDomains: [contoso.com]\n',
        [(11, 5, 'spec.connectors.printers.acceptedDomains', "'acceptedDomains' applies to partner connectors only; add 'type: partner' to this connector or remove the key")],
    ),
    'unknown-type': (
        '  ticketing: {type: saas, senderDomains: [contoso.com]}\n',
        [(9, 21, 'spec.connectors.ticketing.type', "'saas' is not allowed; use one of: 'relay', 'partner'")],
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_partner_connector_reports_every_problem_exactly(case: str) -> None:
    body, expected = CASES[case]
    with pytest.raises(SpecError) as caught:
        load_text(HEAD + body, "case.yaml")
    assert [(p.line, p.column, p.path, p.message) for p in caught.value.problems] == expected


GOOD = HEAD + """  ticketing:
    type: partner
    senderDomains: [contoso.com]
    senderIPs: [192.0.2.0/24]
    acceptedDomains: [contoso.com]
    comment: helpdesk SaaS
  crm:
    type: partner
    senderDomains: [contoso.com, '*.contoso.com']
    certificateName: '*.crm.example'
    requireTls: false
"""


def test_partner_connectors_load_apart_from_the_relay_connectors() -> None:
    spec = load_text(GOOD)
    assert list(spec.connectors) == ["dc1-relay"]
    assert [c.name for c in spec.connectors_sending_for("contoso.com")] == ["dc1-relay"]  # no partner IP in SPF
    assert spec.partner_connectors == {
        "ticketing": PartnerConnector(name="ticketing", sender_domains=("contoso.com",), sender_ips=("192.0.2.0/24",),
                                      accepted_domains=("contoso.com",), comment="helpdesk SaaS"),
        "crm": PartnerConnector(name="crm", sender_domains=("contoso.com", "*.contoso.com"),
                                certificate_name="*.crm.example", require_tls=False),
    }


def test_partner_connectors_round_trip_through_the_document() -> None:
    spec = load_text(GOOD)
    document = to_document(spec)
    assert document["connectors"]["crm"] == {"type": "partner", "senderDomains": ["contoso.com", "*.contoso.com"],
                                             "certificateName": "*.crm.example", "requireTls": False}
    assert "type" not in document["connectors"]["dc1-relay"] and "partnerConnectors" not in document
    assert spec_from_document(document, "<text>") == spec


def test_an_explicit_relay_type_is_the_relay_connector() -> None:
    spec = load_text(HEAD + "  printers: {type: relay, senderIPs: [198.51.100.0/28]}\n")
    assert list(spec.connectors) == ["dc1-relay", "printers"] and spec.partner_connectors == {}
