"""The records the spec implies, grouped by the zone they are published in.

A sending domain's records live in its ``dns.zone`` (a parent zone) or in a zone of its own; names are
made relative to that zone here, once, for every output format. DKIM targets are the tenant's values
(``Get-DkimSigningConfig``), passed in; a domain with DKIM on and no known targets is an error rather
than a zone without its selectors.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from o365relay.dnscheck.dkim import DkimTargets, Unavailable
from o365relay.errors import TransientError, UsageError
from o365relay.records import DnsRecord, dkim_records, static_records
from o365relay.spec.model import RelaySpec


@dataclass(frozen=True)
class ZoneRecords:
    zone: str
    records: tuple[DnsRecord, ...]  # names relative to the zone, "@" for its apex


def relative_name(domain: str, name: str, zone: str) -> str:
    """``_dmarc`` of ``notify.contoso.com`` in zone ``contoso.com`` -> ``_dmarc.notify``.

    The loader has checked that the zone is the domain or one of its parents."""
    full = (domain if name == "@" else f"{name}.{domain}").lower()
    zone = zone.lower()
    return "@" if full == zone else full[: -len(zone) - 1]


def records_by_zone(spec: RelaySpec, dkim: Callable[[str], DkimTargets | Unavailable]) -> list[ZoneRecords]:
    """Every declared domain's SPF, DKIM CNAMEs and DMARC, per zone, zones in declaration order."""
    zones: dict[str, list[DnsRecord]] = {}
    for domain in spec.domains.values():
        records = static_records(spec, domain)
        if domain.dkim.enabled:
            targets = dkim(domain.name)
            if isinstance(targets, Unavailable) and targets.status == "unknown":
                raise TransientError(f"domain {domain.name}: the DKIM CNAME targets could not be read from the "
                                     f"tenant: {targets.reason}")
            if isinstance(targets, Unavailable):
                raise UsageError(f"domain {domain.name}: the DKIM CNAME targets are the tenant's; configure "
                                 "the tenant (AZURE_TENANT_ID and credentials) or give --dkim-targets")
            records += dkim_records(targets.selector1, targets.selector2)
        zone = (domain.dns.zone or domain.name).lower()
        zones.setdefault(zone, []).extend(
            replace(r, name=relative_name(domain.name, r.name, zone)) for r in records)
    return [ZoneRecords(zone, tuple(records)) for zone, records in zones.items()]
