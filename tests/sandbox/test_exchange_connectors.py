"""Inbound and outbound connector cmdlets: the real rules and shapes (reference 2.1, 2.2)."""

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


@pytest.mark.parametrize(
    "address", ["203.0.113.0/23", "10.0.0.0/8", "2001:db8::1", "2001:db8::/120", "not-an-ip"]
)
def test_sender_ips_are_ipv4_24_to_32_only(exo, address: str) -> None:
    exc, text = exo.fails("New-InboundConnector", {**RELAY, "SenderIPAddresses": [address]})
    assert exc == "Microsoft.Exchange.Data.DataValidationException" and address in text
    assert exo.ok("Get-InboundConnector") == []  # nothing half-created


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
    exc, _ = exo.fails(
        "Set-InboundConnector", {"Identity": "dc1-relay", "SenderIPAddresses": ["192.0.2.0/16"]}
    )
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


def test_embedded_wildcard_domain_and_treat_as_internal_rules(exo) -> None:
    exo.fails("New-InboundConnector", {**RELAY, "SenderDomains": ["mail.*.contoso.com"]})
    exo.fails("New-InboundConnector", {**RELAY, "ConnectorType": "Partner", "TreatMessagesAsInternal": True})
    exo.fails("New-InboundConnector", {**RELAY, "SenderDomains": []})
    exo.fails("New-InboundConnector", {**RELAY, "ConnectorType": "Internal"})


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
    exo.fails("New-OutboundConnector", {"Name": "no-hosts", "UseMXRecord": False})
    exo.fails(
        "New-OutboundConnector", {"Name": "tls", "TlsDomain": "x.example", "TlsSettings": "EncryptionOnly"}
    )
    exo.fails(
        "New-OutboundConnector", {"Name": "srs", "ConnectorType": "Partner", "SenderRewritingEnabled": True}
    )
    exc, _ = exo.fails("Get-OutboundConnector", {"Identity": "nope"})
    assert exc == NOT_FOUND
    exo.ok("Remove-OutboundConnector", {"Identity": "to-partner"})
    assert exo.ok("Get-OutboundConnector") == []
