"""The SPF record the product publishes for a domain, and the arithmetic the SPF rules need.

The record is computed, never written by hand: the declared ``ip4`` entries, then every sender IP of
the connectors that send for the domain (unless a declared range already covers it), then the declared
includes, then the ``all`` qualifier. DNS lookups are counted from what is declared (RFC 7208 4.6.4):
each ``include`` costs one, plus the nested includes of records whose content we know.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from o365relay.spec.model import RelaySpec, Spf

# Includes whose own record nests further lookups we know of (Microsoft publishes
# spf.protection.outlook.com as ip4/ip6 ranges plus include:spfd.protection.outlook.com).
KNOWN_NESTED_LOOKUPS: dict[str, int] = {"spf.protection.outlook.com": 1}
MAX_LOOKUPS = 10

Net = ipaddress.IPv4Network | ipaddress.IPv6Network


def lookup_count(spf: Spf) -> int:
    """DNS lookups a receiver spends on this record, counted from what is declared."""
    return sum(1 + KNOWN_NESTED_LOOKUPS.get(include.lower(), 0) for include in spf.include)


def _covered(net: Net, by: Iterable[Net]) -> bool:
    return any(net.version == other.version and net.subnet_of(other) for other in by)  # type: ignore[arg-type]


def spf_record(spec: RelaySpec, domain: str) -> str:
    """The TXT value published at ``domain``: ``v=spf1 ip4:... include:... -all``."""
    spf = spec.domains[domain].spf
    declared = [ipaddress.ip_network(ip, strict=False) for ip in spf.ip4]
    added: list[Net] = []
    for connector in spec.connectors_sending_for(domain):
        for ip in connector.sender_ips:
            net = ipaddress.ip_network(ip, strict=False)
            if not _covered(net, declared + added):
                added.append(net)
    terms = [f"ip4:{_term(net)}" for net in declared + added] + [f"include:{i}" for i in spf.include]
    return " ".join(["v=spf1", *terms, spf.all])


def _term(net: Net) -> str:
    return str(net.network_address) if net.num_addresses == 1 else str(net)


def authorised_networks(record: str) -> list[Net]:
    """The ``ip4:``/``ip6:`` networks a record authorises directly (includes are not followed)."""
    nets: list[Net] = []
    for term in record.split()[1:]:
        if term[0] in "-~?":  # a non-pass qualifier authorises nothing
            continue
        mechanism, _, value = term.removeprefix("+").partition(":")
        if mechanism.lower() in ("ip4", "ip6") and value:
            nets.append(ipaddress.ip_network(value, strict=False))
    return nets


def uncovered_ips(record: str, sender_ips: Iterable[str]) -> list[str]:
    """The sender IPs (or ranges) that ``record`` does not authorise with an ip4/ip6 term."""
    nets = authorised_networks(record)
    return [ip for ip in sender_ips if not _covered(ipaddress.ip_network(ip, strict=False), nets)]
