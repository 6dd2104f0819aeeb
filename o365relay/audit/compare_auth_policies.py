"""Authentication policies against the spec, so a sender cannot be blocked by a policy nobody declared.

Declared policies are ``in_sync``, ``drift`` (the protocols they allow Basic for) or ``missing``. For
every sender a policy could block (mailbox senders, and any sender the spec assigns a policy) the user's
assignment (``Get-User`` ``AuthenticationPolicy``, a DN) is compared with the spec's: a declared one is
in sync or drift; one the spec does not assign is ``unexpected``. The org default is compared when
declared; an undeclared one is ``unexpected`` when it applies to a declared sender. Each finding says
whether the policy blocks the sender's basic SMTP AUTH (Exchange refuses it with 5.7.139).
"""

from __future__ import annotations

from o365relay.audit.common import compared, find_row, unknown_item
from o365relay.audit.model import Item
from o365relay.audit.snapshot import Row, Snapshot
from o365relay.kinds import auth_policy as ap
from o365relay.spec.model import RelaySpec, ServiceAccount

POLICY = "auth_policy"
ASSIGNMENT = "auth_policy_assignment"
DEFAULT_NAME = "Default authentication policy"


def compare_auth_policies(spec: RelaySpec, snap: Snapshot) -> list[Item]:
    read = snap.auth_policies
    if not read.ok:
        return [unknown_item(POLICY, "Authentication policies", [read], "spec.authenticationPolicies")]  # type: ignore[list-item]
    rows = {str(r["Name"]).casefold(): r for r in read.value or []}
    items = [_policy(name, p.allow_basic_auth, rows.get(name.casefold()))
             for name, p in spec.authentication_policies.items()]
    senders = {key: a for key, a in spec.service_accounts.items()
               if a.kind == "mailbox" or spec.authentication_policy_of(key) is not None}
    items += _default(spec, snap, rows, senders)
    items += [i for key, a in senders.items() if (i := _assignment(spec, snap, rows, key, a)) is not None]
    return items


def _policy(name: str, allowed: tuple[str, ...], row: Row | None) -> Item:
    path = f"spec.authenticationPolicies.{name}"
    if row is None:
        return Item(POLICY, name, "missing", spec_path=path)
    evidence = {ap.switch(p): row.get(ap.switch(p)) for p in ap.PROTOCOLS}
    return compared(POLICY, name, {"allowBasicAuth": ap.normal_protocols(allowed)},
                    {"allowBasicAuth": ap.allowed(row)}, evidence, path)


def _default(spec: RelaySpec, snap: Snapshot, rows: dict[str, Row], senders: dict[str, ServiceAccount]) -> list[Item]:
    read = snap.organization_config
    if not read.ok:
        return [unknown_item(POLICY, DEFAULT_NAME, [read], "spec.tenant.defaultAuthenticationPolicy")]  # type: ignore[list-item]
    raw = (read.value or {}).get(ap.ORG_DEFAULT)
    actual, declared = ap.policy_name(raw), spec.tenant.default_authentication_policy
    evidence = {ap.ORG_DEFAULT: raw}
    if declared is not None:
        shown = declared if ap.same_policy(declared, actual) else actual
        return [compared(POLICY, DEFAULT_NAME, {ap.ORG_DEFAULT: declared},
                         {ap.ORG_DEFAULT: shown}, evidence, "spec.tenant.defaultAuthenticationPolicy")]
    # with no default declared, only mailbox (basic SMTP AUTH) senders can be without a policy of their own
    inheriting = sorted(k for k in senders if spec.authentication_policy_of(k) is None)
    if actual is None or not inheriting:
        return []
    reason = (f"the org default {actual!r} is not declared (tenant.defaultAuthenticationPolicy) and applies to "
              f"{', '.join(inheriting)}" + _blocks(rows, actual, inheriting))
    return [Item(POLICY, DEFAULT_NAME, "unexpected", reason=reason, evidence=evidence)]


def _assignment(spec: RelaySpec, snap: Snapshot, rows: dict[str, Row], key: str,
                account: ServiceAccount) -> Item | None:
    read = snap.exchange_users
    name = account.mailbox.lower()
    if not read.ok:
        return unknown_item(ASSIGNMENT, name, [read], f"spec.serviceAccounts.{key}")
    row = find_row(read.value or [], lambda r: (r.get("UserPrincipalName"), r.get("WindowsEmailAddress")), name)
    if row is None:
        return None  # no such user: the mailbox item reports it
    raw = row.get(ap.USER_POLICY)
    actual = ap.policy_name(raw)
    own = next((p for p in spec.authentication_policies.values() if key in p.applies_to), None)
    evidence = {"UserPrincipalName": row.get("UserPrincipalName"), ap.USER_POLICY: raw}
    if own is not None:
        shown = own.name if ap.same_policy(own.name, actual) else actual
        return compared(ASSIGNMENT, name, {ap.USER_POLICY: own.name}, {ap.USER_POLICY: shown},
                        evidence, f"spec.authenticationPolicies.{own.name}.appliesTo")
    if actual is None:
        return None
    reason = (f"{name} (sender {key}) has the authentication policy {actual!r}, which the spec does not assign"
              + _blocks(rows, actual, [key] if account.kind == "mailbox" else []))
    return Item(ASSIGNMENT, name, "unexpected", reason=reason, evidence=evidence,
                spec_path=f"spec.serviceAccounts.{key}")


def _blocks(rows: dict[str, Row], policy: str, basic_senders: list[str]) -> str:
    """What a policy does to the basic SMTP senders it applies to, as a sentence tail."""
    row = rows.get(policy.casefold())
    if not basic_senders or row is None or "smtp" in ap.allowed(row):
        return ""
    return (f"; it blocks basic SMTP AUTH, so Exchange refuses {', '.join(basic_senders)} (535 5.7.139 "
            "basic authentication is disabled): declare a policy that allows smtp for it")
