"""A domain's DKIM signing config (New/Set/Rotate/Get-DkimSigningConfig).

The config has two selectors, each with a key size and the CNAME target DNS must point the selector
at (read from the tenant, never computed). Signing can be switched on only once DNS has both.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from o365relay import exchange_values as xv
from o365relay.kinds.base import Field, Kind
from o365relay.spec.addresses import check_domain

SIZES = ("Selector1KeySize", "Selector2KeySize")
TARGETS = ("Selector1CNAME", "Selector2CNAME")
NEW_DOMAIN = "DomainName"  # New-DkimSigningConfig names the domain so; Get- rows say Domain


@dataclass(frozen=True)
class DkimKind(Kind):
    def domain_of(self, row: Mapping[str, Any]) -> list[Any]:
        """The names a Get- row gives its domain by (for matching rows to domains)."""
        return [row.get(self.parameter("domain")), row.get("Identity")]

    def domain(self, row: Mapping[str, Any]) -> str:
        """The domain a Get- row is the config of."""
        return str(next((n for n in self.domain_of(row) if n), ""))

    def key_sizes(self, row: Mapping[str, Any]) -> list[int]:
        """The key sizes of the row's selectors that are set."""
        return [int(s) for s in (row.get(k) for k in SIZES) if s]

    def targets(self, row: Mapping[str, Any]) -> tuple[Any, Any]:
        """The CNAME targets of selector1 and selector2 (None when unset)."""
        return row.get(TARGETS[0]), row.get(TARGETS[1])

    def selector_sizes(self, key_size: int) -> dict[str, int]:
        """What the audit compares for a signing domain: each selector at the declared size."""
        return dict.fromkeys(SIZES, key_size)

    def actual_sizes(self, row: Mapping[str, Any]) -> dict[str, Any]:
        return {k: row.get(k) for k in SIZES}

    def new(self, domain: str, key_size: int) -> dict[str, Any]:
        """New- parameters: a config created with signing off."""
        return {NEW_DOMAIN: domain, self.parameter("key_size"): key_size, self.parameter("enabled"): False}

    def rotation(self, domain: str, key_size: int) -> dict[str, Any]:
        return {"Identity": domain, self.parameter("key_size"): key_size}

    def signing(self, domain: str, enabled: bool) -> dict[str, Any]:
        return {"Identity": domain, self.parameter("enabled"): enabled}


DKIM = DkimKind(
    name="DKIM signing config",
    noun="DkimSigningConfig",
    identity="domain",
    fields=(
        Field("domain", str, "Domain", replace=True, norm=xv.lower, item_check=check_domain),
        Field("key_size", int, "KeySize", norm=xv.integer, choices=(1024, 2048)),
        Field("enabled", bool, "Enabled", required=False, norm=xv.boolean, managed_if_set=True),
    ),
    outputs=(("selector1_cname", TARGETS[0]), ("selector2_cname", TARGETS[1]), ("status", "Status")),
    extra_evidence=SIZES,
)
