"""`relayctl dns SPEC --export`: the spec's records as octoDNS zone files and DNSControl records, merged with
the zone a team already has. octoDNS output is loaded by octoDNS itself (YamlProvider.populate, which
validates every record as `octodns-validate` does)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from octodns.provider.yaml import YamlProvider
from octodns.zone import Zone
from test_dns_cli import TARGET, dkim_targets_file

from o365relay.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
PROD = ROOT / "relay.prod.yaml"
OURS = ("v=spf1 ip4:203.0.113.0/28 ip4:198.51.100.25 include:spf.protection.outlook.com "
        "include:_spf.salesforce.com -all")
VERIFY = "MS=ms48151623"


@pytest.fixture
def targets(tmp_path: Path) -> str:
    return dkim_targets_file(tmp_path)


def export(tmp_path: Path, targets: str, tool: str, *extra: str, spec: Path = PROD) -> Path:
    out = tmp_path / "out"
    out.mkdir(exist_ok=True)
    assert main(["dns", str(spec), "--offline", "--dkim-targets", targets, "--export", tool, "-o", str(out),
                 *extra]) == 0
    return out


def octodns_zone(directory: Path, name: str) -> Zone:
    zone = Zone(f"{name}.", [])
    YamlProvider("relay", str(directory), escaped_semicolons=True).populate(zone)
    return zone


def by_name_and_type(zone: Zone) -> dict[tuple[str, str], object]:
    return {(r.name, r._type): r for r in zone.records}


def test_octodns_zone_of_the_spec_validates_and_holds_every_record(tmp_path: Path, targets: str) -> None:
    out = export(tmp_path, targets, "octodns")
    assert sorted(p.name for p in out.iterdir()) == ["contoso.com.yaml", "notify.contoso.com.yaml"]
    text = (out / "contoso.com.yaml").read_text()
    assert "\n'':\n" in text and "? " not in text  # the apex as octoDNS writes it
    records = by_name_and_type(octodns_zone(out, "contoso.com"))
    assert records[("", "TXT")].values == [OURS.replace(";", "\\;")]
    assert records[("_dmarc", "TXT")].values == [
        "v=DMARC1\\; p=reject\\; pct=100\\; rua=mailto:dmarc-reports@contoso.com\\; "
        "ruf=mailto:dmarc-forensics@contoso.com"]
    assert records[("selector1._domainkey", "CNAME")].value == TARGET.format(n=1, dashed="contoso-com") + "."
    assert ("selector2._domainkey", "CNAME") in records


def test_octodns_apex_keeps_the_teams_values_and_holds_one_spf_record(tmp_path: Path, targets: str) -> None:
    existing = tmp_path / "contoso.com.yaml"
    existing.write_text(yaml.safe_dump({
        "": [{"type": "TXT", "ttl": 300, "values": [VERIFY, "v=spf1 include:old.example -all",
                                                     "google-site-verification=abc123"]},
             {"type": "MX", "values": [{"exchange": "contoso-com.mail.protection.outlook.com.", "preference": 0}]}],
        "www": {"type": "CNAME", "value": "contoso.azurewebsites.net."},
        "_dmarc": {"type": "TXT", "value": "v=DMARC1\\; p=none"}}))
    out = export(tmp_path, targets, "octodns", "--existing", f"contoso.com={existing}")
    records = by_name_and_type(octodns_zone(out, "contoso.com"))
    apex = records[("", "TXT")]
    assert apex.values == sorted([VERIFY, OURS, "google-site-verification=abc123"])  # octoDNS sorts values
    assert apex.ttl == 300
    assert records[("", "MX")].values[0].exchange == "contoso-com.mail.protection.outlook.com."
    assert records[("www", "CNAME")].value == "contoso.azurewebsites.net."
    assert records[("_dmarc", "TXT")].values == [
        "v=DMARC1\\; p=reject\\; pct=100\\; rua=mailto:dmarc-reports@contoso.com\\; "
        "ruf=mailto:dmarc-forensics@contoso.com"]


def test_octodns_long_spf_is_written_as_255_octet_strings(tmp_path: Path, targets: str) -> None:
    ips = ", ".join(f"198.51.100.{i}" for i in range(1, 41))
    text = PROD.read_text().replace("senderIPs: [203.0.113.0/28, 198.51.100.25]", f"senderIPs: [{ips}]")
    spec = tmp_path / "relay.long.yaml"
    spec.write_text(text)
    shutil.copytree(ROOT / "certs", tmp_path / "certs")  # the spec names a certificate beside it
    out = export(tmp_path, targets, "octodns", spec=spec)
    raw = yaml.safe_load((out / "contoso.com.yaml").read_text())[""]
    strings = raw["value" if "value" in raw else "values"]
    strings = strings if isinstance(strings, str) else strings[0]
    parts = strings[1:-1].split('" "')
    assert len(parts) > 1 and all(len(p.encode()) <= 255 for p in parts)
    (spf,) = by_name_and_type(octodns_zone(out, "contoso.com"))[("", "TXT")].values
    assert spf.startswith("v=spf1 ip4:198.51.100.1 ") and spf.endswith("-all") and len(spf) > 255


def test_dnscontrol_records_and_the_spf_record_they_replace(tmp_path: Path, targets: str) -> None:
    published = tmp_path / "contoso.com.zone"
    published.write_text(
        "$ORIGIN contoso.com.\n$TTL 300\n"
        "@ IN SOA ns1.contoso.com. hostmaster.contoso.com. 1 7200 3600 1209600 300\n@ IN NS ns1.contoso.com.\n"
        f'@ IN TXT "{VERIFY}"\n@ IN TXT "v=spf1 include:old.example -all"\n'
        '_dmarc IN TXT "v=DMARC1; p=none"\n')
    out = export(tmp_path, targets, "dnscontrol", "--existing", f"contoso.com={published}")
    js = (out / "contoso.com.js").read_text()
    assert "var O365_RELAY_CONTOSO_COM = [" in js
    assert f'  TXT("@", "{OURS}", TTL(3600)),' in js
    assert (f'  CNAME("selector1._domainkey", "{TARGET.format(n=1, dashed="contoso-com")}.", TTL(3600)),') in js
    replaced = [line for line in js.splitlines() if line.startswith("// delete")]
    delete = "// delete from dnsconfig.js, the relay's record replaces it: "
    assert replaced == [delete + 'TXT("@", "v=spf1 include:old.example -all")',
                        delete + 'TXT("_dmarc", "v=DMARC1; p=none")']
    assert VERIFY not in js  # the team's own TXT() stays where it is, beside the relay's


def test_export_without_dkim_targets_says_where_they_come_from(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["dns", str(PROD), "--offline", "--export", "octodns"]) == 2
    err = capsys.readouterr().err
    assert "DKIM CNAME targets are the tenant's" in err and "Traceback" not in err


@pytest.mark.parametrize("existing", ["contoso.com", "example.org=x.yaml"])
def test_a_bad_existing_argument_is_a_usage_error(existing: str, targets: str,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["dns", str(PROD), "--offline", "--dkim-targets", targets, "--export", "octodns",
                 "--existing", existing]) == 2
    assert "--existing" in capsys.readouterr().err


def test_a_subdomain_lands_in_its_parent_zone(tmp_path: Path, targets: str) -> None:
    spec = tmp_path / "relay.zone.yaml"
    spec.write_text(PROD.read_text().replace("  notify.contoso.com:\n",
                                             "  notify.contoso.com:\n    dns: {zone: contoso.com}\n"))
    shutil.copytree(ROOT / "certs", tmp_path / "certs")
    out = export(tmp_path, targets, "octodns", spec=spec)
    assert [p.name for p in out.iterdir()] == ["contoso.com.yaml"]
    records = by_name_and_type(octodns_zone(out, "contoso.com"))
    assert {("notify", "TXT"), ("_dmarc.notify", "TXT"), ("selector1._domainkey.notify", "CNAME"),
            ("", "TXT"), ("_dmarc", "TXT")} <= set(records)
