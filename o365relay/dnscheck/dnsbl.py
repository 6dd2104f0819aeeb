"""DNSBL: is any connector sender IP listed on a blocklist zone?

A listing is an A record in 127.0.0.0/8 at ``<reversed IP>.<zone>``. Spamhaus answers 127.255.255.x
for refused queries (public resolvers, over quota): that means "could not tell", so it is unknown.
Every address of every sender network is looked up, concurrently.
"""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import Iterable
from typing import cast

from o365relay.dnscheck.model import Check
from o365relay.dnscheck.resolver import Dns
from o365relay.errors import TransientError
from o365relay.reports.wording import plural

DEFAULT_ZONES = ("zen.spamhaus.org", "bl.spamcop.net")
MAX_ADDRESSES = 256  # the widest connector range Exchange accepts is a /24
CONCURRENCY = 32


IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def sender_addresses(networks: Iterable[str]) -> list[IPAddress]:
    seen: dict[str, IPAddress] = {}
    for text in networks:
        network = ipaddress.ip_network(text, strict=False)
        for address in list(network)[:MAX_ADDRESSES]:
            seen.setdefault(str(address), cast(IPAddress, address))
    return list(seen.values())


async def check_dnsbl(networks: Iterable[str], zones: Iterable[str], dns: Dns) -> list[Check]:
    addresses = sender_addresses(networks)
    zones = list(zones)
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(address: IPAddress, zone: str) -> Check | None:
        query = f"{address.reverse_pointer.rsplit('.', 2)[0]}.{zone}"
        async with gate:
            try:
                answers = await dns.alookup(query, "A")
            except TransientError as error:
                return Check(str(address), "dnsbl", "unknown", f"{zone}: {error}", {"zone": zone, "query": query})
        listed = [a for a in answers if a.startswith("127.")]
        if not listed:
            return None
        evidence = {"zone": zone, "query": query, "answers": listed}
        if all(a.startswith("127.255.255.") for a in listed):
            return Check(str(address), "dnsbl", "unknown", f"{zone} refused the query ({', '.join(listed)})",
                         evidence)
        return Check(str(address), "dnsbl", "finding", f"listed on {zone} ({', '.join(listed)})", evidence)

    results = await asyncio.gather(*(one(a, z) for a in addresses for z in zones))
    checks = [c for c in results if c is not None]
    if not checks and addresses and zones:
        checks.append(Check("sender IPs", "dnsbl", "ok",
                            f"{plural(len(addresses), 'address', 'addresses')} not listed on {', '.join(zones)}",
                            {"addresses": len(addresses), "zones": zones}))
    return checks
