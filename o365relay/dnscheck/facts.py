"""The tenant facts DNS records must match: DKIM selector targets and the MX host.

They come from the tenant (Get-DkimSigningConfig over the Exchange admin endpoint; Graph's
serviceConfigurationRecords), or for DKIM from a file (``--dkim-targets``) when no tenant is at hand.
A fact that could not be read is :class:`Unavailable` with the reason, so the check ends as
``unknown`` (the read failed) or ``skipped`` (no source), never as a finding.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from o365relay.dnscheck.dkim import DkimTargets, Unavailable
from o365relay.errors import RelayError, TenantError, UsageError
from o365relay.fileio import read_text
from o365relay.kinds.dkim import DKIM

NO_TENANT = Unavailable("skipped", "no tenant configured")
MAX_TARGETS_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True)
class TenantFacts:
    dkim: dict[str, DkimTargets | Unavailable] = field(default_factory=dict)
    mx: dict[str, str | Unavailable] = field(default_factory=dict)
    dkim_missing: Unavailable = NO_TENANT
    mx_missing: Unavailable = NO_TENANT

    def dkim_for(self, domain: str) -> DkimTargets | Unavailable:
        return self.dkim.get(domain.lower(), self.dkim_missing)

    def mx_for(self, domain: str) -> str | Unavailable:
        return self.mx.get(domain.lower(), self.mx_missing)


def dkim_targets_from_file(path: str | Path) -> dict[str, DkimTargets | Unavailable]:
    """Read ``domain: {selector1: ..., selector2: ...}``, or Get-DkimSigningConfig's JSON output as is."""
    try:
        data = yaml.safe_load(read_text(path, MAX_TARGETS_BYTES, "--dkim-targets"))
    except yaml.YAMLError as error:
        raise UsageError(f"--dkim-targets {path}: not valid YAML or JSON: {error}") from None
    rows: Iterable[tuple[str, Any]]
    if isinstance(data, dict):
        rows = data.items()
    elif isinstance(data, list):
        rows = [(DKIM.domain(row), row) for row in data if isinstance(row, dict)]
    else:
        raise UsageError(f"--dkim-targets {path}: expected a mapping of domain to selector1/selector2 targets")
    targets: dict[str, DkimTargets | Unavailable] = {}
    for domain, row in rows:
        targets[str(domain).lower()] = _targets(path, str(domain), row)
    return targets


def _targets(path: str | Path, domain: str, row: Any) -> DkimTargets:
    if not isinstance(row, dict):
        raise UsageError(f"--dkim-targets {path}: {domain}: expected selector1 and selector2 targets")
    tenant_first, tenant_second = DKIM.targets(row)
    first, second = row.get("selector1") or tenant_first, row.get("selector2") or tenant_second
    if not (isinstance(first, str) and isinstance(second, str)):
        raise UsageError(f"--dkim-targets {path}: {domain}: both selector1 and selector2 targets are required, "
                         "e.g. selector1: selector1-contoso-com._domainkey.contoso.n-v1.dkim.mail.microsoft")
    return DkimTargets(first, second)


async def read_tenant_facts(endpoints: Any, domains: list[str]) -> TenantFacts:
    """Read both facts concurrently; a failed read becomes an Unavailable("unknown", reason)."""
    dkim, mx = await asyncio.gather(_read_dkim(endpoints), _read_mx(endpoints, domains), return_exceptions=True)
    facts: dict[str, Any] = {}
    if isinstance(dkim, BaseException):
        facts["dkim_missing"] = _failed("Get-DkimSigningConfig", dkim)
    else:
        facts["dkim"] = dkim
        facts["dkim_missing"] = Unavailable("unknown", "the tenant has no DKIM signing config for the domain")
    if isinstance(mx, BaseException):
        facts["mx_missing"] = _failed("serviceConfigurationRecords", mx)
    else:
        facts["mx"] = mx
    return TenantFacts(**facts)


def _failed(what: str, error: BaseException) -> Unavailable:
    if not isinstance(error, RelayError):
        raise error
    return Unavailable("unknown", f"reading {what} failed: {error}")


async def _read_dkim(endpoints: Any) -> dict[str, DkimTargets | Unavailable]:
    from o365relay.tenant.exchange import ExchangeClient

    async with ExchangeClient(endpoints) as exo:
        rows = await exo.invoke(f"Get-{DKIM.noun}", {})
    targets: dict[str, DkimTargets | Unavailable] = {}
    for row in rows:
        first, second = DKIM.targets(row)
        if first and second:
            targets[DKIM.domain(row).lower()] = DkimTargets(first, second)
    return targets


async def _read_mx(endpoints: Any, domains: list[str]) -> dict[str, str | Unavailable]:
    from o365relay.tenant.graph import GraphClient

    async with GraphClient(endpoints) as graph:
        answers = await graph.batch_get([f"/domains/{d}/serviceConfigurationRecords" for d in domains])
    found: dict[str, str | Unavailable] = {}
    for domain, answer in zip(domains, answers, strict=True):
        if isinstance(answer, TenantError):
            found[domain.lower()] = Unavailable("unknown", f"reading serviceConfigurationRecords failed: {answer}")
            continue
        hosts = [r["mailExchange"] for r in answer.get("value", []) if r.get("recordType") == "Mx"]
        found[domain.lower()] = hosts[0] if hosts else Unavailable("unknown", "Graph lists no MX record for it")
    return found
