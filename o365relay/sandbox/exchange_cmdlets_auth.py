"""Authentication policies and who they apply to: Get-/New-/Set-/Remove-AuthenticationPolicy,
Get-/Set-User -AuthenticationPolicy (see auth_policies; the org default is in exchange_cmdlets_org)."""

from __future__ import annotations

from typing import Any

from o365relay.sandbox import auth_policies as ap
from o365relay.sandbox import store as st
from o365relay.sandbox.exchange_cmdlets import (
    MAILBOX_NAMES,
    Call,
    Doc,
    already_exists,
    as_bool,
    cmdlet,
    invalid,
    not_found,
    public,
    result_size,
)
from o365relay.sandbox.exchange_objects import exo_now


def policy_or_not_found(store: st.Store, identity: Any) -> Doc:
    policy = ap.find(store, identity)
    if policy is None:
        raise not_found(identity)
    return policy


def assigned_policy(store: st.Store, value: Any) -> str | None:
    """The policy id a ``-AuthenticationPolicy``-style parameter names; ``$null`` means none."""
    return None if value in (None, "", "$null") else policy_or_not_found(store, value)["id"]


def _switches(call: Call) -> dict[str, bool]:
    """The AllowBasicAuth* switches given: a bare switch binds True, ``:$false`` False."""
    return {name: bool(as_bool(call, name)) for name in ap.SWITCHES if call.has(name)}


@cmdlet("Get-AuthenticationPolicy", params=("Identity", "AllowLegacyExchangeTokens"), reads=True)
def get_policy(call: Call) -> list[Doc]:
    if call.get("Identity") is not None:
        return [public(policy_or_not_found(call.store, call.get("Identity")))]
    return [public(p) for p in call.store.list(st.AUTH_POLICY)]


@cmdlet("New-AuthenticationPolicy", params=ap.SWITCHES, required=("Name",))
def new_policy(call: Call) -> list[Doc]:
    name = str(call.get("Name") or "").strip()
    if not name or len(name) > ap.MAX_NAME:
        raise invalid(f"The length of the property is too long. The maximum length is {ap.MAX_NAME} and the "
                      f"length of the value provided is {len(name)}.")
    if ap.find(call.store, name) is not None:
        raise already_exists(name)
    policy = {**ap.new_policy(call.store, name, guid=st.new_id()), **_switches(call)}
    return [public(call.store.insert(st.AUTH_POLICY, policy))]


@cmdlet("Set-AuthenticationPolicy", params=ap.SWITCHES, required=("Identity",))
def set_policy(call: Call) -> list[Doc]:
    policy = policy_or_not_found(call.store, call.get("Identity"))
    changes = _switches(call)
    if changes:
        call.store.update(st.AUTH_POLICY, policy["id"], {**changes, "WhenChangedUTC": exo_now()})
    return []


@cmdlet("Remove-AuthenticationPolicy", required=("Identity",))
def remove_policy(call: Call) -> list[Doc]:
    """Users and the default keep a reference to a removed policy; it no longer applies to them."""
    call.store.delete(st.AUTH_POLICY, policy_or_not_found(call.store, call.get("Identity"))["id"])
    return []


def _user(call: Call, identity: Any) -> Doc:
    found = call.store.lookup(st.USER, identity, MAILBOX_NAMES)
    if not found:
        raise not_found(identity)
    return found[0]


def _user_row(store: st.Store, user: Doc) -> Doc:
    policy = store.get(st.AUTH_POLICY, user.get("xAuthenticationPolicy") or "")
    return {
        "Identity": user["mailNickname"],
        "Name": user["mailNickname"],
        "DisplayName": user["displayName"],
        "UserPrincipalName": user["userPrincipalName"],
        "MicrosoftOnlineServicesID": user["userPrincipalName"],
        "WindowsEmailAddress": user.get("mail") or "",
        "RecipientType": "UserMailbox" if user.get("xHasMailbox") else "User",
        "AuthenticationPolicy": policy["DistinguishedName"] if policy else None,
        "ExternalDirectoryObjectId": user["id"],
        "IsValid": True,
    }


@cmdlet("Get-User", params=("Identity", "ResultSize"), reads=True)
def get_user(call: Call) -> list[Doc]:
    if call.get("Identity") is not None:
        return [_user_row(call.store, _user(call, call.get("Identity")))]
    return [_user_row(call.store, u) for u in result_size(call, call.store.list(st.USER), default=1000)]


@cmdlet("Set-User", params=("AuthenticationPolicy",), required=("Identity",))
def set_user(call: Call) -> list[Doc]:
    user = _user(call, call.get("Identity"))
    if call.has("AuthenticationPolicy"):  # a policy, or $null to remove the assignment
        policy_id = assigned_policy(call.store, call.get("AuthenticationPolicy"))
        call.store.update(st.USER, user["id"], {"xAuthenticationPolicy": policy_id})
    return []
