"""`relayctl audit` on partner connectors against the sandbox tenant: in sync despite Exchange's value forms,
a lifted restriction as drift, missing, unexpected once the spec declares the partner side, unknown when the
read fails; a spec without partners leaves them alone."""

from __future__ import annotations

import shutil
from pathlib import Path

from audit_helpers import PROD_SPEC, SEEDS, item, run_audit, statuses

from o365relay.audit.compare import compare
from o365relay.audit.model import FieldDiff
from o365relay.audit.snapshot import Read
from o365relay.spec.loader import load_text

PARTNERS = """  ticketing:
    type: partner
    senderDomains: [contoso.com]
    senderIPs: [192.0.2.25]
    acceptedDomains: [contoso.com]
    comment: helpdesk SaaS
  crm:
    type: partner
    senderDomains: [contoso.com]
    certificateName: '*.crm.example'
  payroll:
    type: partner
    senderDomains: [contoso.com]
    senderIPs: [198.51.100.64/28]

serviceAccounts:
"""


def spec_with_partners(tmp_path: Path) -> Path:
    text = PROD_SPEC.read_text(encoding="utf-8")
    path = tmp_path / "relay.prod.yaml"
    path.write_text(text.replace("\nserviceAccounts:\n", "\n" + PARTNERS, 1), encoding="utf-8")
    shutil.copytree(PROD_SPEC.parent / "certs", tmp_path / "certs")  # a symlink out of the project is refused
    return path


def test_partner_statuses(tenant, tmp_path: Path) -> None:
    result = run_audit(tenant(SEEDS / "partners.yaml"), spec_with_partners(tmp_path))
    found = {name: status for (kind, name), status in statuses(result).items() if kind == "partner_connector"}
    assert found == {"ticketing": "in_sync", "crm": "drift", "payroll": "missing", "Newsletter tool": "unexpected"}
    ticketing = item(result, "partner_connector", "ticketing")
    assert ticketing.evidence["SenderDomains"] == ["smtp:Contoso.com;1"]  # as read, unnormalised
    assert ticketing.spec_path == "spec.connectors.ticketing"
    assert item(result, "partner_connector", "crm").diffs == (FieldDiff("RestrictDomainsToCertificate", True, False),)
    missing = item(result, "partner_connector", "payroll")
    assert missing.evidence["desired"]["RestrictDomainsToIPAddresses"] is True
    newsletter = item(result, "partner_connector", "Newsletter tool")
    assert newsletter.to_dict()["resourceType"] == "exchange:PartnerConnector" and result.exit_code == 1
    # the relay side is untouched: partners are not unexpected relay connectors
    assert item(result, "connector", "dc1-relay").status == "in_sync"
    assert not [i for i in result.items if i.kind == "connector" and i.status == "unexpected"]
    assert not any("Partner" in line for line in result.scope.not_read)


def test_a_spec_without_partners_leaves_them_alone(tenant) -> None:
    result = run_audit(tenant(SEEDS / "partners.yaml"))
    assert not [i for i in result.items if i.kind == "partner_connector"]
    assert {i.status for i in result.items} == {"in_sync"}
    assert "Inbound connectors of type Partner: read, not compared (the spec declares none)" in result.scope.not_read


def test_a_relay_connector_under_a_partners_name_is_drift_in_its_type() -> None:
    from test_compare import snapshot  # the hand-built snapshot of the comparison tests

    spec = load_text("version: 1\ntenant: {id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a, initialDomain: "
                     "contoso.onmicrosoft.com}\nconnectors:\n  saas:\n    type: partner\n"
                     "    senderDomains: [contoso.com]\n    senderIPs: [192.0.2.25]\n")
    row = {"Name": "saas", "ConnectorType": "OnPremises", "SenderDomains": ["smtp:contoso.com;1"],
           "SenderIPAddresses": ["192.0.2.25"], "RestrictDomainsToIPAddresses": True, "RequireTls": True,
           "Enabled": True, "Comment": "", "AssociatedAcceptedDomains": [], "RestrictDomainsToCertificate": False}
    snap = snapshot([])
    snap.connectors = Read("Get-InboundConnector", [row])
    items = compare(spec, snap)
    [partner] = [i for i in items if i.kind == "partner_connector"]
    assert partner.status == "drift" and partner.diffs == (FieldDiff("ConnectorType", "Partner", "OnPremises"),)
    assert not [i for i in items if i.kind == "connector"]


def test_failed_read_is_unknown_never_missing() -> None:
    from test_compare import snapshot

    spec = load_text("version: 1\ntenant: {id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a, initialDomain: "
                     "contoso.onmicrosoft.com}\nconnectors:\n  saas:\n    type: partner\n"
                     "    senderDomains: [contoso.com]\n    certificateName: mx.saas.example\n")
    snap = snapshot([])
    snap.connectors = Read("Get-InboundConnector", error="Throttled: still 429 after 6 attempts")
    [unknown] = [i for i in compare(spec, snap) if i.kind == "partner_connector"]
    assert (unknown.name, unknown.status) == ("saas", "unknown")
