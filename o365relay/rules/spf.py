"""The arithmetic the SPF rules need over the record ``o365relay.records.spf_value`` computes.

DNS lookups are counted from what is declared (RFC 7208 4.6.4):
each ``include`` costs one, plus the nested includes of records whose content we know.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from o365relay.records import Net, covered
from o365relay.spec.model import Spf

# Includes whose own record nests further lookups we know of (Microsoft publishes
# spf.protection.outlook.com as ip4/ip6 ranges plus include:spfd.protection.outlook.com).
KNOWN_NESTED_LOOKUPS: dict[str, int] = {"spf.protection.outlook.com": 1}
MAX_LOOKUPS = 10


def lookup_count(spf: Spf) -> int:
    """DNS lookups a receiver spends on this record, counted from what is declared."""
    return sum(1 + KNOWN_NESTED_LOOKUPS.get(include.lower(), 0) for include in spf.include)


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
    return [ip for ip in sender_ips if not covered(ipaddress.ip_network(ip, strict=False), nets)]
