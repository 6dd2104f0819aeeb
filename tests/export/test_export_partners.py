"""`relayctl export` of Partner inbound connectors -> `relayctl validate` -> `relayctl audit` against a seeded
sandbox: partners land under `type: partner`, and what the spec would change is said before `pulumi up`."""

from __future__ import annotations

from pathlib import Path

import yaml
from test_export import SEEDS, audit_json, export

from o365relay.cli.main import main


def test_partner_connectors_round_trip(tenant, tmp_path: Path, capsys) -> None:
    tenant(SEEDS / "adoptable-partners.yaml")
    spec, notes = export(tmp_path, capsys, "--no-dns")
    assert "partner connector 'Ticketing SaaS' is exported as 'ticketing-saas'" in notes
    assert ("partner connector 'crm' has RestrictDomainsToCertificate False; the spec sets it True from the "
            "addresses or certificate it names, so `pulumi up` changes it") in notes
    assert "partner connector 'newsletter' is restricted to neither IPs nor a certificate" in notes
    connectors = yaml.safe_load(spec.read_text())["connectors"]
    assert connectors["ticketing-saas"] == {
        "type": "partner", "senderDomains": ["contoso.com"], "senderIPs": ["198.51.100.64/26", "198.51.100.150"],
        "acceptedDomains": ["contoso.com"], "comment": "helpdesk"}
    assert connectors["crm"] == {"type": "partner", "senderDomains": ["contoso.com"],
                                 "certificateName": "*.crm.example"}
    assert connectors["old-printers"]["senderIPs"] == ["192.0.2.0/24", "198.51.100.7"]  # the relay side as before
    assert main(["validate", str(spec)]) == 0
    capsys.readouterr()

    report = audit_json(spec, capsys)
    off = {(i["kind"], i["name"], i["status"]) for i in report["items"] if i["status"] != "in_sync"}
    # what the notes announced: the rename (slug missing, old name unexpected) and crm's restriction
    assert off == {("partner_connector", "ticketing-saas", "missing"),
                   ("partner_connector", "Ticketing SaaS", "unexpected"),
                   ("partner_connector", "crm", "drift")}
    assert {i["name"] for i in report["items"] if i["kind"] == "partner_connector" and i["status"] == "in_sync"} == {
        "newsletter"}
