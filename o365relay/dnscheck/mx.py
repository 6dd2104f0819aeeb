"""MX: the domain's published MX host is the one Graph's serviceConfigurationRecords names.

The host is read from the tenant, never computed (new domains get ``*.mx.microsoft`` hosts since 2026).
"""

from __future__ import annotations

from o365relay.dnscheck.dkim import Unavailable
from o365relay.dnscheck.model import Check
from o365relay.dnscheck.resolver import Dns
from o365relay.errors import TransientError


def check_mx(domain: str, dns: Dns, expected: str | Unavailable) -> list[Check]:
    try:
        published = sorted(dns.lookup(domain, "MX"), key=_preference)
    except TransientError as error:
        return [Check(domain, "mx", "unknown", str(error))]
    hosts = [record.split()[-1].rstrip(".").lower() for record in published]
    evidence: dict[str, object] = {"published": published, "expected": expected}
    if not hosts:
        return [Check(domain, "mx", "finding", "no MX record", evidence)]
    if isinstance(expected, Unavailable):
        evidence["expected"] = None
        return [Check(domain, "mx", expected.status, f"MX is published; not compared: {expected.reason}", evidence)]
    if expected.lower().rstrip(".") not in hosts:
        return [Check(domain, "mx", "finding", f"MX points to {', '.join(hosts)}; the tenant expects {expected}",
                      evidence)]
    if hosts[0] != expected.lower().rstrip("."):
        return [Check(domain, "mx", "finding", f"{expected} is published but not the most preferred MX", evidence)]
    return [Check(domain, "mx", "ok", f"MX points to {expected}", evidence)]


def _preference(record: str) -> int:
    head = record.split()[0]
    return int(head) if head.isdigit() else 0
