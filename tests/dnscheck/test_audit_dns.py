"""`relayctl audit --dns`: the DNS checks become rows of the audit, and the scope says DNS was read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from dns_server import DnsServer
from test_dns_cli import PROD, TARGET, prod_zone

from o365relay.cli.main import main

APPLIED = Path(__file__).parents[1] / "audit" / "seeds" / "applied.yaml"  # the tenant in sync with relay.prod.yaml

CONTOSO_SPF = ("v=spf1 ip4:203.0.113.0/28 ip4:198.51.100.25 include:spf.protection.outlook.com "
               "include:_spf.salesforce.com -all")
NOTIFY_DKIM1 = TARGET.format(n=1, dashed="notify-contoso-com")
ELSEWHERE = "selector1-notify-contoso-com._domainkey.fabrikam.example"
REFUSED = "127.255.255.254"  # a blocklist's "query refused" answer: it could not tell


@pytest.fixture
def tenant(sandbox_factory, monkeypatch):
    """Start a sandbox from a seed with the environment pointing at it."""
    def start(seed: Path = APPLIED) -> None:
        for key, value in sandbox_factory(seed=seed).env().items():
            monkeypatch.setenv(key, value)
    return start


def audit_json(capsys, *options: str) -> tuple[int, dict]:
    code = main(["audit", PROD, "--dns", *options, "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


def dns_rows(doc: dict) -> dict[str, dict]:
    return {i["name"]: i for i in doc["items"] if i["kind"] == "dns"}


def field(desired: object, actual: object, name: str) -> list[dict]:
    return [{"field": name, "desired": desired, "actual": actual}]


def via(*servers: DnsServer) -> str:
    named = ", ".join(s.address for s in servers)
    return f"DNS: SPF, DKIM, DMARC and MX of 2 domains, DNSBL of the connector IPs (via {named})"


def test_audit_with_dns_reads_the_records_and_says_so(dns_server, tenant, capsys):
    tenant()
    address = dns_server.start(prod_zone(dkim_domains=("contoso.com",)))
    code, doc = audit_json(capsys, "--nameserver", address, "--dnsbl", "dnsbl.example")
    rows = dns_rows(doc)
    spf = rows["contoso.com SPF"]
    assert (spf["status"], spf["diffs"], spf["reason"]) == ("in_sync", [], "one SPF record, 2 DNS lookups")
    assert spf["fields"] == field(CONTOSO_SPF, CONTOSO_SPF, "SPF record")
    missing = rows["selector1._domainkey.notify.contoso.com (DKIM)"]
    assert missing["status"] == "drift" and missing["kindLabel"] == "DNS record"
    assert missing["specPath"] == "spec.domains.notify.contoso.com"
    assert missing["fields"] == missing["diffs"] == field(NOTIFY_DKIM1, None, "DKIM record")
    assert missing["evidence"] == {"host": "selector1._domainkey.notify.contoso.com", "expected": NOTIFY_DKIM1,
                                   "published": None}
    assert missing["reason"].startswith("no CNAME at selector1._domainkey.notify.contoso.com; dns.backend none")
    sender_ips = rows["sender IPs DNSBL"]
    assert (sender_ips["status"], sender_ips["specPath"], sender_ips["diffs"]) == ("in_sync", None, [])
    assert sender_ips["fields"] == field("not listed", "not listed", "DNSBL record")
    assert sender_ips["reason"] == "17 addresses not listed on dnsbl.example"
    scope = doc["scope"]
    assert not any(line.startswith("DNS records") for line in scope["notRead"])
    assert "Outbound connectors: read, not compared (the spec declares none)" in scope["notRead"]
    assert scope["read"][-1] == via(dns_server) and scope["failed"] == []
    assert code == doc["exitCode"] == 1


def test_audit_with_dns_reports_every_wrong_record_and_listed_sender_ip(dns_server, tenant, capsys):
    tenant()
    replaced = ("notify.contoso.com", "_dmarc.notify.contoso.com", "selector1._domainkey.notify.contoso.com")
    address = dns_server.start([r for r in prod_zone() if r[1] not in replaced] + [
        ("mx", "notify.contoso.com", "notify-contoso-com.mail.protection.outlook.com", "0"),  # and no SPF
        ("txt", "contoso.com", "v=spf1 -all"),
        ("txt", "_dmarc.notify.contoso.com", "v=DMARC1; p=none; pct=50; rua=mailto:dmarc-reports@contoso.com"),
        ("cname", "selector1._domainkey.notify.contoso.com", ELSEWHERE),
        ("a", "25.100.51.198.dnsbl.example", "127.0.0.2"),
        ("a", "25.100.51.198.refusing.example", REFUSED),
        ("a", "1.113.0.203.refusing.example", REFUSED),
    ])
    code, doc = audit_json(capsys, "--nameserver", address, "--dnsbl", "refusing.example", "--dnsbl", "dnsbl.example")
    rows = dns_rows(doc)
    spf = rows["contoso.com SPF"]
    assert (spf["status"], spf["reason"]) == ("drift", "2 SPF records; exactly one is allowed")
    assert spf["fields"] == spf["diffs"] == field(CONTOSO_SPF, ["v=spf1 -all", CONTOSO_SPF], "SPF record")
    no_spf = rows["notify.contoso.com SPF"]
    assert no_spf["fields"] == no_spf["diffs"] == field(
        "v=spf1 ip4:203.0.113.0/28 ip4:198.51.100.25 include:spf.protection.outlook.com -all", None, "SPF record")
    assert no_spf["reason"].startswith("no SPF record; dns.backend none: the stack publishes nothing itself")
    dmarc = rows["notify.contoso.com DMARC"]
    assert dmarc["reason"] == ("p=none only monitors: mail that fails DMARC is still delivered; "
                               "policy is p=none; the spec declares p=quarantine")
    assert dmarc["diffs"] == field("v=DMARC1; p=quarantine; pct=50; rua=mailto:dmarc-reports@contoso.com",
                                   "v=DMARC1; p=none; pct=50; rua=mailto:dmarc-reports@contoso.com", "DMARC record")
    dkim = rows["selector1._domainkey.notify.contoso.com (DKIM)"]
    assert dkim["diffs"] == field(NOTIFY_DKIM1, ELSEWHERE, "DKIM record")
    # listed on one blocklist: drift, though the other refused to say
    listed = rows["198.51.100.25 DNSBL"]
    assert (listed["status"], listed["specPath"], listed["reason"]) == (
        "drift", None, "listed on dnsbl.example (127.0.0.2)")
    assert listed["diffs"] == field("not listed", "listed", "DNSBL record")
    assert listed["evidence"] == {"zone": "dnsbl.example", "query": "25.100.51.198.dnsbl.example",
                                  "answers": ["127.0.0.2"]}
    # only refused: unknown, and no claim that the address is not listed
    refused = rows["203.0.113.1 DNSBL"]
    assert (refused["status"], refused["diffs"]) == ("unknown", [])
    assert refused["fields"] == field("not listed", None, "DNSBL record")
    assert "sender IPs DNSBL" not in rows
    assert doc["scope"]["failed"] == [f"DNS {ip} DNSBL: refusing.example refused the query ({REFUSED})"
                                      for ip in ("203.0.113.1", "198.51.100.25")]
    assert code == doc["exitCode"] == 1


def test_audit_with_dns_offline_lists_what_it_could_not_compare(dns_server, tenant, tmp_path, capsys):
    tenant()
    second = DnsServer(tmp_path / "second")
    (tmp_path / "second").mkdir()
    zone = prod_zone()
    try:
        code, doc = audit_json(capsys, "--offline", "--nameserver", dns_server.start(zone),
                               "--nameserver", second.start(zone), "--dnsbl", "dnsbl.example")
    finally:
        second.stop()
    rows = dns_rows(doc)
    assert sorted(rows) == ["contoso.com DMARC", "contoso.com SPF", "notify.contoso.com DMARC",
                            "notify.contoso.com SPF", "sender IPs DNSBL"]
    not_compared = [line for line in doc["scope"]["notRead"] if " not compared: no tenant configured" in line]
    assert not_compared == [line for domain in ("contoso.com", "notify.contoso.com") for line in (
        f"{domain} DKIM: selector1._domainkey.{domain} is published; its target was not compared: no tenant configured",
        f"{domain} DKIM: selector2._domainkey.{domain} is published; its target was not compared: no tenant configured",
        f"{domain} MX: MX is published; not compared: no tenant configured")]
    assert doc["scope"]["read"][-1] == via(dns_server, second)
    assert code == doc["exitCode"] == 0


def test_audit_with_dns_when_the_tenant_has_no_dkim_config_for_a_domain(dns_server, tenant, tmp_path, capsys):
    seed = tmp_path / "no-notify-dkim.yaml"
    seed.write_text(f"extends: {APPLIED}\ndomains:\n  notify.contoso.com:\n    dkim: {{config: false}}\n")
    tenant(seed)
    address = dns_server.start(prod_zone())
    _, doc = audit_json(capsys, "--nameserver", address, "--dnsbl", "dnsbl.example")
    row = dns_rows(doc)["selector1._domainkey.notify.contoso.com (DKIM)"]
    assert (row["status"], row["diffs"], row["specPath"]) == ("unknown", [], "spec.domains.notify.contoso.com")
    assert row["fields"] == field("a valid record", None, "DKIM record")
    reason = ("selector1._domainkey.notify.contoso.com is published; its target was not compared: "
              "the tenant has no DKIM signing config for the domain")
    assert row["reason"] == reason
    assert f"DNS notify.contoso.com DKIM: {reason}" in doc["scope"]["failed"]


def test_audit_without_dns_says_records_were_not_read(sandbox_env, capsys):
    main(["audit", PROD, "--format", "json"])
    doc = json.loads(capsys.readouterr().out)
    assert not [i for i in doc["items"] if i["kind"] == "dns"]
    assert any(line.startswith("DNS records") and "relayctl audit --dns" in line for line in doc["scope"]["notRead"])
