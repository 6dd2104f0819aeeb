"""The tenant's default connection filter policy against the spec (``tenant.connectionFilter``).

Its IP Allow List and safe list are judged whether or not the spec declares the policy: an undeclared
allow-list entry is ``unexpected`` (naming the connector whose senders it duplicates, with the same words
``relayctl lint`` uses), and the safe list on when the spec does not say so is ``drift``. The IP Block
List is the stack's only once the spec declares the policy: then a declared entry the tenant lacks is
``missing`` and a tenant entry nobody declared is ``unexpected``. Entries match by the addresses they
cover, so ``203.0.113.0-203.0.113.255`` in the tenant is ``203.0.113.0/24`` in the spec.
"""

from __future__ import annotations

from collections.abc import Callable

from o365relay import exchange_values as xv
from o365relay.audit.common import unknown_item
from o365relay.audit.model import FieldDiff, Item, Status
from o365relay.audit.snapshot import Row, Snapshot
from o365relay.kinds.connection_filter import CONNECTION_FILTER, POLICY
from o365relay.rules.privilege import SAFE_LIST_MESSAGE, allow_entry_message
from o365relay.spec.model import ConnectionFilter, RelaySpec

KIND = "connection_filter"
PATH = "spec.tenant.connectionFilter"


def compare_connection_filter(spec: RelaySpec, snap: Snapshot) -> list[Item]:
    read = snap.connection_filter
    if not read.ok:
        return [unknown_item(KIND, f"Connection filter policy {POLICY}", [read], PATH)]  # type: ignore[list-item]
    row: Row = read.value or {}
    declared = spec.tenant.connection_filter
    policy = declared or ConnectionFilter()
    allowed = _entries("ip_allow_list", policy.ip_allow_list, row, lambda e: allow_entry_message(e, spec))
    items = [*allowed, _safe_list(policy, row)]
    if declared is not None:
        items += _entries("ip_block_list", declared.ip_block_list, row, lambda e: "")
    return items


_LISTS = {"ip_allow_list": ("IP Allow List", "ipAllowList"), "ip_block_list": ("IP Block List", "ipBlockList")}
UNDECLARED_BLOCK = "blocked in the tenant but not declared under tenant.connectionFilter.ipBlockList"


def _entries(name: str, desired: tuple[str, ...], row: Row, explain: Callable[[str], str]) -> list[Item]:
    """One item per entry of a list: declared ones in sync or missing, the tenant's others unexpected.

    ``explain`` says what an entry does (the allow list's finding text; nothing for the block list)."""
    label, key = _LISTS[name]
    field = CONNECTION_FILTER.parameter(name)
    actual = {_key(entry): entry for entry in CONNECTION_FILTER.entries(row, name)}
    items = []
    for i, entry in enumerate(desired):
        found = actual.pop(_key(entry), None)
        status: Status = "in_sync" if found is not None else "missing"
        items.append(Item(KIND, f"{label} {entry}", status, reason=explain(entry), spec_path=f"{PATH}.{key}[{i}]",
                          evidence={field: found} if found is not None else {}))
    items += [Item(KIND, f"{label} {entry}", "unexpected", reason=explain(entry) or UNDECLARED_BLOCK,
                   evidence={field: entry}) for entry in actual.values()]
    return items


def _safe_list(policy: ConnectionFilter, row: Row) -> Item:
    field = CONNECTION_FILTER.parameter("enable_safe_list")
    actual = bool(CONNECTION_FILTER.value(row, "enable_safe_list"))
    evidence = {field: row.get(field)}
    if actual == policy.enable_safe_list:
        return Item(KIND, "Safe list", "in_sync", reason=SAFE_LIST_MESSAGE if actual else "",
                    evidence=evidence, spec_path=f"{PATH}.enableSafeList")
    return Item(KIND, "Safe list", "drift", (FieldDiff(field, policy.enable_safe_list, actual),),
                reason=SAFE_LIST_MESSAGE if actual else "", evidence=evidence, spec_path=f"{PATH}.enableSafeList")


def _key(entry: str) -> tuple[str, ...]:
    return tuple(xv.ip_coverage([entry]))
