"""Input fields of the dynamic resources: coercion, validation and Exchange value normalisation.

Exchange hands values back in its own forms (``smtp:*;1`` for a sender domain, domains in any case,
IP lists in any order, ``/32`` or bare addresses, ``"True"`` strings); every comparison the providers make (diff, adopt
on create, drift on refresh) goes through :func:`Field.norm` so these forms never show as changes.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from o365relay import exchange_values as xv

_DOMAIN = re.compile(r"^(\*|(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63})\Z")
_ADDRESS = re.compile(r"^[^@\s]+@([a-z0-9-]+\.)+[a-z]{2,63}\Z")
_DNS_NAME = re.compile(r"^([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}\.?\Z")
_GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")


# Exchange's value forms are normalised exactly as the audit normalises them (one definition, in the core).
norm_str = xv.text
norm_lower = xv.lower
norm_domains = xv.sender_domains
norm_ips = xv.ip_ranges


def norm_int(value: Any) -> int | None:
    return None if value is None else int(value)


norm_bool = xv.boolean


def check_ipv4_range(value: str) -> str | None:
    """Exchange accepts single IPv4 addresses or CIDR ranges /24 to /32 for connectors."""
    try:
        net = ipaddress.ip_network(value, strict=False)
    except ValueError:
        return f"{value!r} is not an IPv4 address or CIDR range; e.g. 203.0.113.0/28"
    if net.version != 4:
        return f"{value!r}: Exchange connectors accept IPv4 only"
    if net.prefixlen < 24:
        return f"{value!r}: Exchange accepts ranges from /24 to /32; split it into /24 ranges"
    if str(net.network_address) != value.split("/")[0]:
        return f"{value!r} has host bits set; the range is {net}"
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


@dataclass(frozen=True)
class Field:
    """One input key of a dynamic resource.

    ``replace``: a change needs a new object. ``tenant``: sent to and compared with the tenant
    (False for bookkeeping inputs such as the spec name of a service account). ``managed_if_set``:
    an absent value means "this resource leaves that property alone".
    """

    name: str
    kind: type
    required: bool = True
    replace: bool = False
    tenant: bool = True
    norm: Callable[[Any], Any] = norm_str
    item_check: Callable[[str], str | None] | None = None
    choices: tuple[Any, ...] = ()
    managed_if_set: bool = False

    def coerce(self, value: Any) -> tuple[Any, str | None]:
        """The value as the provider uses it (numbers cross gRPC as floats), or a failure reason.

        A value still unknown during ``pulumi preview`` (another resource's output, such as a DKIM
        selector target) passes as it is: there is nothing to check until the engine knows it."""
        if _is_unknown(value):
            return value, None
        if value is None:
            return None, (f"{self.name} is required" if self.required else None)
        if self.kind is bool and not isinstance(value, bool):
            return value, f"{self.name} must be true or false, not {value!r}"
        if self.kind is int:
            if isinstance(value, bool) or not isinstance(value, int | float) or int(value) != value:
                return value, f"{self.name} must be a whole number, not {value!r}"
            value = int(value)
        if self.kind is str and not isinstance(value, str):
            return value, f"{self.name} must be a string, not {value!r}"
        if self.kind is list:
            if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
                return value, f"{self.name} must be a list of strings, not {value!r}"
            value = list(value)
        if self.choices and value not in self.choices:
            return value, f"{self.name} must be one of {', '.join(map(str, self.choices))}, not {value!r}"
        return value, self._check_items(value)

    def _check_items(self, value: Any) -> str | None:
        if self.item_check is None:
            return None
        items = value if isinstance(value, list) else [value]
        reasons = [r for r in (self.item_check(v) for v in items) if r]
        return f"{self.name}: " + "; ".join(reasons) if reasons else None


def _is_unknown(value: Any) -> bool:
    from pulumi.output import Unknown

    return isinstance(value, Unknown) or (isinstance(value, list) and any(isinstance(v, Unknown) for v in value))
