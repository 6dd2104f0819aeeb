"""`relayctl export` -> `relayctl validate` -> `relayctl audit` round trips against seeded sandboxes."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from o365relay.cli.main import main
from o365relay.sandbox.faults import FaultPlan
from o365relay.sandbox.seed import SEEDS_DIR
from o365relay.spec.schema import schema_path

SEEDS = Path(__file__).parent / "seeds"


def export(tmp_path: Path, capsys, *extra: str, name: str = "relay.exported.yaml") -> tuple[Path, str]:
    out = tmp_path / name
    out.parent.mkdir(parents=True, exist_ok=True)
    assert main(["export", "--output", str(out), *extra]) == 0
    return out, capsys.readouterr().err


def schema_named_by(spec: Path) -> Path:
    """The file the spec's yaml-language-server line names, resolved as the server does: from the spec's folder."""
    first = spec.read_text().splitlines()[0]
    assert first.startswith("# yaml-language-server: $schema=")
    return (spec.parent / first.split("$schema=", 1)[1]).resolve()


def audit_json(spec: Path, capsys) -> dict:
    code = main(["audit", str(spec), "--format", "json"])
    doc = json.loads(capsys.readouterr().out)
    assert code == doc["exitCode"]
    return doc


def test_adoptable_brownfield_round_trip_is_in_sync(tenant, tmp_path, capsys):
    tenant(SEEDS / "adoptable.yaml")
    spec, notes = export(tmp_path, capsys, "--no-dns")
    assert "note:" not in notes
    text = spec.read_text()
    assert schema_named_by(spec) == schema_path().resolve()
    doc = yaml.safe_load(text)
    assert doc["tenant"] == {"id": "7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a", "initialDomain": "contoso.onmicrosoft.com",
                             "connectionFilter": {"ipBlockList": ["198.51.100.200", "203.0.113.0/24"]},
                             "defaultAuthenticationPolicy": "Block Basic Auth"}
    # the policies that touch an exported sender, the one the copier needs assigned to it; not staff IMAP
    assert doc["authenticationPolicies"] == {"Relay basic SMTP": {"allowBasicAuth": ["smtp"],
                                                                  "appliesTo": ["copier-legacy"]},
                                             "Block Basic Auth": {}}
    # Exchange's forms came back as the spec writes them: smtp:*;1 -> "*" (the default, so omitted), /32 dropped
    assert doc["connectors"] == {"old-printers": {"senderIPs": ["192.0.2.0/24", "198.51.100.7"],
                                                  "requireTls": False, "comment": "added by hand in 2019"}}
    assert doc["serviceAccounts"]["legacy-mailer"]["mailbox"] == "erp@contoso.com"
    assert doc["serviceAccounts"]["legacy-mailer"]["credential"]["type"] == "secret"
    assert doc["serviceAccounts"]["copier-legacy"] == {"kind": "mailbox", "mailbox": "copier-legacy@contoso.com"}
    assert doc["sendAs"] == [{"trustee": "legacy-mailer", "mailbox": "invoices@contoso.com"},
                             {"trustee": "copier-legacy", "mailbox": "purchasing@contoso.com"}]
    assert main(["validate", str(spec)]) == 0
    capsys.readouterr()
    report = audit_json(spec, capsys)
    assert report["verdict"] == "in_sync", [i for i in report["items"] if i["status"] != "in_sync"]
    assert report["summary"]["in_sync"] == len(report["items"]) > 10


def test_brownfield_as_seeded_round_trip_differs_only_where_the_export_says(tenant, tmp_path, capsys):
    tenant(SEEDS_DIR / "brownfield.yaml")
    spec, notes = export(tmp_path, capsys, "--no-dns")
    assert "connector 'Old printers' is exported as 'old-printers'" in notes
    assert "'legacy-mailer' holds SMTP.SendAsApp but has FullAccess on no mailbox" in notes
    assert spec.read_text().count("# note:") == 3
    assert main(["validate", str(spec)]) == 0
    capsys.readouterr()
    report = audit_json(spec, capsys)
    off = {(i["kind"], i["name"], i["status"]) for i in report["items"] if i["status"] != "in_sync"}
    assert off == {("connector", "old-printers", "missing"), ("connector", "Old printers", "unexpected"),
                   ("application", "legacy-mailer", "unexpected"),
                   ("exchange_service_principal", "legacy-mailer", "unexpected")}


def test_spf_and_dmarc_are_exported_as_published(tenant, dns_server, tmp_path, capsys):
    tenant(SEEDS / "adoptable.yaml")
    address = dns_server.start([
        ("txt", "contoso.com", "v=spf1 ip4:192.0.2.0/24 include:spf.protection.outlook.com ~all"),
        ("txt", "_dmarc.contoso.com", "v=DMARC1; p=quarantine; pct=50; rua=mailto:dmarc@contoso.com"),
        ("txt", "notify.contoso.com", "v=spf1 include:spf.protection.outlook.com -all"),
    ])
    spec, notes = export(tmp_path, capsys, "--nameserver", address)
    domains = yaml.safe_load(spec.read_text())["domains"]
    assert domains["contoso.com"] == {
        "spf": {"ip4": ["192.0.2.0/24"], "all": "~all"},
        "dmarc": {"policy": "quarantine", "pct": 50, "rua": ["mailto:dmarc@contoso.com"]},
    }
    assert "dmarc" not in domains["notify.contoso.com"]
    assert main(["validate", str(spec)]) == 0


def test_export_does_not_overwrite_without_force(tenant, tmp_path, capsys):
    tenant(SEEDS / "adoptable.yaml")
    out = tmp_path / "relay.yaml"
    out.write_text("keep me")
    assert main(["export", "--output", str(out), "--no-dns"]) == 2
    assert out.read_text() == "keep me"
    assert "pass --force" in capsys.readouterr().err
    assert main(["export", "-o", str(out), "--no-dns", "--force"]) == 0
    assert out.read_text().startswith("# yaml-language-server: $schema=") and main(["validate", str(out)]) == 0


def test_rows_for_other_mailboxes_are_not_exported_as_this_mailboxs(tenant, tmp_path, capsys):
    """Per-mailbox permission reads that answer for every mailbox credit each grant to its own mailbox."""
    tenant(SEEDS / "adoptable.yaml").set_faults(FaultPlan(shapes=("unfiltered",)))
    spec, _ = export(tmp_path, capsys, "--no-dns")
    doc = yaml.safe_load(spec.read_text())
    assert doc["sendAs"] == [{"trustee": "legacy-mailer", "mailbox": "invoices@contoso.com"},
                             {"trustee": "copier-legacy", "mailbox": "purchasing@contoso.com"}]
    assert doc["serviceAccounts"]["legacy-mailer"]["mailbox"] == "erp@contoso.com"


def test_export_reads_send_as_once_for_the_tenant(tenant, tmp_path, capsys):
    """Every mailbox's Send As comes from the one tenant-wide list; only FullAccess (no list exists) is read per
    mailbox, so the Send As reads do not grow with the tenant."""
    sandbox = tenant(SEEDS / "adoptable.yaml")
    sandbox.ctx.requests.clear()
    spec, _ = export(tmp_path, capsys, "--no-dns")
    calls = [(name, params) for e in sandbox.ctx.requests.entries()
             for name, params in zip(e["cmdlets"], e["parameters"], strict=True)]
    assert [params for name, params in calls if name == "Get-RecipientPermission"] == [["AccessRights", "ResultSize"]]
    mailboxes = sandbox.store.list("user", xHasMailbox=True)
    assert len([name for name, _ in calls if name == "Get-MailboxPermission"]) == len(mailboxes) > 2
    assert len(yaml.safe_load(spec.read_text())["sendAs"]) == 2


def test_a_spec_exported_into_a_subfolder_names_the_schema_from_there(tenant, tmp_path, capsys):
    tenant(SEEDS / "adoptable.yaml")
    spec, _ = export(tmp_path, capsys, "--no-dns", name="stacks/relay.staging.yaml")
    assert schema_named_by(spec) == schema_path().resolve()
    assert main(["validate", str(spec)]) == 0
