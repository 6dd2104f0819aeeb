"""The records a domain publishes, as a DNS team pastes them (o365relay/records.py)."""

from __future__ import annotations

import ipaddress

from o365relay.records import (
    DnsRecord,
    covered,
    dkim_records,
    dmarc_value,
    spf_ip4,
    spf_value,
    static_records,
    zone_snippet,
)
from o365relay.spec.model import Connector, Dmarc, Domain, MtaSts, RelaySpec, Spf, Tenant, TlsRpt

TENANT = Tenant(id="7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a", initial_domain="contoso.onmicrosoft.com")


def spec(*connectors: Connector) -> RelaySpec:
    return RelaySpec(version=1, tenant=TENANT, connectors={c.name: c for c in connectors})


def test_spf_lists_own_ip4_then_connector_ips_not_already_covered():
    domain = Domain("contoso.com", spf=Spf(ip4=("198.51.100.0/24", "203.0.113.7")))
    relay = spec(Connector("printers", sender_ips=("198.51.100.20", "203.0.113.7/32", "192.0.2.0/28",
                                                   "192.0.2.5")))
    assert spf_ip4(relay, domain) == ["198.51.100.0/24", "203.0.113.7", "192.0.2.0/28"]
    assert spf_value(relay, domain) == ("v=spf1 ip4:198.51.100.0/24 ip4:203.0.113.7 ip4:192.0.2.0/28 "
                                        "include:spf.protection.outlook.com -all")


def test_spf_ip4_written_with_host_bits_is_published_as_its_network():
    domain = Domain("contoso.com", spf=Spf(ip4=("198.51.100.7/24",)))
    assert spf_ip4(spec(Connector("printers", sender_ips=("198.51.100.20",))), domain) == ["198.51.100.0/24"]


def test_spf_takes_only_the_connectors_that_send_for_the_domain():
    relay = spec(Connector("a", sender_ips=("192.0.2.1",), sends_for=("fabrikam.com",)),
                 Connector("b", sender_ips=("192.0.2.2",), sends_for=("contoso.com",)),
                 Connector("c", sender_ips=("192.0.2.3",)))
    domain = Domain("contoso.com", spf=Spf(include=("spf.protection.outlook.com", "_spf.vendor.example"),
                                           all="~all"))
    assert spf_value(relay, domain) == ("v=spf1 ip4:192.0.2.2 ip4:192.0.2.3 include:spf.protection.outlook.com "
                                        "include:_spf.vendor.example ~all")


def test_an_ipv6_network_never_covers_an_ipv4_one():
    v4 = ipaddress.ip_network("0.0.0.0/32")
    assert not covered(v4, [ipaddress.ip_network("::/0")])
    assert covered(v4, [ipaddress.ip_network("::/0"), ipaddress.ip_network("0.0.0.0/0")])
    assert not covered(v4, [])


def test_dmarc_lists_report_uris_comma_separated():
    assert dmarc_value(Dmarc(policy="reject", pct=50, rua=("mailto:a@contoso.com", "mailto:b@contoso.com"),
                             ruf=("mailto:f@contoso.com",))) == (
        "v=DMARC1; p=reject; pct=50; rua=mailto:a@contoso.com,mailto:b@contoso.com; ruf=mailto:f@contoso.com")
    assert dmarc_value(Dmarc(policy="none")) == "v=DMARC1; p=none; pct=100"
    assert dmarc_value(Dmarc(policy="quarantine", ruf=("mailto:f@contoso.com", "mailto:g@contoso.com"))) == (
        "v=DMARC1; p=quarantine; pct=100; ruf=mailto:f@contoso.com,mailto:g@contoso.com")


def test_static_records_are_spf_alone_unless_more_is_declared():
    bare = static_records(spec(), Domain("contoso.com"))
    assert bare == [DnsRecord("@", "TXT", "v=spf1 include:spf.protection.outlook.com -all", 3600)]
    full = static_records(spec(), Domain("contoso.com", dmarc=Dmarc(policy="reject"), mta_sts=MtaSts(),
                                         tls_rpt=TlsRpt(rua=("mailto:tls@contoso.com",))))
    assert [(r.name, r.type) for r in full] == [("@", "TXT"), ("_dmarc", "TXT"), ("_mta-sts", "TXT"),
                                                ("_smtp._tls", "TXT")]
    assert full[1].value == "v=DMARC1; p=reject; pct=100"
    assert full[2].value.startswith("v=STSv1; id=")
    assert full[3].value == "v=TLSRPTv1; rua=mailto:tls@contoso.com"


def test_zone_snippet_is_pasteable_bind():
    records = [DnsRecord("@", "TXT", "v=spf1 -all"),
               *dkim_records("selector1-contoso-com._domainkey.contoso.onmicrosoft.com",
                             "selector2-contoso-com._domainkey.contoso.onmicrosoft.com.")]
    assert zone_snippet("contoso.com", records) == (
        "; o365-relay records for contoso.com\n"
        "$ORIGIN contoso.com.\n"
        '@\t3600\tIN\tTXT\t"v=spf1 -all"\n'
        "selector1._domainkey\t3600\tIN\tCNAME\tselector1-contoso-com._domainkey.contoso.onmicrosoft.com.\n"
        "selector2._domainkey\t3600\tIN\tCNAME\tselector2-contoso-com._domainkey.contoso.onmicrosoft.com.\n")
    assert zone_snippet("contoso.com.", []) == "; o365-relay records for contoso.com.\n$ORIGIN contoso.com.\n"


def test_a_txt_value_longer_than_255_octets_is_written_as_several_strings():
    value = "v=spf1 " + " ".join(f"ip4:198.51.100.{i}" for i in range(1, 20)) + " -all"
    assert len(value) > 255
    line = DnsRecord("@", "TXT", value).zone_line()
    strings = line.split("\t")[-1]
    assert strings == f'"{value[:255]}" "{value[255:]}"'
