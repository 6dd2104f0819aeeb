"""exchange:PartnerConnector through the real provider host against the sandbox: a Partner inbound connector
restricted to the partner's IPs or certificate; it never takes over a relay (OnPremises) connector."""

from __future__ import annotations

import grpc
import pytest
from dynamic_host import DynamicHost
from provider_support import Driven, Tenant

from components.providers.partner_connector import PartnerConnectorProvider

TYPE = "pulumi-python:dynamic/exchange:PartnerConnector"
PROPS = {"name": "ticketing", "connector_type": "Partner", "sender_domains": ["contoso.com"],
         "sender_ips": ["192.0.2.0/24"], "restrict_domains_to_ip_addresses": True,
         "restrict_domains_to_certificate": False, "associated_accepted_domains": ["contoso.com"],
         "require_tls": True, "enabled": True, "comment": "helpdesk SaaS"}


def connector(host: DynamicHost) -> Driven:
    return Driven(host, PartnerConnectorProvider(), TYPE, "ticketing")


def live(tenant: Tenant, name: str = "ticketing") -> dict | None:
    return next((c for c in tenant.exchange("Get-InboundConnector") if c["Name"] == name), None)


@pytest.mark.parametrize(("changes", "field"), [
    ({"sender_domains": []}, "sender_domains"),
    ({"sender_ips": []}, "restrict_domains_to_ip_addresses"),  # restricted to no address
    ({"restrict_domains_to_certificate": True}, "restrict_domains_to_certificate"),  # no certificate name
])
def test_check_refuses_what_exchange_would(host: DynamicHost, changes: dict, field: str) -> None:
    _, failures = connector(host).check({**PROPS, **changes})
    assert [name for name, _ in failures] == [field]


def test_lifecycle(host: DynamicHost, tenant: Tenant) -> None:
    res = connector(host)
    outs = res.create(PROPS)
    row = live(tenant)
    assert row is not None and outs["guid"] == row["Guid"]
    assert (row["ConnectorType"], row["SenderIPAddresses"], row["RestrictDomainsToIPAddresses"],
            row["RestrictDomainsToCertificate"], row["AssociatedAcceptedDomains"], row["SenderDomains"]) == (
        "Partner", ["192.0.2.0/24"], True, False, ["contoso.com"], ["smtp:contoso.com;1"])
    assert res.diff({**PROPS, "sender_domains": ["Contoso.com"]}).changes == "DIFF_NONE"  # Exchange's forms
    _, read = res.read()
    res.outputs = read
    assert res.diff(PROPS).changes == "DIFF_NONE"

    # pin to the partner's certificate instead of its IPs
    pinned = {**PROPS, "sender_ips": [], "restrict_domains_to_ip_addresses": False,
              "tls_sender_certificate_name": "*.ticketing.example", "restrict_domains_to_certificate": True}
    assert res.diff(pinned).changes == "DIFF_SOME"
    res.update(pinned)
    row = live(tenant)
    assert (row["SenderIPAddresses"], row["RestrictDomainsToIPAddresses"], row["TlsSenderCertificateName"],
            row["RestrictDomainsToCertificate"]) == ([], False, "*.ticketing.example", True)

    # drift seen on refresh: someone lifts the restriction
    tenant.exchange("Set-InboundConnector", {"Identity": "ticketing", "RestrictDomainsToCertificate": False})
    _, drifted = res.read()
    res.outputs = drifted
    assert res.diff(pinned).changes == "DIFF_SOME"

    res.delete()
    assert live(tenant) is None
    res.delete()  # already gone is fine


def test_create_refuses_a_relay_connector_of_the_same_name(host: DynamicHost, tenant: Tenant) -> None:
    tenant.exchange("New-InboundConnector", {"Name": "ticketing", "ConnectorType": "OnPremises",
                                             "SenderDomains": ["*"], "SenderIPAddresses": ["192.0.2.0/24"]})
    with pytest.raises(grpc.RpcError) as err:
        connector(host).create(PROPS)
    details = err.value.details()
    assert "partner connector 'ticketing' already exists in the tenant with different settings" in details
    assert "connector_type: tenant has 'OnPremises'" in details
    assert live(tenant)["ConnectorType"] == "OnPremises"  # left alone
