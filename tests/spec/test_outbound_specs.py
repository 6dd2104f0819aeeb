# ruff: noqa: E501  (a table of exact inputs and messages reads best one per line)
"""Outbound connectors in the spec: bad entries report every problem exactly; good ones load apart."""

from __future__ import annotations

import pytest

from o365relay.errors import SpecError
from o365relay.spec.document import to_document
from o365relay.spec.loader import load_text, spec_from_document
from o365relay.spec.model import OutboundConnector

HEAD = "version: 1\ntenant: {id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a, initialDomain: contoso.onmicrosoft.com}\nconnectors:\n"

CASES = {
    'outbound-with-sender-ips': (
        '  partner:\n    direction: outbound\n    recipientDomains: [fabrikam.com]\n    smartHosts: [mx.fabrikam.com]\n    senderIPs: [203.0.113.1]\n    requireTls: true\n',
        [
            (8, 5, 'spec.connectors.partner.senderIPs', "'senderIPs' applies to inbound connectors only; remove it from this outbound connector, or remove 'direction: outbound'"),
            (9, 5, 'spec.connectors.partner.requireTls', "'requireTls' applies to inbound connectors only; remove it from this outbound connector, or remove 'direction: outbound'"),
        ],
    ),
    'inbound-with-smart-hosts': (
        '  dc1:\n    senderIPs: [203.0.113.1]\n    smartHosts: [mx.fabrikam.com]\n    tls: CertificateValidation\n',
        [
            (6, 5, 'spec.connectors.dc1.smartHosts', "'smartHosts' applies to outbound connectors only; add 'direction: outbound' to this connector or remove the key"),
            (7, 5, 'spec.connectors.dc1.tls', "'tls' applies to outbound connectors only; add 'direction: outbound' to this connector or remove the key"),
        ],
    ),
    'neither-domains-nor-rule': (
        '  partner:\n    direction: outbound\n    smartHosts: [mx.fabrikam.com]\n',
        [
            (4, 3, 'spec.connectors.partner', "an outbound connector needs 'recipientDomains' (the domains whose mail it takes, or '*' for all) or 'transportRuleScoped: true'"),
        ],
    ),
    'both-domains-and-rule': (
        '  partner:\n    direction: outbound\n    recipientDomains: [fabrikam.com]\n    transportRuleScoped: true\n    useMxRecord: true\n',
        [
            (7, 5, 'spec.connectors.partner.transportRuleScoped', "give 'recipientDomains' or 'transportRuleScoped: true', not both: a transport-rule-scoped connector takes only the mail a rule routes to it"),
        ],
    ),
    'no-smart-hosts-without-mx': (
        "  partner: {direction: outbound, recipientDomains: ['*']}\n",
        [
            (4, 12, 'spec.connectors.partner', "an outbound connector needs 'smartHosts' (where to deliver) or 'useMxRecord: true' (deliver to each recipient domain's MX)"),
        ],
    ),
    'smart-hosts-with-mx': (
        '  partner:\n    direction: outbound\n    recipientDomains: [fabrikam.com]\n    useMxRecord: true\n    smartHosts: [mx.fabrikam.com]\n',
        [
            (8, 5, 'spec.connectors.partner.smartHosts', "'smartHosts' applies only when useMxRecord is false; remove it, or remove 'useMxRecord: true' to deliver to the smart hosts"),
        ],
    ),
    'tls-domain-without-domain-validation': (
        '  partner:\n    direction: outbound\n    recipientDomains: [fabrikam.com]\n    useMxRecord: true\n    tls: CertificateValidation\n    tlsDomain: fabrikam.com\n',
        [
            (9, 5, 'spec.connectors.partner.tlsDomain', "'tlsDomain' applies only with tls: DomainValidation; remove it or set tls: DomainValidation"),
        ],
    ),
    'domain-validation-without-tls-domain': (
        '  partner:\n    direction: outbound\n    recipientDomains: [fabrikam.com]\n    useMxRecord: true\n    tls: DomainValidation\n',
        [
            (4, 3, 'spec.connectors.partner', "tls: DomainValidation needs 'tlsDomain': the domain the receiving server's certificate must name"),
        ],
    ),
    'bad-tls-value': (
        '  partner:\n    direction: outbound\n    transportRuleScoped: true\n    smartHosts: [mx.fabrikam.com]\n    tls: Opportunistic\n',
        [
            (8, 10, 'spec.connectors.partner.tls', "'Opportunistic' is not allowed; use one of: 'EncryptionOnly', 'CertificateValidation', 'DomainValidation'"),
        ],
    ),
    'bad-smart-host': (
        "  partner:\n    direction: outbound\n    recipientDomains: ['*.fabrikam.com']\n    smartHosts: [mx.fabrikam.com, 'smtp:relay', 2001:db8::25]\n",
        [
            (7, 35, 'spec.connectors.partner.smartHosts[1]', "'smtp:relay' must be a host name, IPv4 address or CIDR range, for example smtp.partner.example"),
            (7, 49, 'spec.connectors.partner.smartHosts[2]', "'2001:db8::25' must be a host name, IPv4 address or CIDR range, for example smtp.partner.example"),
        ],
    ),
    'bad-recipient-domain': (
        '  partner:\n    direction: outbound\n    recipientDomains: [fab*rikam.com, Fabrikam.com]\n    useMxRecord: true\n',
        [
            (6, 24, 'spec.connectors.partner.recipientDomains[0]', "'fab*rikam.com' must be '*', a domain name, or '*.' and a domain name, for example *"),
            (6, 39, 'spec.connectors.partner.recipientDomains[1]', "'Fabrikam.com' must be '*', a domain name, or '*.' and a domain name, for example *"),
        ],
    ),
    'direction-typo': (
        '  partner:\n    direction: outbund\n    recipientDomains: [fabrikam.com]\n    useMxRecord: true\n',
        [
            (5, 16, 'spec.connectors.partner.direction', "'outbund' is not allowed; use one of: 'inbound', 'outbound'"),
            (6, 5, 'spec.connectors.partner.recipientDomains', "'recipientDomains' applies to outbound connectors only; add 'direction: outbound' to this connector or remove the key"),
            (7, 5, 'spec.connectors.partner.useMxRecord', "'useMxRecord' applies to outbound connectors only; add 'direction: outbound' to this connector or remove the key"),
        ],
    ),
    'empty-lists': (
        '  partner:\n    direction: outbound\n    recipientDomains: []\n    smartHosts: []\n',
        [
            (6, 23, 'spec.connectors.partner.recipientDomains', 'the list is empty; give at least 1 item'),
            (7, 17, 'spec.connectors.partner.smartHosts', 'the list is empty; give at least 1 item'),
        ],
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_outbound_connector_reports_every_problem_exactly(case: str) -> None:
    body, expected = CASES[case]
    with pytest.raises(SpecError) as caught:
        load_text(HEAD + body, "case.yaml")
    assert [(p.line, p.column, p.path, p.message) for p in caught.value.problems] == expected


GOOD = HEAD + """  dc1-relay:
    senderIPs: [203.0.113.0/28]
  to-partner:
    direction: outbound
    recipientDomains: [fabrikam.com, '*.fabrikam.com']
    smartHosts: [mx.fabrikam.com, 198.51.100.0/29]
    tls: DomainValidation
    tlsDomain: mail.fabrikam.com
    comment: partner gateway
  via-rule:
    direction: outbound
    transportRuleScoped: true
    useMxRecord: true
    tls: CertificateValidation
    enabled: false
"""


def test_outbound_connectors_load_beside_the_relay_connectors() -> None:
    spec = load_text(GOOD)
    assert list(spec.connectors) == ["dc1-relay"]
    assert [c.name for c in spec.connectors_sending_for("contoso.com")] == ["dc1-relay"]
    assert spec.outbound_connectors == {
        "to-partner": OutboundConnector(name="to-partner", recipient_domains=("fabrikam.com", "*.fabrikam.com"),
                                        smart_hosts=("mx.fabrikam.com", "198.51.100.0/29"), tls="DomainValidation",
                                        tls_domain="mail.fabrikam.com", comment="partner gateway"),
        "via-rule": OutboundConnector(name="via-rule", transport_rule_scoped=True, use_mx_record=True,
                                      tls="CertificateValidation", enabled=False),
    }
    assert spec.position(("connectors", "via-rule", "tls")) == (17, 10)


def test_outbound_connectors_round_trip_through_the_document() -> None:
    spec = load_text(GOOD)
    document = to_document(spec)
    assert document["connectors"]["via-rule"] == {"direction": "outbound", "transportRuleScoped": True,
                                                  "useMxRecord": True, "tls": "CertificateValidation",
                                                  "enabled": False}
    assert "direction" not in document["connectors"]["dc1-relay"] and "outboundConnectors" not in document
    assert spec_from_document(document, "<text>") == spec


def test_an_explicit_inbound_direction_is_the_relay_connector() -> None:
    spec = load_text(HEAD + "  dc1:\n    direction: inbound\n    senderIPs: [203.0.113.1]\n")
    assert list(spec.connectors) == ["dc1"] and spec.outbound_connectors == {}
    assert "direction" not in to_document(spec)["connectors"]["dc1"]
