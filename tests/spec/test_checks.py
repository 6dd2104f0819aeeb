# ruff: noqa: E501  (a table of exact inputs and messages reads best one per line)
"""The semantic checks (o365relay/spec/checks.py) at their edges: each DNS backend's own key, an entry the
schema refuses followed by one the checks must still report, a value of the wrong type that must not
crash them, and the one-per-rule-and-target waiver. Every problem is asserted exactly (line, column, spec
path, message); what is not a problem loads."""

from __future__ import annotations

import pytest

from o365relay.errors import SpecError
from o365relay.spec.loader import load_text

T = "version: 1\ntenant: {id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a, initialDomain: contoso.onmicrosoft.com}\n"
BASE = T + "domains:\n  contoso.com: {}\n"
ZONE_ID = "0123456789abcdef0123456789abcdef"
PARTNER = "  ticketing:\n    type: partner\n    senderDomains: [contoso.com]\n"
APP = "serviceAccounts:\n  app: {kind: application, mailbox: app@contoso.com, credential: {type: secret}}\n"

CASES = {
    # A domain without dns is skipped, not the end of the checks: the next domain's problem is reported.
    'cloudflare-backend-without-zone-id': (
        T + "domains:\n  contoso.com: {}\n  fabrikam.com:\n    dns: {backend: cloudflare}\n",
        [(6, 10, 'spec.domains.fabrikam.com.dns', "backend cloudflare needs 'zoneId': the Cloudflare zone's identifier (its Overview page, API section)")],
    ),
    'zone-id-without-backend': (
        T + f"domains:\n  contoso.com:\n    dns: {{zoneId: {ZONE_ID}}}\n",
        [(5, 11, 'spec.domains.contoso.com.dns.zoneId', "'zoneId' applies only with backend: cloudflare; remove it or set backend: cloudflare")],
    ),
    'zone-id-with-backend-azure': (
        T + f"domains:\n  contoso.com:\n    dns: {{backend: azure, resourceGroup: rg-dns, zoneId: {ZONE_ID}}}\n",
        [(5, 50, 'spec.domains.contoso.com.dns.zoneId', "'zoneId' applies only with backend: cloudflare; remove it or set backend: cloudflare")],
    ),
    'resource-group-with-backend-cloudflare': (
        T + f"domains:\n  contoso.com:\n    dns: {{backend: cloudflare, zoneId: {ZONE_ID}, resourceGroup: rg-dns}}\n",
        [(5, 74, 'spec.domains.contoso.com.dns.resourceGroup', "'resourceGroup' applies only with backend: azure; remove it or set backend: azure")],
    ),
    # Outbound and partner connectors are skipped by the relay checks, which go on to the next connector.
    'outbound-connector-then-relay-without-senders': (
        BASE + "connectors:\n  to-fabrikam: {direction: outbound, recipientDomains: [fabrikam.com], useMxRecord: true}\n  printers: {enabled: true}\n",
        [(7, 13, 'spec.connectors.printers', "a connector needs 'senderIPs' or 'certificateName' to recognise the devices that relay through it")],
    ),
    'partner-connector-then-relay-without-senders': (
        BASE + "connectors:\n" + PARTNER + "    certificateName: mail.ticketing.example\n  printers: {enabled: true}\n",
        [(10, 13, 'spec.connectors.printers', "a connector needs 'senderIPs' or 'certificateName' to recognise the devices that relay through it")],
    ),
    'relay-sender-ip-too-wide-then-private': (
        BASE + "connectors:\n  printers:\n    senderIPs: [10.0.0.0/8, 10.1.2.3]\n",
        [
            (7, 17, 'spec.connectors.printers.senderIPs[0]', "'10.0.0.0/8' is a /8; Exchange accepts sender ranges from /24 to /32, so split it into /24s or list the addresses that send"),
            (7, 29, 'spec.connectors.printers.senderIPs[1]', '10.1.2.3 is in private address space (RFC 1918, 10.0.0.0/8); a connector matches the public IPv4 address the mail leaves your network from (after NAT): use that address'),
        ],
    ),
    'partner-sender-ip-too-wide-then-private': (
        BASE + "connectors:\n" + PARTNER + "    senderIPs: [10.0.0.0/8, 10.1.2.3]\n",
        [
            (9, 17, 'spec.connectors.ticketing.senderIPs[0]', "'10.0.0.0/8' is a /8; Exchange accepts sender ranges from /24 to /32, so split it into /24s or list the addresses that send"),
            (9, 29, 'spec.connectors.ticketing.senderIPs[1]', '10.1.2.3 is in private address space (RFC 1918, 10.0.0.0/8); a connector matches the public IPv4 address the mail leaves your network from (after NAT): use that address'),
        ],
    ),
    'partner-sender-ip-with-host-bits': (
        BASE + "connectors:\n" + PARTNER + "    senderIPs: [198.51.100.5/24]\n",
        [(9, 17, 'spec.connectors.ticketing.senderIPs[0]', "'198.51.100.5/24' has host bits set; write the network as 198.51.100.0/24")],
    ),
    # An outbound connector is no relay connector, even with a (misplaced) certificate name: the partner
    # that uses the same name does not clash with it.
    'certificate-name-on-an-outbound-connector': (
        BASE + "connectors:\n  to-fabrikam: {direction: outbound, recipientDomains: [fabrikam.com], useMxRecord: true, certificateName: mail.fabrikam.com}\n  ticketing: {type: partner, senderDomains: [contoso.com], certificateName: mail.fabrikam.com}\n",
        [(6, 91, 'spec.connectors.to-fabrikam.certificateName', "'certificateName' applies to inbound connectors only; remove it from this outbound connector, or remove 'direction: outbound'")],
    ),
    # direction: outbound wins over type: partner, so no partner check runs on it (acceptedDomains).
    'outbound-connector-typed-partner': (
        BASE + "connectors:\n  ticketing: {direction: outbound, type: partner, recipientDomains: [fabrikam.com], useMxRecord: true, acceptedDomains: [fabrikam.com]}\n",
        [
            (6, 36, 'spec.connectors.ticketing.type', "'type' applies to inbound connectors only; remove it from this outbound connector, or remove 'direction: outbound'"),
            (6, 104, 'spec.connectors.ticketing.acceptedDomains', "'acceptedDomains' applies to inbound connectors only; remove it from this outbound connector, or remove 'direction: outbound'"),
        ],
    ),
    'applies-to-a-number-then-an-undeclared-account': (
        BASE + APP + "authenticationPolicies:\n  Relay: {allowBasicAuth: [smtp], appliesTo: [5, ghost]}\n",
        [
            (8, 47, 'spec.authenticationPolicies.Relay.appliesTo[0]', 'expected a string, got the number 5'),
            (8, 50, 'spec.authenticationPolicies.Relay.appliesTo[1]', "'ghost' is not a declared service account; declared: app"),
        ],
    ),
    # A default policy that is a list cannot name a policy: the mailbox sender is not judged by it.
    'default-authentication-policy-as-a-list': (
        "version: 1\ntenant: {id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a, initialDomain: contoso.onmicrosoft.com, defaultAuthenticationPolicy: [Relay]}\n"
        "domains:\n  contoso.com: {}\nserviceAccounts:\n  mfp: {kind: mailbox, mailbox: mfp@contoso.com}\nauthenticationPolicies:\n  Relay: {}\n",
        [(2, 121, 'spec.tenant.defaultAuthenticationPolicy', 'expected a string, got a list')],
    ),
    # The same rule and target again is refused, pointing at the first; another rule on the target is not.
    'waiver-repeated': (
        T + "waivers:\n"
        "  - {rule: no-basic-smtp-auth, target: tenant, reason: r, expires: 2027-03-31}\n"
        "  - {rule: smtp-auth-org-wide, target: tenant, reason: r, expires: 2027-03-31}\n"
        "  - {rule: no-basic-smtp-auth, target: tenant, reason: r2, expires: 2027-04-30}\n"
        "  - {rule: no-basic-smtp-auth, target: tenant, reason: r3, expires: 2027-05-31}\n",
        [
            (6, 5, 'spec.waivers[2]', 'repeats the waiver of waivers[0]; keep one waiver per rule and target'),
            (7, 5, 'spec.waivers[3]', 'repeats the waiver of waivers[0]; keep one waiver per rule and target'),
        ],
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_semantic_check_reports_every_problem_exactly(case: str) -> None:
    text, expected = CASES[case]
    with pytest.raises(SpecError) as caught:
        load_text(text, "case.yaml")
    assert [(p.line, p.column, p.path, p.message) for p in caught.value.problems] == expected


def test_relay_connector_recognised_by_certificate_name_alone_loads() -> None:
    spec = load_text(BASE + "connectors:\n  printers: {certificateName: relay.contoso.com}\n")
    printers = spec.connectors["printers"]
    assert (printers.certificate_name, printers.sender_ips) == ("relay.contoso.com", ())


def test_cloudflare_backend_with_its_zone_id_loads() -> None:
    spec = load_text(T + f"domains:\n  contoso.com:\n    dns: {{backend: cloudflare, zoneId: {ZONE_ID}}}\n")
    dns = spec.domains["contoso.com"].dns
    assert (dns.backend, dns.zone_id, dns.resource_group) == ("cloudflare", ZONE_ID, None)
