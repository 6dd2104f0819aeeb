"""Exchange's value forms, normalised so that comparing desired and actual never shows false drift.

Exchange hands values back in its own forms: a connector's sender domain as the address space
``smtp:*;1`` (or ``SMTP:Contoso.com;1``), single IPs with or without ``/32``, lists in any order,
domains and addresses in any case, ``null`` for an empty comment, and SMTP AUTH switches as a
tri-state (``True`` disabled, ``False`` enabled, ``null`` follows the organisation). Everything that
compares spec and tenant (the audit, the export, the dynamic providers' diff) uses these functions,
so a value that round-trips through Exchange compares equal to what was asked for.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from typing import Any

# Every field under which Exchange names a mailbox (alias, addresses, ids).
MAILBOX_NAME_FIELDS = ("PrimarySmtpAddress", "UserPrincipalName", "WindowsEmailAddress", "Identity", "Name",
                       "Alias", "ExternalDirectoryObjectId", "Guid")


def sender_domain(value: str) -> str:
    """``smtp:*.Contoso.com;1`` -> ``*.contoso.com``; plain domains are lower-cased."""
    text = value.strip()
    if text.lower().startswith("smtp:"):
        text = text[5:]
    return text.split(";", 1)[0].strip().lower()


def sender_domains(values: Iterable[str] | None) -> list[str]:
    """A sorted, de-duplicated list of sender domains in plain form."""
    return sorted({sender_domain(v) for v in values or ()})


def sender_domain_covers(entry: str, domain: str) -> bool:
    """Whether a connector's SenderDomains entry (any form above) takes mail from ``domain``: ``*`` takes
    every domain, and Microsoft documents ``*.contoso.com`` as contoso.com and all its subdomains."""
    pattern, domain = sender_domain(entry), domain.strip().lower()
    if pattern == "*":
        return True
    if pattern.startswith("*."):
        return domain == pattern[2:] or domain.endswith(pattern[1:])
    return domain == pattern


def ipv4_range(value: str) -> str:
    """``198.51.100.25/32`` -> ``198.51.100.25``; ranges keep their prefix (host bits cleared)."""
    network = ipaddress.ip_network(value.strip(), strict=False)
    return str(network.network_address) if network.prefixlen == network.max_prefixlen else str(network)


def ip_ranges(values: Iterable[str] | None) -> list[str]:
    """Sender IPs as a de-duplicated list in address order."""
    def key(text: str) -> tuple[int, int, int]:
        network = ipaddress.ip_network(text, strict=False)
        return network.version, int(network.network_address), network.prefixlen

    return sorted({ipv4_range(v) for v in values or ()}, key=key)


IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def ip_entry_networks(value: str) -> list[IpNetwork]:
    """An IP list entry as networks: ``a.b.c.d``, ``a.b.c.d/nn`` (host bits ignored) or the range form
    ``a.b.c.d-e.f.g.h`` the connection filter also takes. ValueError when it is none of these."""
    text = value.strip()
    if "-" not in text:
        return [ipaddress.ip_network(text, strict=False)]
    first, _, last = text.partition("-")
    start, end = ipaddress.ip_address(first.strip()), ipaddress.ip_address(last.strip())
    if start.version != end.version or int(start) > int(end):
        raise ValueError(f"{value!r} is not an address range (first-last)")
    return list(ipaddress.summarize_address_range(start, end))  # type: ignore[arg-type]


def ip_coverage(values: Iterable[str] | None) -> list[str]:
    """The addresses a connection filter list covers, as collapsed ranges in address order.

    Equal for every way the same addresses are written (``first-last`` ranges, CIDR with host bits,
    ``/32``, overlapping or repeated entries); an entry that is no address is kept as its text."""
    networks: list[IpNetwork] = []
    other: set[str] = set()
    for value in values or ():
        try:
            networks += ip_entry_networks(str(value))
        except ValueError:
            other.add(lower(value))
    out = []
    for version in (4, 6):
        same = [n for n in networks if n.version == version]
        out += [ipv4_range(str(n)) for n in ipaddress.collapse_addresses(same)]  # type: ignore[type-var]
    return out + sorted(other)


def smart_hosts(values: Iterable[str] | None) -> list[str]:
    """An outbound connector's smart hosts: names lower-cased, IPs without ``/32``, sorted."""
    def one(value: str) -> str:
        try:
            return ipv4_range(value)
        except ValueError:
            return lower(value)

    return sorted({one(v) for v in values or ()})


def text(value: Any) -> str:
    """``None`` and ``""`` are the same text to Exchange (e.g. an unset Comment)."""
    return "" if value is None else str(value)


def lower(value: Any) -> str:
    """Case-insensitive names: domains, addresses, certificate names, identities."""
    return text(value).strip().lower()


def optional_text(value: Any) -> str | None:
    """Like :func:`text` but keeps "unset" (``None`` or ``""``) as ``None``."""
    return text(value) or None


def integer(value: Any) -> int | None:
    """Whole numbers, which may arrive as floats or strings."""
    return None if value is None else int(value)


def optional_lower(value: Any) -> str | None:
    """Like :func:`lower` but keeps "unset" (``None`` or ``""``) as ``None``."""
    return lower(value) or None


def boolean(value: Any) -> bool | None:
    """JSON booleans, or the ``"True"``/``"False"`` strings some serialisers produce."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        return {"true": True, "false": False, "": None}.get(value.strip().lower(), bool(value))
    return bool(value)


def mailbox_names(mailbox: Mapping[str, Any] | None, address: str = "") -> frozenset[str]:
    """Lower-case names of a mailbox row (and the address it was asked for by), for matching rows."""
    values = [mailbox.get(k) for k in MAILBOX_NAME_FIELDS] if mailbox else []
    return frozenset(lower(v) for v in [*values, address] if v)


def rows_naming(rows: Iterable[dict[str, Any]], names: frozenset[str]) -> list[dict[str, Any]]:
    """The permission rows whose ``Identity`` is one of ``names``.

    A per-mailbox Get-* may answer with rows for other mailboxes (as if Identity had not been
    given); a row counts for the mailbox asked about only when it names that mailbox.
    """
    return [row for row in rows if lower(row.get("Identity")) in names]
