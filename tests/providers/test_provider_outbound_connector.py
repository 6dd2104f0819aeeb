"""exchange:OutboundConnector through the real provider host against the sandbox."""

from __future__ import annotations

import base64
import json

import grpc
import pytest
from dynamic_host import DynamicHost
from provider_support import Driven, Tenant

from components.providers.outbound_connector import OutboundConnector, OutboundConnectorProvider
from o365relay.sandbox.runner import Sandbox

TYPE = "pulumi-python:dynamic/exchange:OutboundConnector"
PROPS = {"name": "to-fabrikam", "connector_type": "Partner", "recipient_domains": ["fabrikam.com", "*.fabrikam.com"],
         "is_transport_rule_scoped": False, "smart_hosts": ["mx.fabrikam.com", "198.51.100.0/29"],
         "use_mx_record": False, "tls_settings": "DomainValidation", "tls_domain": "mail.fabrikam.com",
         "enabled": True, "comment": "partner gateway"}


def connector(host: DynamicHost, name: str = "fabrikam") -> Driven:
    return Driven(host, OutboundConnectorProvider(), TYPE, name)


def tenant_connector(tenant: Tenant, name: str = "to-fabrikam") -> dict | None:
    return next((c for c in tenant.exchange("Get-OutboundConnector") if c["Name"] == name), None)


def test_check_reports_every_bad_input(host: DynamicHost) -> None:
    _, failures = connector(host).check({**PROPS, "smart_hosts": ["smtp:relay", "2001:db8::25"],
                                         "tls_settings": "Opportunistic", "use_mx_record": "no", "extra": 1})
    reasons = dict(failures)
    assert "'smtp:relay' is not a host name" in reasons["smart_hosts"] and "IPv4" in reasons["smart_hosts"]
    assert "must be one of EncryptionOnly" in reasons["tls_settings"]
    assert "true or false" in reasons["use_mx_record"] and "not an input" in reasons["extra"]


@pytest.mark.parametrize(("changes", "field"), [
    ({"is_transport_rule_scoped": True}, "recipient_domains"),  # both
    ({"recipient_domains": []}, "recipient_domains"),  # neither
    ({"use_mx_record": True}, "smart_hosts"),  # both
    ({"tls_settings": "CertificateValidation"}, "tls_domain"),  # a TLS domain without domain validation
])
def test_check_enforces_the_parameter_rules(host: DynamicHost, changes: dict, field: str) -> None:
    _, failures = connector(host).check({**PROPS, **changes})
    assert [name for name, _ in failures] == [field]


def test_lifecycle(host: DynamicHost, tenant: Tenant) -> None:
    res = connector(host)
    outs = res.create(PROPS)
    assert res.id == "to-fabrikam"
    live = tenant_connector(tenant)
    assert live is not None and live["SmartHosts"] == ["mx.fabrikam.com", "198.51.100.0/29"]
    assert (live["TlsSettings"], live["TlsDomain"], live["UseMXRecord"]) == ("DomainValidation",
                                                                             "mail.fabrikam.com", False)
    assert live["ConnectorType"] == "Partner" and "RequireTls" not in live
    assert outs["guid"] == live["Guid"]

    # Exchange's own forms (case, order) are no change
    same = {**PROPS, "smart_hosts": ["198.51.100.0/29", "MX.Fabrikam.com"],
            "recipient_domains": ["*.Fabrikam.com", "fabrikam.com"]}
    assert res.diff(same).changes == "DIFF_NONE"
    read_id, read_outs = res.read()
    assert read_id == "to-fabrikam" and read_outs["tls_settings"] == "DomainValidation"
    res.outputs = read_outs
    assert res.diff(PROPS).changes == "DIFF_NONE"

    # update: switch to MX routing with certificate validation (smart hosts and TLS domain cleared)
    changed = {**PROPS, "smart_hosts": [], "use_mx_record": True, "tls_settings": "CertificateValidation"}
    del changed["tls_domain"]
    d = res.diff(changed)
    assert (d.changes, d.replaces) == ("DIFF_SOME", [])
    outs = res.update(changed)
    assert outs["guid"] == live["Guid"] and outs["use_mx_record"] is True
    now = tenant_connector(tenant)
    assert (now["UseMXRecord"], now["SmartHosts"], now["TlsSettings"], now["TlsDomain"]) == (
        True, [], "CertificateValidation", None)

    # replace: a rename
    d = res.diff({**changed, "name": "to-fabrikam-v2"})
    assert (d.changes, d.replaces) == ("DIFF_SOME", ["name"])

    # drift seen on refresh
    tenant.exchange("Set-OutboundConnector", {"Identity": "to-fabrikam", "TlsSettings": "EncryptionOnly"})
    _, drifted = res.read()
    assert drifted["tls_settings"] == "EncryptionOnly"
    res.outputs = drifted
    assert res.diff(changed).changes == "DIFF_SOME"

    res.delete()
    assert tenant_connector(tenant) is None
    assert res.read()[0] == ""  # refresh: gone
    res.delete()  # delete after delete: already gone is fine


def test_create_after_interrupted_create_adopts(host: DynamicHost, tenant: Tenant) -> None:
    tenant.exchange("New-OutboundConnector", {"Name": "To-Fabrikam", "ConnectorType": "Partner",
                                              "RecipientDomains": ["*.fabrikam.com", "fabrikam.com"],
                                              "UseMXRecord": False,
                                              "SmartHosts": ["198.51.100.0/29", "MX.fabrikam.com"],
                                              "TlsSettings": "DomainValidation", "TlsDomain": "mail.fabrikam.com",
                                              "Comment": "partner gateway"})
    guid = tenant_connector(tenant, "To-Fabrikam")["Guid"]
    assert connector(host).create(PROPS)["guid"] == guid
    assert len(tenant.exchange("Get-OutboundConnector")) == 1


def test_create_refuses_a_conflicting_connector(host: DynamicHost, tenant: Tenant) -> None:
    tenant.exchange("New-OutboundConnector", {"Name": "to-fabrikam", "ConnectorType": "Partner",
                                              "RecipientDomains": ["fabrikam.com"], "UseMXRecord": False,
                                              "SmartHosts": ["relay.elsewhere.example"],
                                              "TlsSettings": "EncryptionOnly"})
    with pytest.raises(grpc.RpcError) as err:
        connector(host).create(PROPS)
    details = err.value.details()
    assert "outbound connector 'to-fabrikam' already exists in the tenant with different settings" in details
    assert "smart_hosts: tenant has ['relay.elsewhere.example']" in details
    assert "Remove-OutboundConnector -Identity 'to-fabrikam'" in details
    assert tenant_connector(tenant)["SmartHosts"] == ["relay.elsewhere.example"]  # left alone


def test_no_credentials_in_the_provider_blob_or_the_outputs(host: DynamicHost, sandbox: Sandbox,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    canary = "canary-outbound-5Rt8-do-not-leak"
    monkeypatch.setenv("AZURE_CLIENT_SECRET", canary)
    blob, as_secret = OutboundConnector._serialized()
    assert as_secret is False  # nothing in it needs hiding: the class reference and an empty config
    decoded = base64.b64decode(blob).decode("latin-1")
    assert canary not in decoded and sandbox.deployer_client_secret not in decoded
    res = connector(host)
    outs = res.create(PROPS)
    _, read = res.read()
    assert sandbox.deployer_client_secret not in json.dumps([outs, read])
