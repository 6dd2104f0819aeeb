"""Relay, partner and outbound connectors as the audit reports them, from hand-built Get-InboundConnector and
Get-OutboundConnector rows: which undeclared connectors each side owns, what a missing one shows, the exact
reasons, and unknown (never missing) when the read failed."""

from __future__ import annotations

from audit_helpers import snapshot

from o365relay.audit.compare_connectors import (
    compare_connectors,
    compare_outbound_connectors,
    compare_partner_connectors,
)
from o365relay.audit.model import FieldDiff, Item
from o365relay.audit.snapshot import Read
from o365relay.spec.model import Connector, OutboundConnector, PartnerConnector, RelaySpec, Tenant

TENANT = Tenant("7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a", "contoso.onmicrosoft.com")
RELAY = Connector("dc1-relay", sender_ips=("198.51.100.25",))
PARTNER = PartnerConnector("ticketing", sender_domains=("contoso.com",), certificate_name="mx.ticketing.example")
OUTBOUND = OutboundConnector("to-fabrikam", recipient_domains=("fabrikam.com",), use_mx_record=True)
SPEC = RelaySpec(version=1, tenant=TENANT, connectors={"dc1-relay": RELAY})
FAILED: Read[list[dict]] = Read("Get-InboundConnector", error="Throttled: still 429 after 6 attempts")


def relay_row(name: str, **changes: object) -> dict:
    return {"Name": name, "ConnectorType": "OnPremises", "SenderIPAddresses": ["198.51.100.25/32"],
            "SenderDomains": ["smtp:*;1"], "TlsSenderCertificateName": None, "RequireTls": True, "Enabled": True,
            "Comment": None, "WhenChangedUTC": "2026-11-02T10:00:00Z", "Identity": name, **changes}


def partner_row(name: str, **changes: object) -> dict:
    return {**relay_row(name), "ConnectorType": "Partner", "SenderIPAddresses": [],
            "SenderDomains": ["smtp:contoso.com;1"], "TlsSenderCertificateName": "mx.ticketing.example",
            "RestrictDomainsToIPAddresses": False, "RestrictDomainsToCertificate": True,
            "AssociatedAcceptedDomains": [], **changes}


def inbound(*rows: dict) -> Read:
    return Read("Get-InboundConnector", list(rows))


def test_a_declared_connector_is_found_by_name_in_any_case_and_compared_field_by_field():
    row = relay_row("DC1-Relay", RequireTls=False)
    [item] = compare_connectors(SPEC, snapshot(connectors=inbound(row)))
    assert (item.kind, item.name, item.status, item.spec_path) == ("connector", "dc1-relay", "drift",
                                                                   "spec.connectors.dc1-relay")
    assert item.diffs == (FieldDiff("RequireTls", True, False),)
    assert [f.field for f in item.fields] == ["ConnectorType", "SenderIPAddresses", "SenderDomains",
                                              "TlsSenderCertificateName", "RequireTls", "Enabled", "Comment"]
    assert item.evidence == {k: v for k, v in row.items() if k != "Identity"}  # the row as read, its fields only


def test_a_declared_connector_the_tenant_lacks_is_missing_with_every_desired_field():
    desired = {"ConnectorType": "OnPremises", "SenderIPAddresses": ["198.51.100.25"], "SenderDomains": ["*"],
               "TlsSenderCertificateName": None, "RequireTls": True, "Enabled": True, "Comment": ""}
    assert compare_connectors(SPEC, snapshot(connectors=inbound())) == [
        Item("connector", "dc1-relay", "missing", spec_path="spec.connectors.dc1-relay", evidence={"desired": desired},
             fields=tuple(FieldDiff(k, v, None) for k, v in desired.items()))]


def test_undeclared_onpremises_connectors_are_unexpected_and_other_types_are_left_alone():
    rows = [relay_row("dc1-relay"), relay_row("Old printers"), partner_row("Newsletter tool")]
    items = compare_connectors(SPEC, snapshot(connectors=inbound(*rows)))
    assert items[1:] == [Item("connector", "Old printers", "unexpected",
                              reason="an OnPremises inbound connector the spec does not declare",
                              evidence={k: v for k, v in rows[1].items() if k != "Identity"})]
    assert compare_connectors(SPEC, snapshot(connectors=Read("Get-InboundConnector", None)))[0].status == "missing"


def test_a_row_named_as_a_declared_partner_is_never_an_unexpected_relay_connector():
    spec = RelaySpec(version=1, tenant=TENANT, partner_connectors={"Ticketing": PARTNER})
    assert compare_connectors(spec, snapshot(connectors=inbound(relay_row("ticketing")))) == []
    assert compare_connectors(spec, snapshot(connectors=inbound())) == []  # a partner the tenant lacks: not ours


def test_a_relay_connector_switched_to_partner_is_drift_and_never_also_an_unexpected_partner():
    spec = RelaySpec(version=1, tenant=TENANT, connectors={"dc1-relay": RELAY},
                     partner_connectors={"ticketing": PARTNER})
    snap = snapshot(connectors=inbound(relay_row("DC1-Relay", ConnectorType="Partner"), partner_row("ticketing")))
    [relay] = compare_connectors(spec, snap)
    assert (relay.status, relay.diffs) == ("drift", (FieldDiff("ConnectorType", "OnPremises", "Partner"),))
    assert [(i.name, i.status) for i in compare_partner_connectors(spec, snap)] == [("ticketing", "in_sync")]


def test_a_failed_read_makes_each_declared_connector_unknown_or_says_the_undeclared_ones_are():
    spec = RelaySpec(version=1, tenant=TENANT, connectors={"dc1-relay": RELAY, "dc2": Connector("dc2")})
    reason = "Get-InboundConnector: Throttled: still 429 after 6 attempts"
    assert compare_connectors(spec, snapshot(connectors=FAILED)) == [
        Item("connector", "dc1-relay", "unknown", reason=reason, spec_path="spec.connectors.dc1-relay"),
        Item("connector", "dc2", "unknown", reason=reason, spec_path="spec.connectors.dc2")]
    assert compare_connectors(RelaySpec(version=1, tenant=TENANT), snapshot(connectors=FAILED)) == [
        Item("connector", "(undeclared connectors)", "unknown", reason=reason)]


def test_partner_connectors_undeclared_partner_rows_are_unexpected_once_the_spec_declares_one():
    spec = RelaySpec(version=1, tenant=TENANT, partner_connectors={"ticketing": PARTNER})
    rows = [partner_row("Ticketing"), partner_row("Newsletter tool"), relay_row("Old printers")]
    declared, stray = compare_partner_connectors(spec, snapshot(connectors=inbound(*rows)))
    assert (declared.kind, declared.name, declared.status, declared.spec_path) == (
        "partner_connector", "ticketing", "in_sync", "spec.connectors.ticketing")
    assert stray == Item("partner_connector", "Newsletter tool", "unexpected",
                         reason="a Partner inbound connector the spec does not declare (the spec declares the "
                                "partner side)",
                         evidence={k: v for k, v in rows[1].items() if k != "Identity"})
    [missing] = compare_partner_connectors(spec, snapshot(connectors=Read("Get-InboundConnector", None)))
    assert (missing.status, missing.evidence["desired"]["RestrictDomainsToCertificate"]) == ("missing", True)


def test_partner_connectors_without_a_declared_one_are_not_looked_at_and_a_failed_read_is_unknown():
    assert compare_partner_connectors(SPEC, snapshot(connectors=inbound(partner_row("Newsletter tool")))) == []
    assert compare_partner_connectors(SPEC, snapshot(connectors=FAILED)) == []
    spec = RelaySpec(version=1, tenant=TENANT, partner_connectors={"ticketing": PARTNER, "crm": PARTNER})
    reason = "Get-InboundConnector: Throttled: still 429 after 6 attempts"
    assert compare_partner_connectors(spec, snapshot(connectors=FAILED)) == [
        Item("partner_connector", "ticketing", "unknown", reason=reason, spec_path="spec.connectors.ticketing"),
        Item("partner_connector", "crm", "unknown", reason=reason, spec_path="spec.connectors.crm")]


def outbound_row(name: str) -> dict:
    return {"Name": name, "ConnectorType": "Partner", "RecipientDomains": ["fabrikam.com"],
            "IsTransportRuleScoped": False, "SmartHosts": [], "UseMXRecord": True, "TlsSettings": None,
            "TlsDomain": None, "Enabled": True, "Comment": "", "WhenChangedUTC": "2026-11-02T10:00:00Z", "Guid": "g"}


def test_outbound_connectors_every_undeclared_one_is_unexpected_once_the_spec_declares_one():
    spec = RelaySpec(version=1, tenant=TENANT, outbound_connectors={"to-fabrikam": OUTBOUND})
    rows = [outbound_row("To-Fabrikam"), {**outbound_row("Legacy smarthost"), "ConnectorType": "OnPremises"}]
    read = Read("Get-OutboundConnector", rows)
    declared, stray = compare_outbound_connectors(spec, snapshot(outbound_connectors=read))
    assert (declared.kind, declared.name, declared.status, declared.spec_path) == (
        "outbound_connector", "to-fabrikam", "in_sync", "spec.connectors.to-fabrikam")
    assert stray == Item("outbound_connector", "Legacy smarthost", "unexpected",
                         reason="an outbound connector the spec does not declare (the spec declares the outbound side)",
                         evidence={k: v for k, v in rows[1].items() if k != "Guid"})
    [missing] = compare_outbound_connectors(spec, snapshot(outbound_connectors=Read("Get-OutboundConnector", None)))
    assert (missing.status, missing.evidence["desired"]["UseMXRecord"]) == ("missing", True)


def test_outbound_connectors_without_a_declared_one_are_not_looked_at_and_a_failed_read_is_unknown():
    failed = Read("Get-OutboundConnector", error="503")
    rows = Read("Get-OutboundConnector", [outbound_row("Legacy smarthost")])
    assert compare_outbound_connectors(SPEC, snapshot(outbound_connectors=rows)) == []
    assert compare_outbound_connectors(SPEC, snapshot(outbound_connectors=failed)) == []
    spec = RelaySpec(version=1, tenant=TENANT, outbound_connectors={"to-fabrikam": OUTBOUND, "b": OUTBOUND})
    assert compare_outbound_connectors(spec, snapshot(outbound_connectors=failed)) == [
        Item("outbound_connector", "to-fabrikam", "unknown", reason="Get-OutboundConnector: 503",
             spec_path="spec.connectors.to-fabrikam"),
        Item("outbound_connector", "b", "unknown", reason="Get-OutboundConnector: 503", spec_path="spec.connectors.b")]
