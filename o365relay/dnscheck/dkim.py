"""DKIM: both selector CNAMEs published and pointing at the tenant's targets.

The targets are facts of the tenant (``Selector1CNAME``/``Selector2CNAME`` of Get-DkimSigningConfig),
never computed: Microsoft's format changed in 2025 and carries a partition character.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from o365relay.dnscheck.model import Check
from o365relay.dnscheck.resolver import Dns
from o365relay.errors import TransientError
from o365relay.spec.model import Domain

SELECTORS = ("selector1", "selector2")


@dataclass(frozen=True)
class Unavailable:
    """A tenant fact that could not be had: ``skipped`` (no source) or ``unknown`` (the read failed)."""

    status: Literal["skipped", "unknown"]
    reason: str


@dataclass(frozen=True)
class DkimTargets:
    selector1: str
    selector2: str

    def for_selector(self, selector: str) -> str:
        return self.selector1 if selector == "selector1" else self.selector2


def check_dkim(domain: Domain, dns: Dns, targets: DkimTargets | Unavailable) -> list[Check]:
    if not domain.dkim.enabled:
        return [Check(domain.name, "dkim", "skipped", "DKIM is not enabled for this domain in the spec")]
    return [_check_selector(domain.name, selector, dns, targets) for selector in SELECTORS]


def _check_selector(domain: str, selector: str, dns: Dns, targets: DkimTargets | Unavailable) -> Check:
    host = f"{selector}._domainkey.{domain}"
    expected = targets.for_selector(selector) if isinstance(targets, DkimTargets) else None
    evidence: dict[str, object] = {"host": host, "expected": expected}
    try:
        published = dns.lookup(host, "CNAME")
    except TransientError as error:
        return Check(domain, "dkim", "unknown", str(error), evidence)
    evidence["published"] = published[0] if published else None
    if not published:
        return Check(domain, "dkim", "finding", f"no CNAME at {host}", evidence, missing=True)
    if isinstance(targets, Unavailable):
        return Check(domain, "dkim", targets.status,
                     f"{host} is published; its target was not compared: {targets.reason}", evidence)
    if _norm(published[0]) != _norm(targets.for_selector(selector)):
        return Check(domain, "dkim", "finding", f"{host} points to {published[0]}, the tenant expects {expected}",
                     evidence)
    return Check(domain, "dkim", "ok", f"{host} points to the tenant's target", evidence)


def _norm(name: str) -> str:
    return name.strip().rstrip(".").lower()
