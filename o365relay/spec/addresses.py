"""What is wrong with a sender IP or a domain name, in words a user can act on.

The schema's patterns say *that* a value is malformed; these say *why* (IPv6, a prefix too wide,
private space, upper case...), and the public-address rule is one the schema cannot express.
"""

from __future__ import annotations

import ipaddress
import re

from o365relay import exchange_values as xv

# Address space a relay connector can never see mail from: Exchange matches the public address the
# device's traffic leaves from. The documentation ranges (192.0.2.0/24, 198.51.100.0/24,
# 203.0.113.0/24, RFC 5737) are deliberately NOT listed: examples and tests use them, and a real
# spec never will by accident.
_NOT_PUBLIC: list[tuple[ipaddress.IPv4Network, str]] = [
    (ipaddress.IPv4Network(net), f"{what} ({ref + ', ' if ref else ''}{net})")
    for net, what, ref in (
        ("0.0.0.0/8", "'this network' space", "RFC 1122"),
        ("10.0.0.0/8", "private address space", "RFC 1918"),
        ("100.64.0.0/10", "carrier-grade NAT space", "RFC 6598"),
        ("127.0.0.0/8", "loopback space", ""),
        ("169.254.0.0/16", "link-local space", ""),
        ("172.16.0.0/12", "private address space", "RFC 1918"),
        ("192.0.0.0/24", "IETF protocol assignment space", "RFC 6890"),
        ("192.168.0.0/16", "private address space", "RFC 1918"),
        ("198.18.0.0/15", "benchmarking space", "RFC 2544"),
        ("224.0.0.0/4", "multicast space", ""),
        ("240.0.0.0/4", "reserved space", "RFC 1112"),
    )
]
MIN_PREFIX = 24  # Exchange accepts sender IP ranges from /24 to /32
_DOMAIN = re.compile(r"^(\*|(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63})\Z")
_ADDRESS = re.compile(r"^[^@\s]+@([a-z0-9-]+\.)+[a-z]{2,63}\Z")
_DNS_NAME = re.compile(r"^([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}\.?\Z")
_GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")



def sender_ip_syntax(text: str) -> str | None:
    """Why ``text`` is not an IPv4 address or /24–/32 range Exchange accepts, or None if it is one."""
    try:
        network = ipaddress.ip_network(text, strict=False)
    except ValueError:
        return f"{text!r} is not an IPv4 address or CIDR range; write e.g. 203.0.113.25 or 203.0.113.0/28"
    if network.version == 6:
        return f"{text!r} is IPv6; Exchange connectors accept IPv4 sender addresses only"
    if network.prefixlen < MIN_PREFIX:
        return (f"{text!r} is a /{network.prefixlen}; Exchange accepts sender ranges from /24 to /32, "
                f"so split it into /24s or list the addresses that send")
    if "/" in text and str(network) != text:
        return f"{text!r} has host bits set; write the network as {network}"
    return None


def sender_ip_problem(text: str) -> str | None:
    """Why ``text`` cannot be a relay connector's sender IP, or None when it can: the one sender-IP rule
    the loader, the lint rules and the providers apply (IPv4, /24 to /32, no host bits, public space)."""
    return sender_ip_syntax(text) or sender_ip_scope(text)


def reserved_space(text: str) -> str | None:
    """Which non-public address space a well-formed IPv4 range touches, or None if it is public."""
    network = ipaddress.IPv4Network(text, strict=False)
    return next((what for reserved, what in _NOT_PUBLIC if network.overlaps(reserved)), None)


def sender_ip_scope(text: str) -> str | None:
    """Why a well-formed IPv4 range is not public address space, or None if it is public."""
    what = reserved_space(text)
    if what is None:
        return None
    return (f"{text} is in {what}; a connector matches the public IPv4 address "
            "the mail leaves your network from (after NAT): use that address")


def domain_syntax(text: str) -> str | None:
    """A hint for a malformed domain name, or None when no specific hint applies."""
    if text != text.lower():
        return f"{text!r} has upper-case letters; write domain names in lower case: {text.lower()}"
    if text.endswith("."):
        return f"{text!r} ends with a dot; write it without: {text.rstrip('.')}"
    if "://" in text or "/" in text or "@" in text:
        return f"{text!r} is not a bare domain name; write only the domain, e.g. contoso.com"
    if "." not in text:
        return f"{text!r} has no dot; write the fully qualified domain, e.g. {text}.com"
    return None


def check_domain(value: str) -> str | None:
    if _DOMAIN.match(xv.sender_domain(value)):
        return None
    return f"{value!r} is not a domain (e.g. contoso.com, *.contoso.com or *)"


def check_smart_host(value: str) -> str | None:
    """A smart host: a host name (an A or MX record), an IPv4 address or an IPv4 CIDR range."""
    try:
        network = ipaddress.ip_network(value.strip(), strict=False)
    except ValueError:
        if _DOMAIN.match(value.strip().lower()) and not value.startswith("*"):
            return None
        return f"{value!r} is not a host name, IPv4 address or CIDR range (e.g. smtp.fabrikam.com)"
    return None if network.version == 4 else f"{value!r}: use an IPv4 address or a host name"


def check_dns_name(value: str) -> str | None:
    """A DNS owner or target name (underscore labels such as ``_domainkey`` allowed)."""
    return None if _DNS_NAME.match(value.strip().lower()) else f"{value!r} is not a DNS name"


def check_address(value: str) -> str | None:
    return None if _ADDRESS.match(value.strip().lower()) else f"{value!r} is not an email address"


def check_guid(value: str) -> str | None:
    return None if _GUID.match(value.strip().lower()) else f"{value!r} is not a GUID"
