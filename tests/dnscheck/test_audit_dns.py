"""`relayctl audit --dns`: the DNS checks become rows of the audit, and the scope says DNS was read."""

from __future__ import annotations

import json

from test_dns_cli import PROD, prod_zone

from o365relay.cli.main import main


def audit_json(address: str, capsys) -> tuple[int, dict]:
    code = main(["audit", PROD, "--dns", "--nameserver", address, "--dnsbl", "dnsbl.example", "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


def test_audit_with_dns_reads_the_records_and_says_so(dns_server, sandbox_env, capsys):
    address = dns_server.start(prod_zone(dkim_domains=("contoso.com",)))
    _, doc = audit_json(address, capsys)
    rows = {i["name"]: i for i in doc["items"] if i["kind"] == "dns"}
    assert rows["contoso.com SPF"]["status"] == "in_sync"
    assert rows["contoso.com SPF"]["fields"][0]["actual"].startswith("v=spf1 ip4:203.0.113.0/28")
    missing = rows["selector1._domainkey.notify.contoso.com (DKIM)"]
    assert missing["status"] == "drift" and missing["kindLabel"] == "DNS record"
    assert missing["specPath"] == "spec.domains.notify.contoso.com"
    assert missing["fields"][0]["desired"].startswith("selector1-notify-contoso-com._domainkey.")
    assert missing["fields"][0]["actual"] is None and "no CNAME" in missing["reason"]
    assert not any(line.startswith("DNS records") for line in doc["scope"]["notRead"])
    assert any(line.startswith("DNS: SPF, DKIM, DMARC and MX of 2 domains") and address.split(":")[0] in line
               for line in doc["scope"]["read"])
    assert doc["exitCode"] == 1


def test_audit_without_dns_says_records_were_not_read(sandbox_env, capsys):
    main(["audit", PROD, "--format", "json"])
    doc = json.loads(capsys.readouterr().out)
    assert not [i for i in doc["items"] if i["kind"] == "dns"]
    assert any(line.startswith("DNS records") and "relayctl audit --dns" in line for line in doc["scope"]["notRead"])
