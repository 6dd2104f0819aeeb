"""Inbound and outbound connector cmdlets: the rules and shapes of Microsoft's cmdlet reference."""

from __future__ import annotations

import pytest

NOT_FOUND = "Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException"
RELAY = {
    "Name": "dc1-relay",
    "ConnectorType": "OnPremises",
    "SenderIPAddresses": ["203.0.113.0/28", "198.51.100.25"],
    "SenderDomains": ["contoso.com", "*.contoso.com"],
    "RequireTls": True,
    "Comment": "Ashburn NAT",
}


def test_new_then_get_returns_the_live_shape(exo) -> None:
    created = exo.ok("New-InboundConnector", RELAY)[0]
    got = exo.ok("Get-InboundConnector", {"Identity": "dc1-relay"})
    assert got == [created]
    assert created["SenderDomains"] == ["smtp:contoso.com;1", "smtp:*.contoso.com;1"]
    assert created["SenderIPAddresses"] == ["203.0.113.0/28", "198.51.100.25"]
    assert created["Identity"] == created["Name"] == "dc1-relay" and created["ConnectorSource"] == "AdminUI"
    assert created["Enabled"] is True and created["TlsSenderCertificateName"] is None
    assert created["WhenCreatedUTC"].endswith("Z") and "id" not in created


UNSUPPORTED = ("isn't supported. Only IPv4 addresses and IPv4 CIDR ranges with a subnet mask from /24 to /32 "
               "are allowed; IPv6 isn't supported.")


@pytest.mark.parametrize(
    ("address", "why"),
    [
        ("203.0.113.0/23", f'The value "203.0.113.0/23" of SenderIPAddresses {UNSUPPORTED}'),
        ("10.0.0.0/8", f'The value "10.0.0.0/8" of SenderIPAddresses {UNSUPPORTED}'),
        ("2001:db8::1", f'The value "2001:db8::1" of SenderIPAddresses {UNSUPPORTED}'),
        ("2001:db8::/120", f'The value "2001:db8::/120" of SenderIPAddresses {UNSUPPORTED}'),
        ("not-an-ip", '"not-an-ip" is not a valid IP address or CIDR range for SenderIPAddresses.'),
    ],
)
def test_sender_ips_are_ipv4_24_to_32_only(exo, address: str, why: str) -> None:
    exc, text = exo.fails("New-InboundConnector", {**RELAY, "SenderIPAddresses": [address]})
    assert exc == "Microsoft.Exchange.Data.DataValidationException" and why in text
    assert exo.ok("Get-InboundConnector") == []  # nothing half-created


@pytest.mark.parametrize("address", ["203.0.113.0/24", "203.0.113.7/32", "203.0.113.7"])
def test_sender_ips_from_24_to_32_are_accepted(exo, address: str) -> None:
    created = exo.ok("New-InboundConnector", {**RELAY, "SenderIPAddresses": [address]})[0]
    assert created["SenderIPAddresses"] == [address]


def test_names_are_unique_on_new_and_on_rename(exo) -> None:
    exo.ok("New-InboundConnector", RELAY)
    exc, text = exo.fails("New-InboundConnector", {**RELAY, "SenderIPAddresses": ["192.0.2.1"]})
    assert exc.endswith("ADObjectAlreadyExistsException") and "already exists" in text
    exo.ok("New-InboundConnector", {**RELAY, "Name": "dc2-relay", "SenderIPAddresses": ["192.0.2.1"]})
    exc, _ = exo.fails("Set-InboundConnector", {"Identity": "dc2-relay", "Name": "DC1-RELAY"})
    assert exc.endswith("ADObjectAlreadyExistsException")


def test_get_with_unknown_identity_returns_every_connector(exo) -> None:
    exo.ok("New-InboundConnector", RELAY)
    exo.ok("New-InboundConnector", {**RELAY, "Name": "dc2-relay"})
    assert [c["Name"] for c in exo.ok("Get-InboundConnector", {"Identity": "no-such"})] == [
        "dc1-relay",
        "dc2-relay",
    ]


def test_set_changes_fields_and_hashtable_edits_multivalued(exo) -> None:
    exo.ok("New-InboundConnector", RELAY)
    assert (
        exo.ok(
            "Set-InboundConnector",
            {
                "Identity": "dc1-relay",
                "Enabled": False,
                "SenderIPAddresses": {
                    "@odata.type": "#Exchange.GenericHashTable",
                    "Add": ["192.0.2.7"],
                    "Remove": ["198.51.100.25"],
                },
            },
        )
        == []
    )
    got = exo.ok("Get-InboundConnector", {"Identity": "dc1-relay"})[0]
    assert got["Enabled"] is False and got["SenderIPAddresses"] == ["203.0.113.0/28", "192.0.2.7"]
    _, text = exo.fails(
        "Set-InboundConnector", {"Identity": "dc1-relay", "SenderIPAddresses": ["192.0.2.0/16"]}
    )
    assert f'The value "192.0.2.0/16" of SenderIPAddresses {UNSUPPORTED}' in text
    assert exo.ok("Get-InboundConnector", {"Identity": "dc1-relay"})[0]["SenderIPAddresses"] == [
        "203.0.113.0/28",
        "192.0.2.7",
    ]


def test_remove_and_missing_objects(exo) -> None:
    exo.ok("New-InboundConnector", RELAY)
    assert exo.ok("Remove-InboundConnector", {"Identity": "dc1-relay", "Confirm": False}) == []
    assert exo.ok("Get-InboundConnector") == []
    exc, text = exo.fails("Remove-InboundConnector", {"Identity": "dc1-relay"})
    assert exc == NOT_FOUND and "object 'dc1-relay' couldn't be found" in text
    exc, _ = exo.fails("Set-InboundConnector", {"Identity": "dc1-relay", "Enabled": True})
    assert exc == NOT_FOUND


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"SenderDomains": ["mail.*.contoso.com"]},
         '"mail.*.contoso.com" is not a valid SMTP domain for SenderDomains (a wildcard is allowed only as the '
         "first label, like *.contoso.com)."),
        ({"ConnectorType": "Partner", "TreatMessagesAsInternal": True},
         "TreatMessagesAsInternal can be $true only on an OnPremises connector without CloudServicesMailEnabled."),
        ({"TreatMessagesAsInternal": True, "CloudServicesMailEnabled": True},
         "TreatMessagesAsInternal can be $true only on an OnPremises connector without CloudServicesMailEnabled."),
        ({"SenderDomains": []},
         "SenderDomains can't be empty. Specify at least one domain, or * for all domains."),
        ({"ConnectorType": "Internal"},
         'Cannot convert value "Internal" to type ConnectorType. Valid values are: Partner, OnPremises.'),
    ],
    ids=["embedded-wildcard", "internal-on-partner", "internal-with-cloud-services", "no-domains", "bad-type"],
)
def test_each_inbound_rule_refuses_with_its_own_reason(exo, change: dict[str, object], why: str) -> None:
    exc, text = exo.fails("New-InboundConnector", {**RELAY, **change})
    assert exc == "Microsoft.Exchange.Data.DataValidationException" and why in text
    assert exo.ok("Get-InboundConnector") == []


def test_treat_as_internal_is_accepted_where_the_rule_allows_it(exo) -> None:
    created = exo.ok("New-InboundConnector", {**RELAY, "TreatMessagesAsInternal": True})[0]
    assert created["TreatMessagesAsInternal"] is True


def test_outbound_connector_has_its_own_shape_and_rules(exo) -> None:
    created = exo.ok(
        "New-OutboundConnector",
        {
            "Name": "to-partner",
            "UseMXRecord": False,
            "SmartHosts": ["smtp.partner.example"],
            "ConnectorType": "Partner",
            "TlsSettings": "CertificateValidation",
        },
    )[0]
    assert created["SmartHosts"] == ["smtp.partner.example"] and "SenderDomains" not in created
    assert created["MtaStsMode"] == "Opportunistic"
    refusals = [
        ({"Name": "no-hosts", "UseMXRecord": False}, "SmartHosts must be specified when UseMXRecord is $false."),
        ({"Name": "tls", "TlsDomain": "x.example", "TlsSettings": "EncryptionOnly"},
         "TlsDomain can be set only when TlsSettings is DomainValidation."),
        ({"Name": "srs", "ConnectorType": "Partner", "SenderRewritingEnabled": True},
         "SenderRewritingEnabled can be set only on connectors of type OnPremises."),
        ({"Name": "host", "UseMXRecord": False, "SmartHosts": ["*.partner.example"]},
         '"*.partner.example" is not a valid SmartHost (an FQDN, an IP address or a CIDR range).'),
        ({"Name": "tls-level", "TlsSettings": "Strict"}, 'Cannot convert value "Strict" to type TlsAuthLevel.'),
        ({"Name": "recipients", "RecipientDomains": ["mail.*.partner.example"]},
         '"mail.*.partner.example" is not a valid SMTP domain for RecipientDomains'),
    ]
    for params, why in refusals:
        exc, text = exo.fails("New-OutboundConnector", params)
        assert exc == "Microsoft.Exchange.Data.DataValidationException" and why in text, params
    exc, _ = exo.fails("Get-OutboundConnector", {"Identity": "nope"})
    assert exc == NOT_FOUND
    exo.ok("Remove-OutboundConnector", {"Identity": "to-partner"})
    assert exo.ok("Get-OutboundConnector") == []
