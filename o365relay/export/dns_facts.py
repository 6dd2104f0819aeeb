"""SPF and DMARC of a domain as published, in the spec's terms (for the export)."""

from __future__ import annotations

from o365relay.dnscheck.resolver import Dns
from o365relay.errors import TransientError
from o365relay.spec.model import Dmarc, Spf

_POLICIES = ("none", "quarantine", "reject")


def published_spf(domain: str, dns: Dns, warnings: list[str]) -> Spf:
    """The published SPF record as includes, ip4 and all; Microsoft's default if there is none."""
    try:
        records = [t for t in dns.lookup(domain, "TXT") if t.lower().startswith("v=spf1")]
    except TransientError as error:
        warnings.append(f"{domain}: SPF not read ({error}); the spec declares Microsoft's default")
        return Spf()
    if len(records) != 1:
        warnings.append(f"{domain}: {len(records)} SPF records published; the spec declares Microsoft's default")
        return Spf()
    includes, ip4, qualifier = [], [], "-all"
    for term in records[0].split()[1:]:
        lowered = term.lower()
        if lowered.startswith("include:"):
            includes.append(lowered[8:])
        elif lowered.startswith(("ip4:", "+ip4:")):
            ip4.append(lowered.split(":", 1)[1])
        elif lowered in ("-all", "~all"):
            qualifier = lowered
        elif lowered.endswith("all"):
            warnings.append(f"{domain}: SPF ends in {term}; the spec declares ~all (only -all and ~all are allowed)")
            qualifier = "~all"
        else:
            warnings.append(f"{domain}: SPF term {term!r} has no place in the spec and was left out")
    return Spf(include=tuple(includes), ip4=tuple(ip4), all=qualifier)  # type: ignore[arg-type]


def published_dmarc(domain: str, dns: Dns, warnings: list[str]) -> Dmarc | None:
    try:
        records = [t for t in dns.lookup(f"_dmarc.{domain}", "TXT") if t.lower().startswith("v=dmarc1")]
    except TransientError as error:
        warnings.append(f"{domain}: DMARC not read ({error}); left out of the spec")
        return None
    if len(records) != 1:
        return None
    tags = {}
    for part in records[0].split(";"):
        key, _, value = part.partition("=")
        tags[key.strip().lower()] = value.strip()
    policy = tags.get("p", "").lower()
    if policy not in _POLICIES:
        warnings.append(f"{domain}: DMARC policy {policy!r} is not valid; left out of the spec")
        return None
    pct = int(tags["pct"]) if tags.get("pct", "").isdigit() else 100
    return Dmarc(policy=policy, pct=pct, rua=_uris(tags.get("rua")), ruf=_uris(tags.get("ruf")))  # type: ignore[arg-type]


def _uris(value: str | None) -> tuple[str, ...]:
    return tuple(u.strip() for u in (value or "").split(",") if u.strip().lower().startswith("mailto:"))
