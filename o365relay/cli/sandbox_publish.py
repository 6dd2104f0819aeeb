"""``relayctl sandbox publish FILE…``: be the DNS team of a sandbox, publishing a stack's zone snippets.

With ``dns.backend: none`` the stack publishes nothing itself: its ``zoneFiles`` output holds the
records for a DNS team to publish. On the sandbox this command is that team: it reads zone snippets
(BIND text, or the ``pulumi stack output zoneFiles --json`` map of them) and publishes their records in
the running sandbox's DNS, which its loopback DNS server (``RELAY_NAMESERVER``) then serves to
``relayctl dns``. TXT values merge the way a careful team does: values already there stay (the
domain verification value), and each kind (SPF, DMARC, …) keeps one record, the snippet's.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import dns.exception
import dns.rdatatype
import dns.zone

from o365relay.dns.txt import merge_txt
from o365relay.errors import TenantError, UsageError


@dataclass(frozen=True)
class Record:
    name: str  # FQDN, no trailing dot
    type: str  # CNAME, TXT or MX
    value: str  # TXT: the joined text; MX "pref host"; CNAME the target
    strings: tuple[str, ...] = ()  # TXT character-strings


def snippets(text: str, source: str) -> list[tuple[str, str]]:
    """``(where, zone text)`` pairs: one zone snippet, or the ``zoneFiles`` output's map of them."""
    if not text.lstrip().startswith("{"):
        return [(source, text)]
    try:
        document = json.loads(text)
    except ValueError as error:
        raise UsageError(f"{source}: not JSON ({error}); give a zone snippet or `pulumi stack output "
                         "zoneFiles --json`") from None
    if not isinstance(document, dict) or not all(isinstance(v, str) for v in document.values()):
        raise UsageError(f"{source}: expected the zoneFiles output, a map of domain to zone snippet")
    return [(f"{source} [{key}]", value) for key, value in document.items()]


def zone_records(text: str, source: str) -> list[Record]:
    """The CNAME, TXT and MX records of one zone snippet (it names its ``$ORIGIN``)."""
    try:
        zone = dns.zone.from_text(text, origin=None, relativize=False, check_origin=False)
    except (dns.exception.DNSException, ValueError) as error:
        raise UsageError(f"{source}: not a zone snippet with an $ORIGIN line: {error}") from None
    records: list[Record] = []
    for name, _ttl, rdata in zone.iterate_rdatas():
        data: Any = rdata  # the type's own class (TXT, MX, CNAME) with its fields
        fqdn = name.to_text().rstrip(".").lower()
        kind = dns.rdatatype.to_text(rdata.rdtype)
        if kind == "TXT":
            strings = tuple(s.decode() for s in data.strings)
            records.append(Record(fqdn, kind, "".join(strings), strings))
        elif kind == "MX":
            records.append(Record(fqdn, kind, f"{data.preference} {data.exchange.to_text().rstrip('.')}"))
        elif kind == "CNAME":
            records.append(Record(fqdn, kind, data.target.to_text().rstrip(".")))
        else:
            raise UsageError(f"{source}: {fqdn} {kind}: the sandbox's DNS holds CNAME, TXT and MX records")
    return records


def merged(current: list[dict[str, Any]], new: Iterable[Record]) -> list[dict[str, Any]]:
    """The record sets to write whole: each name and type the snippets touch, TXT merged with what is there."""
    sets: dict[tuple[str, str], list[Record]] = {}
    for record in new:
        sets.setdefault((record.name, record.type), []).append(record)
    rows: list[dict[str, Any]] = []
    for (name, kind), records in sets.items():
        if kind != "TXT":
            rows += [{"name": name, "type": kind, "value": r.value} for r in records]
            continue
        strings = {str(r["value"]): list(r.get("strings") or [r["value"]]) for r in current
                   if r["name"] == name and r["type"] == "TXT"}
        values = list(strings)
        for record in records:
            strings[record.value] = list(record.strings)
            values = merge_txt(values, record.value)
        rows += [{"name": name, "type": "TXT", "value": strings[v]} for v in values]
    return rows


def publish(base_url: str, ca_file: str, records: list[Record]) -> list[dict[str, Any]]:
    """Write the records into the sandbox's DNS view; returns the rows written."""
    import ssl

    import httpx

    from o365relay.netfail import transport_error

    try:
        trust = ssl.create_default_context(cafile=ca_file)
    except (OSError, ssl.SSLError) as error:
        raise UsageError(f"the sandbox's CA file {ca_file} cannot be read ({error}); is the sandbox still "
                         "running?") from None
    try:
        with httpx.Client(base_url=base_url, verify=trust, timeout=30) as client:
            current = client.get("/_sandbox/dns").raise_for_status().json()["records"]
            rows = merged(current, records)
            response = client.post("/_sandbox/dns", json={"records": rows, "replace": True})
    except httpx.TransportError as error:
        raise transport_error(error, "the sandbox", base_url) from None
    except httpx.HTTPStatusError as error:
        raise TenantError(f"the sandbox at {base_url} answered {error.response.status_code} to the DNS view "
                          "read") from None
    if response.status_code != 200:
        raise UsageError(f"the sandbox refused the records: {response.text.strip()}")
    return rows
