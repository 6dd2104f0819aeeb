"""The tenant's default connection filter policy, as Exchange Online Protection keeps and applies it.

Shape and rules from Microsoft's pages (Set-HostedConnectionFilterPolicy; "Configure connection
filtering", defender-docs): one policy, ``Default``, that always exists; ``IPAllowList`` and
``IPBlockList`` hold single IPv4 addresses, CIDR ranges /24 to /32, or ``first-last`` ranges, at most
1273 entries each, IPv6 not supported; the allow list wins over the block list. Mail from a blocked
address is refused (5.7.513) before any filtering and never reaches message trace; mail from an
allowed address skips spam filtering (SCL -1, ``IPV:CAL``). ``EnableSafeList`` is stored and returned
only: the sandbox has no third-party list to consult.
"""

from __future__ import annotations

import ipaddress
from typing import Literal

from o365relay.sandbox import store as st
from o365relay.sandbox.exchange_objects import exo_now

POLICY_ID = "Default"
MAX_ENTRIES = 1273
MIN_PREFIX = 24

Verdict = Literal["allow", "block"]


def policy(store: st.Store) -> st.Doc:
    """The Default policy: the stored one, else the shape a tenant starts with."""
    return store.get(st.CONNECTION_FILTER_POLICY, POLICY_ID) or new_policy()


def new_policy() -> st.Doc:
    now = exo_now()
    return {
        "id": POLICY_ID,
        "Identity": POLICY_ID,
        "Name": POLICY_ID,
        "Guid": "9a0f8b8e-4d5d-4a8e-8a07-b4e1e1c0f001",
        "AdminDisplayName": "",
        "IsDefault": True,
        "EnableSafeList": False,
        "IPAllowList": [],
        "IPBlockList": [],
        "DirectoryBasedEdgeBlockMode": "Default",
        "IsValid": True,
        "WhenCreatedUTC": now,
        "WhenChangedUTC": now,
    }


def entry_problem(entry: str) -> str | None:
    """Why Exchange refuses an entry, or None ([sandbox wording]: no capture of the real text)."""
    text = str(entry).strip()
    try:
        if "-" in text:
            first, _, last = text.partition("-")
            low, high = ipaddress.IPv4Address(first.strip()), ipaddress.IPv4Address(last.strip())
            return None if low <= high else f"'{text}': the range starts after it ends"
        network = ipaddress.ip_network(text, strict=False)
    except ValueError:
        return f"'{text}' is not a valid IP address, IP range or CIDR IP"
    if network.version != 4:
        return f"'{text}': IPv6 ranges aren't supported"
    if network.prefixlen < MIN_PREFIX:
        return f"'{text}': valid network mask values are /24 through /32"
    return None


def _covers(entry: str, address: ipaddress.IPv4Address) -> bool:
    text = str(entry).strip()
    try:
        if "-" in text:
            first, _, last = text.partition("-")
            return ipaddress.IPv4Address(first.strip()) <= address <= ipaddress.IPv4Address(last.strip())
        return address in ipaddress.IPv4Network(text, strict=False)
    except ValueError:
        return False


def verdict(store: st.Store, ip: str) -> Verdict | None:
    """What connection filtering does with mail from ``ip``: allow (skip spam filtering), block, or
    nothing. The allow list wins when an address is on both lists."""
    try:
        address = ipaddress.IPv4Address(ip)
    except ValueError:
        return None
    doc = policy(store)
    if any(_covers(e, address) for e in doc.get("IPAllowList") or []):
        return "allow"
    if any(_covers(e, address) for e in doc.get("IPBlockList") or []):
        return "block"
    return None
