"""`relayctl dns` checks against a real DNS server (dnsmasq) on loopback, one zone set per case."""

from __future__ import annotations

import pytest

from o365relay.dnscheck import DnsInputs, run_checks
from o365relay.dnscheck.dkim import DkimTargets
from o365relay.dnscheck.facts import TenantFacts
from o365relay.dnscheck.model import DnsReport
from o365relay.dnscheck.resolver import Dns, parse_nameserver
from o365relay.errors import UsageError
from o365relay.spec.model import Connector, Dmarc, Domain, RelaySpec, Tenant

SEL1 = "selector1-contoso-com._domainkey.contoso.n-v1.dkim.mail.microsoft"
SEL2 = "selector2-contoso-com._domainkey.contoso.n-v1.dkim.mail.microsoft"
MX = "contoso-com.mail.protection.outlook.com"
ZONE = "dnsbl.example"

SPEC = RelaySpec(
    version=1,
    tenant=Tenant(id="7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a", initial_domain="contoso.onmicrosoft.com"),
    domains={"contoso.com": Domain("contoso.com", dmarc=Dmarc(policy="reject", rua=("mailto:dmarc@contoso.com",)))},
    connectors={"dc1-relay": Connector("dc1-relay", sender_ips=("203.0.113.0/28", "198.51.100.25"))},
)
FACTS = TenantFacts(dkim={"contoso.com": DkimTargets(SEL1, SEL2)}, mx={"contoso.com": MX})
GOOD_SPF = "v=spf1 ip4:203.0.113.0/28 ip4:198.51.100.25 include:spf.protection.outlook.com -all"


def zone(**overrides: object) -> list[tuple[str, ...]]:
    """The records of a well-configured contoso.com; overrides replace (or with None remove) one part."""
    parts: dict[str, list[tuple[str, ...]]] = {
        "spf": [("txt", "contoso.com", GOOD_SPF)],
        "microsoft": [("txt", "spf.protection.outlook.com", "v=spf1 ip4:40.92.0.0/15 ip4:52.100.0.0/14 -all")],
        "dkim1": [("cname", "selector1._domainkey.contoso.com", SEL1)],
        "dkim2": [("cname", "selector2._domainkey.contoso.com", SEL2)],
        "dmarc": [("txt", "_dmarc.contoso.com", "v=DMARC1; p=reject; pct=100; rua=mailto:dmarc@contoso.com")],
        "mx": [("mx", "contoso.com", MX, "0")],
        "mx_a": [("a", MX, "52.101.0.1")],
    }
    for key, value in overrides.items():
        parts[key] = [] if value is None else value  # type: ignore[assignment]
    return [record for records in parts.values() for record in records]


def check(dns_server, records, spec: RelaySpec = SPEC, facts: TenantFacts = FACTS) -> DnsReport:
    address = dns_server.start(records)
    dns = Dns([parse_nameserver(address)], timeout=2.0)
    return run_checks(spec, DnsInputs(dns=dns, facts=facts, dnsbl_zones=[ZONE]))


def findings(report: DnsReport, kind: str) -> list[str]:
    return [c.message for c in report.checks if c.kind == kind and c.status == "finding"]


def test_good_records_are_all_ok(dns_server):
    report = check(dns_server, zone())
    assert [(c.kind, c.status) for c in report.checks if c.status != "ok"] == []
    assert {c.kind for c in report.checks} == {"spf", "dkim", "dmarc", "mx", "dnsbl"}
    spf = next(c for c in report.checks if c.kind == "spf")
    assert spf.evidence["dnsLookups"] == 1
    assert report.exit_code == 0


def test_eleven_lookups_through_nested_includes(dns_server):
    nested = [("txt", f"inc{i}.example", f"v=spf1 include:inc{i + 1}.example -all") for i in range(1, 10)]
    nested.append(("txt", "inc10.example", "v=spf1 ip4:192.0.2.1 -all"))
    record = GOOD_SPF.replace("-all", "include:inc1.example -all")
    report = check(dns_server, zone(spf=[("txt", "contoso.com", record)], extra=nested))
    spf = findings(report, "spf")
    assert any("11 DNS lookups" in m and "at most 10" in m for m in spf), spf
    assert report.exit_code == 1


def test_two_spf_records(dns_server):
    report = check(dns_server, zone(extra=[("txt", "contoso.com", "v=spf1 -all")]))
    assert findings(report, "spf") == ["2 SPF records; exactly one is allowed"]


def test_connector_ip_not_in_spf(dns_server):
    record = "v=spf1 ip4:203.0.113.0/28 include:spf.protection.outlook.com -all"
    report = check(dns_server, zone(spf=[("txt", "contoso.com", record)]))
    assert findings(report, "spf") == [
        "connector dc1-relay: sender IP 198.51.100.25 is not authorised by the SPF record"
    ]


def test_connector_ip_authorised_through_an_include(dns_server):
    record = "v=spf1 include:relay.contoso.com include:spf.protection.outlook.com -all"
    relay = ("txt", "relay.contoso.com", "v=spf1 ip4:203.0.113.0/24 ip4:198.51.100.0/24 -all")
    report = check(dns_server, zone(spf=[("txt", "contoso.com", record)], extra=[relay]))
    assert findings(report, "spf") == []


def test_missing_dkim_cname(dns_server):
    report = check(dns_server, zone(dkim2=None))
    assert findings(report, "dkim") == ["no CNAME at selector2._domainkey.contoso.com; dns.backend none: the stack "
                                        "publishes nothing itself; publish its zoneFiles output (pulumi stack output "
                                        "zoneFiles; on the sandbox: relayctl sandbox publish)"]
    assert report.exit_code == 1


def test_wrong_dkim_target(dns_server):
    legacy = "selector1-contoso-com._domainkey.contoso.onmicrosoft.com"
    report = check(dns_server, zone(dkim1=[("cname", "selector1._domainkey.contoso.com", legacy)]))
    [message] = findings(report, "dkim")
    assert legacy in message and SEL1 in message


def test_dkim_target_not_compared_without_a_tenant(dns_server):
    report = check(dns_server, zone(), facts=TenantFacts())
    dkim = [c for c in report.checks if c.kind == "dkim"]
    assert [c.status for c in dkim] == ["skipped", "skipped"]
    assert all("no tenant configured" in c.message for c in dkim)
    assert report.exit_code == 0


def test_dmarc_p_none(dns_server):
    record = "v=DMARC1; p=none; rua=mailto:dmarc@contoso.com"
    report = check(dns_server, zone(dmarc=[("txt", "_dmarc.contoso.com", record)]))
    messages = findings(report, "dmarc")
    assert "p=none only monitors: mail that fails DMARC is still delivered" in messages
    assert "policy is p=none; the spec declares p=reject" in messages


def test_dmarc_missing_report_address(dns_server):
    record = "v=DMARC1; p=reject; rua=mailto:other@contoso.com"
    report = check(dns_server, zone(dmarc=[("txt", "_dmarc.contoso.com", record)]))
    assert findings(report, "dmarc") == ["rua mailto:dmarc@contoso.com is declared but not in the record"]


def test_mx_other_than_the_tenants(dns_server):
    report = check(dns_server, zone(mx=[("mx", "contoso.com", "mx.other-provider.example", "0")]))
    [message] = findings(report, "mx")
    assert "mx.other-provider.example" in message and MX in message


def test_listed_ip_in_a_dnsbl_zone(dns_server):
    listed = ("a", f"25.100.51.198.{ZONE}", "127.0.0.2")
    report = check(dns_server, zone(extra=[listed]))
    bad = [c for c in report.checks if c.kind == "dnsbl" and c.status == "finding"]
    assert [(c.subject, c.message) for c in bad] == [("198.51.100.25", f"listed on {ZONE} (127.0.0.2)")]
    assert report.exit_code == 1


def test_dnsbl_refusal_code_is_unknown_not_listed(dns_server):
    refused = ("a", f"1.113.0.203.{ZONE}", "127.255.255.254")
    report = check(dns_server, zone(extra=[refused]))
    [c] = [c for c in report.checks if c.kind == "dnsbl"]
    assert (c.subject, c.status) == ("203.0.113.1", "unknown")


def test_unreachable_nameserver_is_unknown_never_missing(dns_server):
    dns_server.start([])
    dns_server.stop()  # nothing answers on this port now
    dns = Dns([parse_nameserver(dns_server.address)], timeout=0.3)
    report = run_checks(SPEC, DnsInputs(dns=dns, facts=FACTS, dnsbl_zones=[ZONE]))
    assert report.count("finding") == 0
    assert {c.kind for c in report.checks if c.status == "unknown"} == {"spf", "dkim", "dmarc", "mx", "dnsbl"}
    assert report.exit_code == 3


@pytest.mark.parametrize(
    ("text", "host", "port"),
    [("127.0.0.1", "127.0.0.1", 53), ("127.0.0.2:5353", "127.0.0.2", 5353), ("[::1]:5300", "::1", 5300)],
)
def test_parse_nameserver(text, host, port):
    ns = parse_nameserver(text)
    assert (ns.address, ns.port) == (host, port)


def test_reports_name_the_nameservers_as_they_were_given():
    given = ["127.0.0.1", "127.0.0.2:5353", "[::1]:5300", "::1"]
    assert Dns([parse_nameserver(text) for text in given]).describe() == tuple(given)


@pytest.mark.parametrize("text", ["dns.example", "127.0.0.1:0", "127.0.0.1:x"])
def test_parse_nameserver_rejects(text):
    with pytest.raises(UsageError, match="--nameserver"):
        parse_nameserver(text)
