"""Outbound connectors: the live record shape and the parameter rules of New-OutboundConnector's reference."""

from __future__ import annotations

import pytest

INVALID = "Microsoft.Exchange.Data.DataValidationException"
# The keys of the live Get-OutboundConnector record (as documented and observed), plus the common identity keys.
LIVE_KEYS = {
    "Enabled", "UseMXRecord", "Comment", "ConnectorType", "ConnectorSource", "RecipientDomains", "SmartHosts",
    "TlsDomain", "TlsSettings", "IsTransportRuleScoped", "RouteAllMessagesViaOnPremises",
    "CloudServicesMailEnabled", "AllAcceptedDomains", "SenderRewritingEnabled", "MtaStsMode", "SmtpDaneMode",
    "TestMode", "ValidationRecipients", "IsValidated", "LastValidationTimestamp", "Name", "Identity", "Guid",
    "IsValid",
}
PARTNER = {"Name": "to-fabrikam", "ConnectorType": "Partner", "RecipientDomains": ["fabrikam.com", "*.fabrikam.com"],
           "UseMXRecord": False, "SmartHosts": ["mx.fabrikam.com", "198.51.100.0/29"],
           "TlsSettings": "DomainValidation", "TlsDomain": "mail.fabrikam.com"}


def test_outbound_record_has_the_live_shape_not_the_inbound_one(exo) -> None:
    created = exo.ok("New-OutboundConnector", PARTNER)[0]
    assert set(created) >= LIVE_KEYS
    assert not {"RequireTls", "SenderDomains", "SenderIPAddresses", "TlsSenderCertificateName"} & set(created)
    assert created["RecipientDomains"] == ["fabrikam.com", "*.fabrikam.com"]
    assert (created["TlsSettings"], created["TlsDomain"], created["UseMXRecord"]) == (
        "DomainValidation", "mail.fabrikam.com", False)
    assert exo.ok("Get-OutboundConnector", {"Identity": "to-fabrikam"}) == [created]


@pytest.mark.parametrize("changes", [
    {"SmartHosts": ["smtp:relay"]},
    {"SmartHosts": ["*.fabrikam.com"]},
    {"RecipientDomains": ["fab*rikam.com"]},
    {"TlsSettings": "Opportunistic", "TlsDomain": None},
    {"TlsSettings": "CertificateValidation"},  # TlsDomain given without DomainValidation
    {"SmartHosts": []},  # UseMXRecord false needs smart hosts
])
def test_bad_parameters_are_refused_and_nothing_is_created(exo, changes: dict) -> None:
    exc, _ = exo.fails("New-OutboundConnector", {**PARTNER, **changes})
    assert exc == INVALID
    assert exo.ok("Get-OutboundConnector") == []


def test_set_switches_to_mx_routing_and_keeps_rules(exo) -> None:
    exo.ok("New-OutboundConnector", PARTNER)
    exo.ok("Set-OutboundConnector", {"Identity": "to-fabrikam", "UseMXRecord": True, "SmartHosts": [],
                                     "TlsSettings": "CertificateValidation", "TlsDomain": None})
    live = exo.ok("Get-OutboundConnector", {"Identity": "to-fabrikam"})[0]
    assert (live["UseMXRecord"], live["SmartHosts"], live["TlsDomain"]) == (True, [], None)
    exc, _ = exo.fails("Set-OutboundConnector", {"Identity": "to-fabrikam", "UseMXRecord": False})
    assert exc == INVALID
