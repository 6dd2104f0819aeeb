"""The mail-authentication DNS records a domain needs, derived from the spec.

One computation serves the Pulumi program (what it publishes), the policy rules (what they check) and
the docs' zone snippets, so a lint verdict is about the very record that gets published. SPF gains
the sender IPs of every connector that sends for the domain; DKIM CNAME targets are not derived
here: they are the tenant's values, passed in by the caller.
"""

from __future__ import annotations

import hashlib
import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass

from o365relay.dns.txt import txt_strings
from o365relay.spec.model import Dmarc, Domain, MtaSts, RelaySpec, TlsRpt

TTL = 3600

Net = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class DnsRecord:
    """One record, ``name`` relative to the zone apex (``@`` for the apex itself)."""

    name: str
    type: str  # "TXT" or "CNAME"
    value: str
    ttl: int = TTL

    def zone_line(self) -> str:
        """The record as a line of a BIND zone file (a TXT value in strings of at most 255 octets)."""
        value = " ".join(f'"{s}"' for s in txt_strings(self.value)) if self.type == "TXT" else _absolute(self.value)
        return f"{self.name}\t{self.ttl}\tIN\t{self.type}\t{value}"


def _absolute(name: str) -> str:
    return name if name.endswith(".") else name + "."


def covered(net: Net, by: Iterable[Net]) -> bool:
    """Whether ``net`` lies inside one of ``by`` (same IP version)."""
    return any(net.version == other.version and net.subnet_of(other) for other in by)  # type: ignore[arg-type]


def spf_ip4(spec: RelaySpec, domain: Domain) -> list[str]:
    """The domain's own ip4 entries, then its connectors' IPs not already covered by an earlier entry."""
    nets: list[Net] = [ipaddress.ip_network(ip, strict=False) for ip in domain.spf.ip4]
    for connector in spec.connectors_sending_for(domain.name):
        for ip in connector.sender_ips:
            net = ipaddress.ip_network(ip, strict=False)
            if not covered(net, nets):
                nets.append(net)
    return [str(net.network_address) if net.num_addresses == 1 else str(net) for net in nets]


def spf_value(spec: RelaySpec, domain: Domain) -> str:
    """``v=spf1 ip4:… include:… -all``: ip4 entries cost no DNS lookups, so they go first."""
    parts = ["v=spf1", *(f"ip4:{ip}" for ip in spf_ip4(spec, domain)),
             *(f"include:{inc}" for inc in domain.spf.include), domain.spf.all]
    return " ".join(parts)


def dmarc_value(dmarc: Dmarc) -> str:
    """``v=DMARC1; p=…; pct=…; rua=…; ruf=…`` (report URIs comma-separated, as RFC 7489 wants)."""
    parts = ["v=DMARC1", f"p={dmarc.policy}", f"pct={dmarc.pct}"]
    if dmarc.rua:
        parts.append("rua=" + ",".join(dmarc.rua))
    if dmarc.ruf:
        parts.append("ruf=" + ",".join(dmarc.ruf))
    return "; ".join(parts)


def mta_sts_policy(policy: MtaSts) -> str:
    """The policy file served at ``https://mta-sts.<domain>/.well-known/mta-sts.txt`` (RFC 8461 §3.2, CRLF lines)."""
    lines = ["version: STSv1", f"mode: {policy.mode}", *(f"mx: {mx}" for mx in policy.mx),
             f"max_age: {policy.max_age}"]
    return "\r\n".join(lines) + "\r\n"


def mta_sts_value(policy: MtaSts) -> str:
    """``v=STSv1; id=…``: the id is derived from the policy file, so it changes exactly when the policy does
    (senders refetch the policy only when the id changes)."""
    return f"v=STSv1; id={hashlib.sha256(mta_sts_policy(policy).encode()).hexdigest()[:20]}"


def tls_rpt_value(tls_rpt: TlsRpt) -> str:
    """``v=TLSRPTv1; rua=…`` (report URIs comma-separated, RFC 8460 §3)."""
    return "v=TLSRPTv1; rua=" + ",".join(tls_rpt.rua)


def static_records(spec: RelaySpec, domain: Domain) -> list[DnsRecord]:
    """SPF, DMARC, MTA-STS and TLS-RPT: everything the spec alone decides."""
    records = [DnsRecord("@", "TXT", spf_value(spec, domain))]
    if domain.dmarc is not None:
        records.append(DnsRecord("_dmarc", "TXT", dmarc_value(domain.dmarc)))
    if domain.mta_sts is not None:
        records.append(DnsRecord("_mta-sts", "TXT", mta_sts_value(domain.mta_sts)))
    if domain.tls_rpt is not None:
        records.append(DnsRecord("_smtp._tls", "TXT", tls_rpt_value(domain.tls_rpt)))
    return records


def dkim_records(selector1_cname: str, selector2_cname: str) -> list[DnsRecord]:
    """The two selector CNAMEs, targets as ``Get-DkimSigningConfig`` reports them."""
    return [DnsRecord("selector1._domainkey", "CNAME", selector1_cname),
            DnsRecord("selector2._domainkey", "CNAME", selector2_cname)]


def zone_snippet(domain: str, records: list[DnsRecord]) -> str:
    """A zone-file fragment a DNS team can paste (or compare with what they have)."""
    lines = [f"; o365-relay records for {domain}", f"$ORIGIN {_absolute(domain)}"]
    lines += [r.zone_line() for r in records]
    return "\n".join(lines) + "\n"
