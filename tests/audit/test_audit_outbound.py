"""`relayctl audit` on outbound connectors against the sandbox tenant: in sync despite Exchange's value
forms, drift field by field, missing, unexpected, and unknown when the read fails."""

from __future__ import annotations

import shutil
from pathlib import Path

from audit_helpers import PROD_SPEC, SEEDS, item, run_audit, statuses

from o365relay.audit.compare import compare
from o365relay.audit.model import FieldDiff
from o365relay.audit.snapshot import Read
from o365relay.spec.loader import load_text

OUTBOUND = """  to-fabrikam:
    direction: outbound
    recipientDomains: [fabrikam.com, '*.fabrikam.com']
    smartHosts: [mx.fabrikam.com, 198.51.100.7]
    tls: DomainValidation
    tlsDomain: mail.fabrikam.com
    comment: partner gateway
  via-archive:
    direction: outbound
    transportRuleScoped: true
    smartHosts: [archive.example.net]
    tls: CertificateValidation
  to-contoso-eu:
    direction: outbound
    recipientDomains: [contoso.eu]
    useMxRecord: true
    tls: CertificateValidation

serviceAccounts:
"""


def spec_with_outbound(tmp_path: Path) -> Path:
    text = PROD_SPEC.read_text(encoding="utf-8")
    path = tmp_path / "relay.prod.yaml"
    path.write_text(text.replace("\nserviceAccounts:\n", "\n" + OUTBOUND, 1), encoding="utf-8")
    shutil.copytree(PROD_SPEC.parent / "certs", tmp_path / "certs")  # a symlink out of the project is refused
    return path


def test_outbound_statuses(tenant, tmp_path: Path) -> None:
    result = run_audit(tenant(SEEDS / "outbound.yaml"), spec_with_outbound(tmp_path))
    found = {name: status for (kind, name), status in statuses(result).items() if kind == "outbound_connector"}
    assert found == {"to-fabrikam": "in_sync", "via-archive": "drift", "to-contoso-eu": "missing",
                     "Legacy smarthost": "unexpected"}
    fabrikam = item(result, "outbound_connector", "to-fabrikam")
    assert fabrikam.evidence["SmartHosts"] == ["198.51.100.7/32", "MX.fabrikam.com"]  # as read, unnormalised
    assert "RequireTls" not in fabrikam.evidence and fabrikam.spec_path == "spec.connectors.to-fabrikam"
    assert item(result, "outbound_connector", "via-archive").diffs == (
        FieldDiff("TlsSettings", "CertificateValidation", "EncryptionOnly"),)
    missing = item(result, "outbound_connector", "to-contoso-eu")
    assert missing.evidence["desired"]["UseMXRecord"] is True
    legacy = item(result, "outbound_connector", "Legacy smarthost")
    assert legacy.evidence["SmartHosts"] == ["gw.example.net"] and legacy.spec_path == ""
    assert legacy.to_dict()["resourceType"] == "exchange:OutboundConnector" and result.exit_code == 1
    # the relay side is untouched by the outbound connectors
    assert item(result, "connector", "dc1-relay").status == "in_sync"


def test_an_outbound_connector_of_the_wrong_type_is_drift(tenant, tmp_path: Path) -> None:
    """The relay declares its routes as Partner connectors; one switched to OnPremises (the hybrid form,
    which may rewrite senders and treat mail as internal) is drift, not in sync."""
    from o365relay.sandbox import store as st

    sandbox = tenant(SEEDS / "outbound.yaml")
    row = sandbox.store.find(st.OUTBOUND_CONNECTOR, Name="to-fabrikam")
    sandbox.store.update(st.OUTBOUND_CONNECTOR, row["id"], {"ConnectorType": "OnPremises"})
    result = run_audit(sandbox, spec_with_outbound(tmp_path))
    fabrikam = item(result, "outbound_connector", "to-fabrikam")
    assert fabrikam.status == "drift" and result.exit_code == 1
    assert fabrikam.diffs == (FieldDiff("ConnectorType", "Partner", "OnPremises"),)


def test_a_spec_without_outbound_connectors_leaves_the_outbound_side_alone(tenant) -> None:
    result = run_audit(tenant(SEEDS / "outbound.yaml"))
    assert not [i for i in result.items if i.kind == "outbound_connector"]
    assert {i.status for i in result.items} == {"in_sync"}


def test_failed_outbound_read_is_unknown_never_missing() -> None:
    from test_compare import snapshot  # the hand-built snapshot of the comparison tests

    spec = load_text("version: 1\ntenant: {id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a, initialDomain: "
                     "contoso.onmicrosoft.com}\nconnectors:\n  out:\n    direction: outbound\n"
                     "    recipientDomains: ['*']\n    useMxRecord: true\n")
    snap = snapshot([])
    snap.outbound_connectors = Read("Get-OutboundConnector", error="Throttled: still 429 after 6 attempts")
    [unknown] = [i for i in compare(spec, snap) if i.kind == "outbound_connector"]
    assert (unknown.name, unknown.status) == ("out", "unknown")
    assert "Get-OutboundConnector: Throttled" in unknown.reason
