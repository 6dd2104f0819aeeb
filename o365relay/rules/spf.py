"""The arithmetic the SPF rules need over the record ``o365relay.records.spf_value`` computes.

DNS lookups (RFC 7208 4.6.4): each ``include`` costs one, plus what its own record spends (nested
includes, ``a``, ``mx``, ``exists``, ``redirect``). Microsoft's include is known; a vendor's is resolved
through DNS when a resolver is given, else the count is a lower bound and says which includes it skipped.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from typing import NamedTuple

from o365relay.errors import RelayError
from o365relay.records import Net, covered
from o365relay.spec.model import Spf

# Includes whose own record nests further lookups we know of (Microsoft publishes
# spf.protection.outlook.com as ip4/ip6 ranges plus include:spfd.protection.outlook.com).
KNOWN_NESTED_LOOKUPS: dict[str, int] = {"spf.protection.outlook.com": 1}
MAX_LOOKUPS = 10


class LookupCount(NamedTuple):
    lookups: int
    unresolved: tuple[str, ...]  # includes whose nested lookups are not counted: ``count`` is a lower bound


def lookup_count(spf: Spf, nested: Callable[[str], int] | None = None) -> LookupCount:
    """DNS lookups a receiver spends on this record; ``nested(include)`` gives what an include's own
    record spends (it raises when DNS cannot say)."""
    count, unresolved = 0, []
    for include in spf.include:
        count += 1
        known = KNOWN_NESTED_LOOKUPS.get(include.lower())
        if known is not None:
            count += known
            continue
        try:
            if nested is None:
                raise LookupError(include)
            count += nested(include)
        except (LookupError, RelayError):
            unresolved.append(include)
    return LookupCount(count, tuple(unresolved))


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
