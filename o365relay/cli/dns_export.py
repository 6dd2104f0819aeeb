"""``relayctl dns SPEC --export octodns|dnscontrol``: the spec's records for the DNS tool a team runs."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from o365relay.dns import dnscontrol, octodns
from o365relay.dns.zones import ZoneRecords, records_by_zone
from o365relay.dnscheck.facts import TenantFacts
from o365relay.errors import UsageError
from o365relay.fileio import read_text, write_text
from o365relay.reports.wording import plural
from o365relay.spec.model import RelaySpec

MAX_ZONE_BYTES = 8 * 1024 * 1024
SUFFIX = {"octodns": ".yaml", "dnscontrol": ".js"}


def export(args: argparse.Namespace, spec: RelaySpec, facts: TenantFacts) -> int:
    zones = records_by_zone(spec, facts.dkim_for)
    existing = _existing(args.existing, {z.zone for z in zones})
    texts = {z.zone: _render(args.export, z, existing.get(z.zone)) for z in zones}
    if args.output:
        for zone, text in texts.items():
            write_text(Path(args.output) / f"{zone}{SUFFIX[args.export]}", text)
        print(f"wrote {plural(len(texts), args.export + ' zone file')} to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write("".join(texts.values()))
    return 0


def _render(tool: str, zone: ZoneRecords, existing: tuple[str, str] | None) -> str:
    if tool == "octodns":
        return octodns.render(zone, octodns.load_existing(*existing) if existing else None)
    published = dnscontrol.published_txt(existing[0], zone.zone, existing[1]) if existing else {}
    return dnscontrol.render(zone, dnscontrol.superseded(zone, published))


def _existing(pairs: list[str], zones: set[str]) -> dict[str, tuple[str, str]]:
    """ZONE=FILE -> zone: (text, file), every zone one the spec publishes into."""
    out: dict[str, tuple[str, str]] = {}
    for pair in pairs:
        zone, sep, path = pair.partition("=")
        zone = zone.strip().rstrip(".").lower()
        if not sep or not zone or not path:
            raise UsageError(f"--existing {pair!r}: expected ZONE=FILE, e.g. contoso.com=zones/contoso.com.yaml")
        if zone not in zones:
            raise UsageError(f"--existing {pair!r}: the spec publishes into {', '.join(sorted(zones))}, not {zone}")
        out[zone] = (read_text(path, MAX_ZONE_BYTES, "the zone file"), path)
    return out
