"""The tenant's Default connection filter policy (Get/Set-HostedConnectionFilterPolicy): the IP Block
List, the IP Allow List and the safe list. The lists compare by the addresses they cover, so Exchange's
forms (``first-last`` ranges, ``/32``, order, host bits) are never a change."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from o365relay import exchange_values as xv
from o365relay.kinds.base import Field, Kind
from o365relay.spec.addresses import sender_ip_syntax

POLICY = "Default"
MAX_ENTRIES = 1273  # per list (Microsoft Learn, "Configure connection filtering")


@dataclass(frozen=True)
class FilterKind(Kind):
    def entries(self, row: Mapping[str, Any], name: str) -> list[str]:
        """A list of a Get- row as entries (Exchange returns a list, a single string, or null)."""
        value = row.get(self.parameter(name))
        if value is None:
            return []
        return [value] if isinstance(value, str) else [str(v) for v in value]

    def setting(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """Set- parameters for the provider values given: absolute, an empty list sent as null (how
        Exchange empties a list)."""
        return {"Identity": POLICY, **{self.parameter(k): (v if v or isinstance(v, bool) else None)
                                       for k, v in values.items()}}


CONNECTION_FILTER = FilterKind(
    name="connection filter policy",
    noun="HostedConnectionFilterPolicy",
    identity="",
    fields=(
        Field("ip_block_list", list, "IPBlockList", spec="ip_block_list", norm=xv.ip_coverage,
              item_check=sender_ip_syntax),
        Field("ip_allow_list", list, "IPAllowList", spec="ip_allow_list", norm=xv.ip_coverage,
              item_check=sender_ip_syntax),
        Field("enable_safe_list", bool, "EnableSafeList", spec="enable_safe_list", norm=xv.boolean),
    ),
)
