"""``dns.backend: cloudflare``: the relay's records as pulumi-cloudflare ``DnsRecord`` resources.

Cloudflare keeps every TXT value as a record of its own, so the relay's SPF sits beside the apex's
other TXT values (``MS=ms…`` verification, other vendors') and never replaces them, and destroying the
stack removes only the relay's records. What Cloudflare does not guard is RFC 7208 §4.5 (one SPF
record at a name; likewise one DMARC, MTA-STS and TLS-RPT record): so before declaring a TXT record
the program reads that name's TXT records (``getDnsRecords``) and refuses, naming the record and what
to do, when one of the same kind exists that this stack does not manage (the stack's records carry
the comment ``o365-relay stack <stack>``, :func:`comment`). A long value is written as quoted strings
of at most 255 octets, the form Cloudflare's ``content`` takes. DKIM CNAMEs are DNS-only (never proxied).
"""

from __future__ import annotations

import importlib
import re
from typing import Any

import pulumi

from o365relay.dns.txt import txt_strings, version_tag
from o365relay.errors import UsageError
from o365relay.spec.model import Domain

TTL = 3600
_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')


def _cloudflare() -> Any:
    """pulumi-cloudflare, imported only for domains that use it."""
    try:
        return importlib.import_module("pulumi_cloudflare")
    except ImportError:
        raise UsageError("a domain's dns.backend is 'cloudflare', but pulumi-cloudflare is not installed; install "
                         "the extra (pip install 'o365-relay[cloudflare]') or set dns.backend: none") from None


def txt_content(value: str) -> str:
    """``value`` as Cloudflare TXT content: quoted character-strings of at most 255 octets each."""
    return " ".join('"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"' for s in txt_strings(value))


def txt_value(content: str) -> str:
    """The text receivers read from Cloudflare TXT content (quoted strings joined; bare text as is)."""
    strings = _QUOTED.findall(content)
    if not strings:
        return content
    return "".join(re.sub(r"\\(.)", r"\1", s) for s in strings)


def comment() -> str:
    """The comment on every record this stack manages: how it tells its own records from others'."""
    return f"o365-relay stack {pulumi.get_stack()}"


def cloudflare_sink(domain: Domain) -> Any:
    """The record factory of a domain on Cloudflare (a :class:`components.dns_backends.RecordSink`)."""
    if not domain.dns.zone_id:
        raise UsageError(f"domain {domain.name}: dns.backend cloudflare needs dns.zoneId")
    cloudflare = _cloudflare()
    zone_id = domain.dns.zone_id

    def record(resource_name: str, name: str, type_: str, value: pulumi.Input[str],
               opts: pulumi.ResourceOptions) -> pulumi.Resource:
        fqdn = domain.name if name == "@" else f"{name}.{domain.name}"
        if type_ == "TXT":
            if not isinstance(value, str):
                raise UsageError(f"{fqdn}: a TXT value must be known when the program runs")
            _refuse_a_second_record(cloudflare, zone_id, fqdn, value)
            return cloudflare.DnsRecord(resource_name, zone_id=zone_id, name=fqdn, type="TXT",
                                        content=txt_content(value), ttl=TTL, comment=comment(), opts=opts)
        return cloudflare.DnsRecord(resource_name, zone_id=zone_id, name=fqdn, type=type_, content=value,
                                    proxied=False, ttl=TTL, comment=comment(), opts=opts)
    return record


def _refuse_a_second_record(cloudflare: Any, zone_id: str, fqdn: str, value: str) -> None:
    """UsageError when ``fqdn`` has a TXT record of ``value``'s kind that the relay does not manage."""
    kind = version_tag(value)
    if kind is None:
        return
    found = cloudflare.get_dns_records(zone_id=zone_id, type="TXT", name={"exact": fqdn})
    for existing in found.results or []:
        if (existing.comment or "") == comment() or version_tag(txt_value(existing.content or "")) != kind:
            continue
        raise UsageError(
            f"{fqdn} already has a {kind} TXT record that stack {pulumi.get_stack()} does not manage (Cloudflare "
            f"record {existing.id}: {txt_value(existing.content or '')!r}), and a name may hold only one: delete it "
            "in Cloudflare and run again; the stack publishes the spec's record in its place")
