"""exchange:InboundConnector through the real provider host against the sandbox."""

from __future__ import annotations

import grpc
import pytest
from dynamic_host import DynamicHost
from provider_support import Driven, Tenant

from components.providers.inbound_connector import InboundConnectorProvider

TYPE = "pulumi-python:dynamic/exchange:InboundConnector"
PROPS = {"name": "dc1-relay", "connector_type": "OnPremises", "sender_ips": ["203.0.113.0/28", "198.51.100.25"],
         "sender_domains": ["*"], "require_tls": True, "enabled": True, "comment": "Ashburn NAT"}


def connector(host: DynamicHost, name: str = "dc1") -> Driven:
    return Driven(host, InboundConnectorProvider(), TYPE, name)


def tenant_connector(tenant: Tenant, name: str = "dc1-relay") -> dict | None:
    return next((c for c in tenant.exchange("Get-InboundConnector") if c["Name"] == name), None)


def test_check_reports_every_bad_input(host: DynamicHost) -> None:
    _, failures = connector(host).check({**PROPS, "sender_ips": ["203.0.113.0/16", "2001:db8::1"],
                                         "require_tls": "yes", "extra": 1})
    reasons = dict(failures)
    assert "/24 to /32" in reasons["sender_ips"] and "IPv4 sender addresses only" in reasons["sender_ips"]
    assert "true or false" in reasons["require_tls"]
    assert "not an input" in reasons["extra"]
    _, failures = connector(host).check({k: v for k, v in PROPS.items() if k != "sender_ips"})
    assert dict(failures)["sender_ips"] == "sender_ips is required"


def test_check_refuses_what_the_spec_refuses(host: DynamicHost) -> None:
    """One sender-IP rule: a resource declared outside the spec is held to the loader's rule, so a
    private range (never what Exchange sees after NAT) or a range with host bits fails before any call."""
    _, failures = connector(host).check({**PROPS, "sender_ips": ["10.1.2.0/24", "203.0.113.5/24"]})
    reason = dict(failures)["sender_ips"]
    assert "'10.1.2.0/24'" not in reason and "10.1.2.0/24 is in private address space" in reason
    assert "'203.0.113.5/24' has host bits set" in reason


def test_lifecycle(host: DynamicHost, tenant: Tenant) -> None:
    res = connector(host)
    outs = res.create(PROPS)
    assert res.id == "dc1-relay"
    live = tenant_connector(tenant)
    assert live is not None and live["SenderIPAddresses"] == ["203.0.113.0/28", "198.51.100.25"]
    assert live["ConnectorType"] == "OnPremises" and live["SenderDomains"] == ["smtp:*;1"]
    assert outs["guid"] == live["Guid"] and outs["sender_ips"] == PROPS["sender_ips"]

    # Exchange's own forms (smtp:*;1, another IP order, /32) are no change
    assert res.diff({**PROPS, "sender_ips": ["198.51.100.25/32", "203.0.113.0/28"]}).changes == "DIFF_NONE"
    read_id, read_outs = res.read()
    assert read_id == "dc1-relay" and read_outs["sender_domains"] == ["*"]
    res.outputs = read_outs
    assert res.diff(PROPS).changes == "DIFF_NONE"

    # update: an IP added
    changed = {**PROPS, "sender_ips": [*PROPS["sender_ips"], "192.0.2.7"]}
    d = res.diff(changed)
    assert (d.changes, d.replaces) == ("DIFF_SOME", [])
    outs = res.update(changed)
    assert outs["sender_ips"] == changed["sender_ips"] and outs["guid"] == live["Guid"]  # full outputs kept
    assert tenant_connector(tenant)["SenderIPAddresses"] == changed["sender_ips"]

    # replace: a rename
    d = res.diff({**changed, "name": "dc1-relay-v2"})
    assert (d.changes, d.replaces) == ("DIFF_SOME", ["name"])

    # drift seen on refresh
    tenant.exchange("Set-InboundConnector", {"Identity": "dc1-relay", "Enabled": False})
    _, drifted = res.read()
    assert drifted["enabled"] is False
    res.outputs = drifted
    assert res.diff(changed).changes == "DIFF_SOME"

    res.delete()
    assert tenant_connector(tenant) is None
    assert res.read()[0] == ""  # refresh: gone
    res.delete()  # delete after delete: already gone is fine


def test_create_after_interrupted_create_adopts(host: DynamicHost, tenant: Tenant) -> None:
    tenant.exchange("New-InboundConnector", {"Name": "dc1-relay", "ConnectorType": "OnPremises",
                                      "SenderIPAddresses": ["198.51.100.25", "203.0.113.0/28"],
                                      "SenderDomains": ["*"], "RequireTls": True, "Enabled": True,
                                      "Comment": "Ashburn NAT"})
    guid = tenant_connector(tenant)["Guid"]
    res = connector(host)
    assert res.create(PROPS)["guid"] == guid
    assert len([c for c in tenant.exchange("Get-InboundConnector") if c["Name"] == "dc1-relay"]) == 1


def test_create_refuses_a_conflicting_connector(host: DynamicHost, tenant: Tenant) -> None:
    tenant.exchange("New-InboundConnector", {"Name": "dc1-relay", "ConnectorType": "OnPremises",
                                      "SenderIPAddresses": ["192.0.2.0/24"], "SenderDomains": ["*"]})
    with pytest.raises(grpc.RpcError) as err:
        connector(host).create(PROPS)
    assert err.value.code() == grpc.StatusCode.UNKNOWN
    details = err.value.details()
    assert "already exists in the tenant with different settings" in details
    assert "sender_ips: tenant has ['192.0.2.0/24']" in details
    assert "Remove-InboundConnector -Identity 'dc1-relay'" in details
    assert tenant_connector(tenant)["SenderIPAddresses"] == ["192.0.2.0/24"]  # left alone


def test_certificate_name_must_be_in_an_accepted_domain(host: DynamicHost, tenant: Tenant) -> None:
    by_certificate = {**PROPS, "sender_ips": [], "tls_sender_certificate_name": "relay.fabrikam.example"}
    with pytest.raises(grpc.RpcError) as err:
        connector(host).create(by_certificate)
    assert "in none of the tenant's accepted domains" in err.value.details()
    assert "contoso.com" in err.value.details()
    assert tenant_connector(tenant) is None
    connector(host, "dc2").create({**by_certificate, "tls_sender_certificate_name": "*.relay.contoso.com"})
    assert tenant_connector(tenant)["TlsSenderCertificateName"] == "*.relay.contoso.com"
