"""The DNS checks (``relayctl dns``) as audit rows, so one report covers the tenant and its DNS.

Each (subject, check, host) becomes one ``dns`` item: ``ok`` is in sync, ``finding`` is drift (the
published record differs from what the spec and the tenant call for), ``unknown`` stays unknown.
``skipped`` checks are not rows: the report's scope lists them as not checked, with the reason.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from typing import Any

from o365relay.audit.model import AuditResult, FieldDiff, Item, Scope, Status
from o365relay.audit.scope import DNS_NOT_READ
from o365relay.dnscheck.model import Check, DnsReport
from o365relay.records import dmarc_value, spf_value
from o365relay.reports.wording import plural
from o365relay.spec.model import RelaySpec

_STATUS: dict[str, Status] = {"ok": "in_sync", "finding": "drift", "unknown": "unknown"}
# A row is drift when any of its checks found something (a listing on one blocklist stands even if another
# blocklist could not be asked), else unknown when any lookup failed.
_WORST: tuple[Status, ...] = ("drift", "unknown", "in_sync")
_LABEL = {"spf": "SPF", "dkim": "DKIM", "dmarc": "DMARC", "mx": "MX", "dnsbl": "DNSBL", "mta-sts": "MTA-STS",
          "tls-rpt": "TLS-RPT"}


def _desired(spec: RelaySpec, check: Check) -> str:
    """What the spec and the tenant call for, in the words of the record."""
    domain = spec.domains.get(check.subject)
    if check.kind == "spf" and domain is not None:
        return spf_value(spec, domain)
    if check.kind == "dmarc" and domain is not None and domain.dmarc is not None:
        return dmarc_value(domain.dmarc)
    if check.kind == "dnsbl":
        return "not listed"
    expected = check.evidence.get("expected")
    return str(expected) if expected else "a valid record"


def _actual(check: Check) -> Any:
    """What DNS answered; nothing for a check that could not conclude (a refused blocklist lookup is no
    evidence that the address is not listed)."""
    if check.status == "unknown":
        return None
    if check.kind == "dnsbl":
        return "listed" if check.status == "finding" else "not listed"
    evidence = check.evidence
    return evidence.get("record") or evidence.get("published") or evidence.get("records") or None


def _name(check: Check) -> str:
    host = check.evidence.get("host")
    return f"{host} ({_LABEL[check.kind]})" if host else f"{check.subject} {_LABEL[check.kind]}"


def dns_items(spec: RelaySpec, report: DnsReport) -> list[Item]:
    groups: dict[str, list[Check]] = defaultdict(list)
    for check in report.checks:
        if check.status != "skipped":
            groups[_name(check)].append(check)
    items = []
    for name, checks in groups.items():
        status = next(s for s in _WORST if any(_STATUS[c.status] == s for c in checks))
        concluding = [c for c in checks if _STATUS[c.status] == status]
        first = concluding[0]
        field = FieldDiff(f"{_LABEL[first.kind]} record", _desired(spec, first), _actual(first))
        reason = "; ".join(c.message for c in concluding)
        spec_path = f"spec.domains.{first.subject}" if first.subject in spec.domains else ""
        items.append(Item("dns", name, status, (field,) if status == "drift" else (), reason=reason,
                          evidence=first.evidence, spec_path=spec_path, fields=(field,)))
    return items


def with_dns(result: AuditResult, spec: RelaySpec, report: DnsReport) -> AuditResult:
    """``result`` with the DNS checks as rows and its scope saying what DNS was read and what was not."""
    where = ", ".join(report.nameservers) or "the system resolver"
    domains = len(spec.domains)
    read = f"DNS: SPF, DKIM, DMARC and MX of {plural(domains, 'domain')}, DNSBL of the connector IPs (via {where})"
    skipped = [f"{c.subject} {_LABEL[c.kind]}: {c.message}" for c in report.checks if c.status == "skipped"]
    failed = [f"DNS {c.subject} {_LABEL[c.kind]}: {c.message}" for c in report.checks if c.status == "unknown"]
    scope = Scope((*result.scope.read, read), (*result.scope.failed, *failed),
                  (*(n for n in result.scope.not_read if n != DNS_NOT_READ), *skipped))
    return replace(result, items=(*result.items, *dns_items(spec, report)), scope=scope)


__all__ = ["dns_items", "with_dns"]
