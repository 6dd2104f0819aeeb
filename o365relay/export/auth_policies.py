"""The authentication policies that apply to the exported senders, as ``authenticationPolicies`` and
``tenant.defaultAuthenticationPolicy``.

Only policies that touch an exported sender are written (the org default, and those assigned to a
sender's user): declaring a policy makes the stack own it, and the tenant's other policies are not the
relay's. What the loader would refuse is left out with a warning that says why: a name Exchange allows
but the spec does not, and a policy that blocks an exported mailbox sender's basic SMTP (Exchange
refuses that sender today; the audit keeps reporting the undeclared policy).
"""

from __future__ import annotations

from collections.abc import Iterable

from o365relay.audit.snapshot import Row
from o365relay.kinds import auth_policy as ap
from o365relay.spec.model import AuthenticationPolicy, ServiceAccount
from o365relay.spec.schema import ecma_regex, load_schema


def exported_policies(policies: Iterable[Row], users: Iterable[Row], org: Row, accounts: Iterable[ServiceAccount],
                      warnings: list[str]) -> tuple[dict[str, AuthenticationPolicy], str | None]:
    rows = {str(r.get("Name", "")).casefold(): r for r in policies}
    assigned = {str(u.get("UserPrincipalName", "")).lower(): ap.policy_name(u.get(ap.USER_POLICY))
                for u in users}
    default = _usable(rows, ap.policy_name(org.get(ap.ORG_DEFAULT)), warnings)
    applies: dict[str, list[str]] = {}
    for account in accounts:
        name = _usable(rows, assigned.get(account.mailbox.lower()), warnings)
        effective = name or default
        if account.kind == "mailbox" and effective and "smtp" not in ap.allowed(rows[effective.casefold()]):
            how = "its policy" if name else "the org default"
            warnings.append(f"authentication policy {effective!r} left out for {account.name}: {how} blocks basic "
                            f"SMTP, so Exchange refuses this mailbox sender today; declare a policy that allows smtp")
            if name is None:
                default = None
            continue
        if name is not None:
            applies.setdefault(name, []).append(account.name)
    names = [*applies, *([default] if default and default not in applies else [])]
    return ({n: AuthenticationPolicy(n, tuple(ap.allowed(rows[n.casefold()])), tuple(applies.get(n, ())))
             for n in names}, default)


def _usable(rows: dict[str, Row], name: str | None, warnings: list[str]) -> str | None:
    """The policy's name as Exchange spells it, if the policy exists and the spec can name it."""
    row = rows.get((name or "").casefold())
    if row is None:
        return None
    spelled = str(row.get("Name"))
    if not ecma_regex(load_schema()["$defs"]["authPolicyName"]["pattern"]).search(spelled):
        warnings.append(f"authentication policy {spelled!r} left out: the spec cannot name it (a colon, or spaces "
                        "at either end); rename it in Exchange (New-AuthenticationPolicy, reassign, remove the old)")
        return None
    return spelled
