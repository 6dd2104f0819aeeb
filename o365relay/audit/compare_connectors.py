"""Connectors: declared relay (inbound) connectors field by field, undeclared OnPremises inbound ones, and
the declared outbound connectors (see below).

Inbound, only OnPremises connectors are in scope: they are what lets a device relay through the tenant,
and the spec declares no other inbound type. Partner inbound connectors belong to other integrations.
"""

from __future__ import annotations

from typing import Any

from o365relay import exchange_values as xv
from o365relay.audit.common import compared, public, unknown_item
from o365relay.audit.model import FieldDiff, Item
from o365relay.audit.snapshot import Row, Snapshot
from o365relay.spec.model import Connector, OutboundConnector, RelaySpec

EVIDENCE_FIELDS = ("Name", "ConnectorType", "SenderIPAddresses", "SenderDomains", "TlsSenderCertificateName",
                   "RequireTls", "Enabled", "Comment", "WhenChangedUTC")


def desired_fields(connector: Connector) -> dict[str, Any]:
    return {
        "ConnectorType": "OnPremises",
        "SenderIPAddresses": xv.ip_ranges(connector.sender_ips),
        "SenderDomains": xv.sender_domains(connector.sender_domains),
        "TlsSenderCertificateName": xv.optional_lower(connector.certificate_name),
        "RequireTls": connector.require_tls,
        "Enabled": connector.enabled,
        "Comment": connector.comment,
    }


def actual_fields(row: Row) -> dict[str, Any]:
    return {
        "ConnectorType": row.get("ConnectorType"),
        "SenderIPAddresses": xv.ip_ranges(row.get("SenderIPAddresses")),
        "SenderDomains": xv.sender_domains(row.get("SenderDomains")),
        "TlsSenderCertificateName": xv.optional_lower(row.get("TlsSenderCertificateName")),
        "RequireTls": xv.boolean(row.get("RequireTls")),
        "Enabled": xv.boolean(row.get("Enabled")),
        "Comment": xv.text(row.get("Comment")),
    }


def compare_connectors(spec: RelaySpec, snap: Snapshot) -> list[Item]:
    if not snap.connectors.ok:
        names = list(spec.connectors) or ["(undeclared connectors)"]
        return [unknown_item("connector", n, [snap.connectors], f"spec.connectors.{n}") for n in names]  # type: ignore[misc]
    rows = {xv.lower(r.get("Name")): r for r in snap.connectors.value or []}
    items = []
    for name, connector in spec.connectors.items():
        path = f"spec.connectors.{name}"
        row = rows.pop(name.lower(), None)
        if row is None:
            items.append(_missing("connector", name, path, desired_fields(connector)))
        else:
            items.append(compared("connector", name, desired_fields(connector), actual_fields(row),
                                  public(row, *EVIDENCE_FIELDS), path))
    for row in rows.values():
        if row.get("ConnectorType") == "OnPremises":
            items.append(Item("connector", str(row.get("Name")), "unexpected",
                              reason="an OnPremises inbound connector the spec does not declare",
                              evidence=public(row, *EVIDENCE_FIELDS)))
    return items


def _missing(kind: str, name: str, path: str, desired: dict[str, Any]) -> Item:
    """A declared connector the tenant lacks: every desired field against nothing."""
    return Item(kind, name, "missing", spec_path=path, evidence={"desired": desired},
                fields=tuple(FieldDiff(k, v, None) for k, v in desired.items()))


# Outbound connectors (``direction: outbound``). Once the spec declares one, it owns the tenant's
# outbound side: every undeclared outbound connector is unexpected. A spec without any leaves that
# side out of scope (hybrid and third-party connectors are not the relay's business).
OUTBOUND_EVIDENCE_FIELDS = ("Name", "ConnectorType", "RecipientDomains", "IsTransportRuleScoped", "SmartHosts",
                            "UseMXRecord", "TlsSettings", "TlsDomain", "Enabled", "Comment", "WhenChangedUTC")


def desired_outbound_fields(connector: OutboundConnector) -> dict[str, Any]:
    return {
        "RecipientDomains": xv.sender_domains(connector.recipient_domains),
        "IsTransportRuleScoped": connector.transport_rule_scoped,
        "SmartHosts": xv.smart_hosts(connector.smart_hosts),
        "UseMXRecord": connector.use_mx_record,
        "TlsSettings": connector.tls,
        "TlsDomain": xv.optional_lower(connector.tls_domain),
        "Enabled": connector.enabled,
        "Comment": connector.comment,
    }


def actual_outbound_fields(row: Row) -> dict[str, Any]:
    return {
        "RecipientDomains": xv.sender_domains(row.get("RecipientDomains")),
        "IsTransportRuleScoped": xv.boolean(row.get("IsTransportRuleScoped")),
        "SmartHosts": xv.smart_hosts(row.get("SmartHosts")),
        "UseMXRecord": xv.boolean(row.get("UseMXRecord")),
        "TlsSettings": row.get("TlsSettings") or None,
        "TlsDomain": xv.optional_lower(row.get("TlsDomain")),
        "Enabled": xv.boolean(row.get("Enabled")),
        "Comment": xv.text(row.get("Comment")),
    }


def compare_outbound_connectors(spec: RelaySpec, snap: Snapshot) -> list[Item]:
    if not spec.outbound_connectors:
        return []
    read = snap.outbound_connectors
    if not read.ok:
        return [unknown_item("outbound_connector", n, [read], f"spec.connectors.{n}")  # type: ignore[misc]
                for n in spec.outbound_connectors]
    rows = {xv.lower(r.get("Name")): r for r in read.value or []}
    items = []
    for name, connector in spec.outbound_connectors.items():
        path = f"spec.connectors.{name}"
        row = rows.pop(name.lower(), None)
        if row is None:
            items.append(_missing("outbound_connector", name, path, desired_outbound_fields(connector)))
        else:
            items.append(compared("outbound_connector", name, desired_outbound_fields(connector),
                                  actual_outbound_fields(row), public(row, *OUTBOUND_EVIDENCE_FIELDS), path))
    items += [Item("outbound_connector", str(row.get("Name")), "unexpected",
                   reason="an outbound connector the spec does not declare (the spec declares the outbound side)",
                   evidence=public(row, *OUTBOUND_EVIDENCE_FIELDS)) for row in rows.values()]
    return items
