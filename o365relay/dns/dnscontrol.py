"""The relay's records as DNSControl records, one variable per zone to spread into its ``D()`` block.

DNSControl keeps each ``TXT()`` as one record of the name's set, so the relay's SPF sits beside the
verification values a team already declares at ``@`` instead of replacing them. The one thing the relay
cannot see is an SPF record the team wrote itself: a zone file of what is published now
(``dnscontrol get-zones --format=zone``) given as ``existing`` is checked, and an SPF record there that
is not the relay's must be deleted from ``dnsconfig.js`` (two SPF records fail SPF everywhere).
"""

from __future__ import annotations

import json
import re

import dns.exception
import dns.rdatatype
import dns.zone

from o365relay.dns.txt import is_spf, txt_strings, version_tag
from o365relay.dns.zones import ZoneRecords
from o365relay.errors import UsageError


def variable_name(zone: str) -> str:
    return "O365_RELAY_" + re.sub(r"[^A-Z0-9]", "_", zone.upper())


def render(zone: ZoneRecords, replaced: list[tuple[str, str]] | None = None) -> str:
    """A JavaScript snippet: ``var O365_RELAY_<ZONE> = [TXT(...), CNAME(...)];``; long TXT values as an array of
    255-octet strings. ``replaced``: TXT values published now that the relay's records supersede."""
    lines = [f"// o365-relay records for zone {zone.zone}: D(\"{zone.zone}\", REG, DnsProvider(DSP), ..."
             f"{variable_name(zone.zone)})"]
    lines += [f"// delete from dnsconfig.js, the relay's record replaces it: TXT({json.dumps(n)}, {json.dumps(v)})"
              for n, v in replaced or []]
    lines.append(f"var {variable_name(zone.zone)} = [")
    for record in zone.records:
        if record.type == "TXT":
            strings = txt_strings(record.value)
            value = json.dumps(strings[0] if len(strings) == 1 else strings)
        else:
            value = json.dumps(record.value if record.value.endswith(".") else record.value + ".")
        lines.append(f"  {record.type}({json.dumps(record.name)}, {value}, TTL({record.ttl})),")
    lines.append("];")
    return "\n".join(lines) + "\n"


def superseded(zone: ZoneRecords, published: dict[str, list[str]]) -> list[tuple[str, str]]:
    """Published TXT values (name -> values) that a relay record of the same kind and name replaces."""
    out: list[tuple[str, str]] = []
    for record in zone.records:
        tag = version_tag(record.value) if record.type == "TXT" else None
        for value in published.get(record.name, []) if tag else []:
            same_kind = is_spf(value) if is_spf(record.value) else version_tag(value) == tag
            if same_kind and value != record.value:
                out.append((record.name, value))
    return out


def published_txt(text: str, zone: str, source: str) -> dict[str, list[str]]:
    """The TXT values of a BIND zone file, by name relative to ``zone`` (``@`` for the apex)."""
    try:
        parsed = dns.zone.from_text(text, origin=zone, relativize=True, check_origin=False)
    except (dns.exception.DNSException, ValueError) as error:
        raise UsageError(f"{source}: not a zone file of {zone}: {error}") from None
    out: dict[str, list[str]] = {}
    for name, rdataset in parsed.iterate_rdatasets(dns.rdatatype.TXT):
        out[name.to_text()] = [b"".join(r.strings).decode(errors="replace") for r in rdataset]
    return out
