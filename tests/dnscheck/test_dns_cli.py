"""`relayctl dns relay.prod.yaml` end to end: dnsmasq on loopback, DKIM/MX targets from the sandbox tenant
(Get-DkimSigningConfig, Graph serviceConfigurationRecords) or from --dkim-targets."""

from __future__ import annotations

import json
from pathlib import Path

from o365relay.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
PROD = str(ROOT / "relay.prod.yaml")
TARGET = "selector{n}-{dashed}._domainkey.contoso.r-v1.dkim.mail.microsoft"


def prod_zone(dkim_domains=("contoso.com", "notify.contoso.com")) -> list[tuple[str, ...]]:
    records: list[tuple[str, ...]] = [
        ("txt", "contoso.com", "v=spf1 ip4:203.0.113.0/28 ip4:198.51.100.25 include:spf.protection.outlook.com "
                               "include:_spf.salesforce.com -all"),
        ("txt", "notify.contoso.com", "v=spf1 ip4:203.0.113.0/28 ip4:198.51.100.25 "
                                      "include:spf.protection.outlook.com -all"),
        ("txt", "spf.protection.outlook.com", "v=spf1 ip4:40.92.0.0/15 -all"),
        ("txt", "_spf.salesforce.com", "v=spf1 ip4:13.108.16.0/20 -all"),
        ("txt", "_dmarc.contoso.com", "v=DMARC1; p=reject; rua=mailto:dmarc-reports@contoso.com; "
                                      "ruf=mailto:dmarc-forensics@contoso.com"),
        ("txt", "_dmarc.notify.contoso.com", "v=DMARC1; p=quarantine; pct=50; rua=mailto:dmarc-reports@contoso.com"),
        ("mx", "contoso.com", "contoso-com.mail.protection.outlook.com", "0"),
        ("mx", "notify.contoso.com", "notify-contoso-com.mail.protection.outlook.com", "0"),
    ]
    for domain in dkim_domains:
        for n in (1, 2):
            target = TARGET.format(n=n, dashed=domain.replace(".", "-"))
            records.append(("cname", f"selector{n}._domainkey.{domain}", target))
    return records


def dkim_targets_file(directory: Path) -> str:
    """A --dkim-targets file with the tenant's selector targets of both prod domains."""
    path = directory / "dkim.yaml"
    path.write_text("\n".join(
        f"{d}: {{selector1: {TARGET.format(n=1, dashed=d.replace('.', '-'))}, "
        f"selector2: {TARGET.format(n=2, dashed=d.replace('.', '-'))}}}"
        for d in ("contoso.com", "notify.contoso.com")))
    return str(path)


def test_dns_against_the_tenants_targets_is_clean(dns_server, sandbox_env, capsys):
    address = dns_server.start(prod_zone())
    code = main(["dns", PROD, "--nameserver", address, "--dnsbl", "dnsbl.example", "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert [c for c in report["checks"] if c["status"] != "ok"] == []
    mx = [c for c in report["checks"] if c["check"] == "mx"]
    assert [c["evidence"]["expected"] for c in mx] == ["contoso-com.mail.protection.outlook.com",
                                                         "notify-contoso-com.mail.protection.outlook.com"]
    assert code == 0


def test_dns_finds_a_missing_dkim_cname_with_targets_from_a_file(dns_server, tmp_path, capsys):
    address = dns_server.start(prod_zone(dkim_domains=("contoso.com",)))
    code = main(["dns", PROD, "--offline", "--nameserver", address, "--dnsbl", "dnsbl.example",
                 "--dkim-targets", dkim_targets_file(tmp_path), "--format", "markdown"])
    out = capsys.readouterr().out
    assert ("| ❌ finding | `notify.contoso.com` | dkim | no CNAME at selector1.\\_domainkey.notify.contoso.com; "
            "dns.backend none: the stack publishes nothing itself; publish its zoneFiles output") in out
    assert "| ✅ ok | `contoso.com` | dkim | selector1.\\_domainkey.contoso.com points to the tenant's target |" in out
    assert "skipped" in out  # MX is not compared without a tenant
    assert code == 1


def test_dns_rejects_a_bad_nameserver(capsys):
    assert main(["dns", PROD, "--nameserver", "dns.example"]) == 2
    assert "expected IP[:PORT]" in capsys.readouterr().err
