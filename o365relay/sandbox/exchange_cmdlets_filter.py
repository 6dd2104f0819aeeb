"""Get-/Set-HostedConnectionFilterPolicy: the Default connection filter policy (see connection_filter)."""

from __future__ import annotations

from typing import Any

from o365relay.sandbox import connection_filter as cf
from o365relay.sandbox import store as st
from o365relay.sandbox.exchange_cmdlets import Call, Doc, as_bool, cmdlet, invalid, multi_value, not_found, public
from o365relay.sandbox.exchange_objects import exo_now


def _identity(call: Call) -> None:
    """Only the Default policy exists (custom policies are not modelled)."""
    identity = call.get("Identity")
    if identity is not None and str(identity).strip().lower() != cf.POLICY_ID.lower():
        raise not_found(identity)


@cmdlet("Get-HostedConnectionFilterPolicy", params=("Identity",), reads=True)
def get_policy(call: Call) -> list[Doc]:
    _identity(call)
    return [public(cf.policy(call.store))]


@cmdlet(
    "Set-HostedConnectionFilterPolicy",
    params=("AdminDisplayName", "EnableSafeList", "IPAllowList", "IPBlockList", "ConfigurationXmlRaw",
            "MakeDefault", "WhatIf"),
    required=("Identity",),
)
def set_policy(call: Call) -> list[Doc]:
    _identity(call)
    doc = cf.policy(call.store)
    changes: dict[str, Any] = {}
    for name in ("IPAllowList", "IPBlockList"):
        if call.has(name):
            changes[name] = _entries(name, multi_value(list(doc.get(name) or []), call.get(name)))
    if call.has("EnableSafeList"):
        changes["EnableSafeList"] = as_bool(call, "EnableSafeList")
    if call.has("AdminDisplayName"):
        changes["AdminDisplayName"] = str(call.get("AdminDisplayName") or "")
    if changes and not call.get("WhatIf"):
        call.store.put(st.CONNECTION_FILTER_POLICY, {**doc, **changes, "WhenChangedUTC": exo_now()})
    return []


def _entries(name: str, values: list[Any]) -> list[str]:
    entries = [str(v).strip() for v in values]
    problems = [p for p in (cf.entry_problem(e) for e in entries) if p]
    if problems:
        raise invalid(f"{name}: {problems[0]} [sandbox wording]")
    if len(entries) > cf.MAX_ENTRIES:
        raise invalid(f"{name} can hold at most {cf.MAX_ENTRIES} entries; it would hold {len(entries)} "
                      "[sandbox wording]")
    return entries
