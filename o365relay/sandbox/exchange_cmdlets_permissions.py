"""Send As, Full Access and Exchange service principals, from Microsoft's cmdlet reference:
https://learn.microsoft.com/powershell/module/exchangepowershell/add-recipientpermission,
https://learn.microsoft.com/powershell/module/exchangepowershell/add-mailboxpermission and
https://learn.microsoft.com/powershell/module/exchangepowershell/new-serviceprincipal.

Trustees (``-Trustee`` / ``-User``) resolve to a mailbox user or to an Exchange service principal
(registered with New-ServicePrincipal) by Identity, ObjectId, AppId or DisplayName. Adding a grant that
exists, or removing one that does not, is a warning, not an error, as in Exchange.
``Get-MailboxPermission`` includes the mailbox's own ``NT AUTHORITY\\SELF`` row, as the real one does.
``Get-RecipientPermission`` without ``-Identity`` lists every Send As entry in the tenant, each mailbox's own
``NT AUTHORITY\\SELF`` SendAs entry among them (Microsoft's cmdlet page makes ``-Identity`` optional; the tenant-wide
form and its SELF rows: Vasil Michev, "Office 365 Permissions Inventory: Send As", Quadrotech, 2017); with
``-Identity`` the mailbox's entries, SELF included; with ``-Trustee`` only that trustee's. ``-AccessRights``
takes SendAs only, as the Get-EXORecipientPermission page says.
"""

from __future__ import annotations

from typing import Any

from o365relay.sandbox import store as st
from o365relay.sandbox.exchange_cmdlets import (
    PARAMETER_BINDING,
    TASK_ARGUMENT,
    Call,
    CmdletError,
    Doc,
    already_exists,
    cmdlet,
    find_one,
    mailbox_users,
    not_found,
    resolve_mailbox,
    result_size,
)
from o365relay.sandbox.exchange_objects import exo_mailbox_fields, exo_service_principal, permission_doc

_SP_FIELDS = ("Identity", "ObjectId", "AppId", "DisplayName", "Name")


def resolve_trustee(store: st.Store, identity: Any) -> Doc:
    """``{"id", "Identity"}`` of the mailbox user or Exchange service principal ``identity`` names."""
    sp = find_one(store, st.EXO_SERVICE_PRINCIPAL, identity, *_SP_FIELDS)
    if sp is not None:
        return {"id": sp["id"], "Identity": sp["Identity"]}
    user = resolve_mailbox(store, identity)
    return {"id": user["id"], "Identity": user["userPrincipalName"]}


def _rights(call: Call, allowed: str) -> None:
    rights = call.list_param("AccessRights")
    if [r.lower() for r in map(str, rights)] != [allowed.lower()]:
        raise CmdletError(
            PARAMETER_BINDING,
            f"Cannot bind parameter 'AccessRights'. The sandbox supports "
            f"only AccessRights {allowed} here, not {rights}.",
            err_id="CannotConvertArgumentNoMessage",
        )


def _grant_cmdlets(noun: str, kind: str, trustee_param: str, right: str) -> None:
    """Register Get/Add/Remove-<noun> over one permission kind."""
    trustee_id = "xTrusteeId" if kind == st.RECIPIENT_PERMISSION else "xUserId"

    @cmdlet(f"Get-{noun}", params=("Identity", trustee_param, "AccessRights", "ResultSize"), reads=True)
    def get(call: Call) -> list[Doc]:
        user = who = None
        if kind == st.RECIPIENT_PERMISSION and call.has("AccessRights"):
            _rights(call, right)
        if call.get("Identity") is not None:
            user = resolve_mailbox(call.store, call.get("Identity"))
        if call.get(trustee_param) is not None:
            who = resolve_trustee(call.store, call.get(trustee_param))
        # read through the index of whichever side was named: the mailbox's entries, or the trustee's
        rows = call.store.list(kind, **({"xMailboxId": user["id"]} if user else {}),
                               **({trustee_id: who["id"]} if who else {}))
        if who is None and (user is not None or kind == st.RECIPIENT_PERMISSION):
            owners = [user] if user is not None else mailbox_users(call.store)
            rows = [*(_self_row(kind, owner) for owner in owners), *rows]
        return result_size(call, rows)

    def entry(call: Call) -> tuple[Doc, Doc, Doc]:
        """The mailbox, the trustee and the permission entry an Add-/Remove- call names."""
        _rights(call, right)
        mailbox = exo_mailbox_fields(resolve_mailbox(call.store, call.get("Identity")))
        trustee = resolve_trustee(call.store, call.get(trustee_param))
        return mailbox, trustee, permission_doc(kind, mailbox, trustee, right)

    @cmdlet(
        f"Add-{noun}",
        params=("AutoMapping", "InheritanceType", "Deny"),
        required=("Identity", trustee_param, "AccessRights"),
    )
    def add(call: Call) -> list[Doc]:
        mailbox, trustee, doc = entry(call)
        if call.store.get(kind, doc["id"]) is not None:
            call.warnings.append(
                f"The appropriate access control entry is already present on the object "
                f'"{mailbox["Identity"]}" for account "{trustee["Identity"]}".'
            )
            return []
        return [call.store.insert(kind, doc)]

    @cmdlet(
        f"Remove-{noun}",
        params=("InheritanceType", "Deny", "BypassMasterAccountSid"),
        required=("Identity", trustee_param, "AccessRights"),
    )
    def remove(call: Call) -> list[Doc]:
        mailbox, trustee, doc = entry(call)
        if not call.store.delete(kind, doc["id"]):
            call.warnings.append(
                f'Can\'t remove the access control entry on the object "{mailbox["Identity"]}" '
                f'for account "{trustee["Identity"]}" because the ACE doesn\'t exist on the '
                "object."
            )
        return []


def _self_row(kind: str, user: Doc) -> Doc:
    """The mailbox's own entry: SendAs for Get-RecipientPermission, FullAccess and ReadPermission for
    Get-MailboxPermission."""
    if kind == st.RECIPIENT_PERMISSION:
        return {"Identity": user["mailNickname"], "Trustee": "NT AUTHORITY\\SELF", "AccessControlType": "Allow",
                "AccessRights": ["SendAs"], "IsInherited": False, "InheritanceType": "None"}
    return {
        "Identity": user["mailNickname"],
        "User": "NT AUTHORITY\\SELF",
        "AccessRights": ["FullAccess", "ReadPermission"],
        "IsInherited": False,
        "Deny": False,
        "InheritanceType": "All",
    }


_grant_cmdlets("RecipientPermission", st.RECIPIENT_PERMISSION, "Trustee", "SendAs")
_grant_cmdlets("MailboxPermission", st.MAILBOX_PERMISSION, "User", "FullAccess")


# -- Exchange service principals ----------------------------------------------------------------


def _exo_sp(call: Call, identity: Any) -> Doc:
    sp = find_one(call.store, st.EXO_SERVICE_PRINCIPAL, identity, *_SP_FIELDS)
    if sp is None:
        raise not_found(identity)
    return sp


@cmdlet("Get-ServicePrincipal", params=("Identity", "Organization"), reads=True)
def get_service_principal(call: Call) -> list[Doc]:
    """An unknown Identity returns every service principal (documented caution)."""
    if call.get("Identity") is not None:
        match = find_one(call.store, st.EXO_SERVICE_PRINCIPAL, call.get("Identity"), *_SP_FIELDS)
        if match is not None:
            return [match]
    return call.store.list(st.EXO_SERVICE_PRINCIPAL)


@cmdlet(
    "New-ServicePrincipal",
    params=("ServiceId", "DisplayName", "Organization"),
    required=("AppId", "ObjectId"),
)
def new_service_principal(call: Call) -> list[Doc]:
    """ObjectId must be the enterprise application's (service principal's) object id, not the app's."""
    app_id, object_id = str(call.get("AppId")), str(call.get("ObjectId"))
    if call.store.get(st.APPLICATION, object_id) is not None:
        raise CmdletError(
            TASK_ARGUMENT,
            f"ObjectId '{object_id}' is the object id of an app registration. Use "
            "the object id of the enterprise application (service principal) of "
            f"AppId '{app_id}'. [sandbox wording]",
            err_id="Ex4E1C20",
        )
    sp = call.store.get(st.SERVICE_PRINCIPAL, object_id)
    if sp is None or sp["appId"].lower() != app_id.lower():
        raise CmdletError(
            TASK_ARGUMENT,
            f"No service principal with ObjectId '{object_id}' and AppId '{app_id}' "
            "exists in Microsoft Entra ID. [sandbox wording]",
            err_id="Ex4E1C21",
        )
    if call.store.find(st.EXO_SERVICE_PRINCIPAL, AppId=app_id) is not None:
        raise already_exists(object_id)
    name = str(call.get("DisplayName") or sp["displayName"])
    return [
        call.store.insert(
            st.EXO_SERVICE_PRINCIPAL, exo_service_principal(app_id, object_id, name, st.new_id())
        )
    ]


@cmdlet(
    "Set-ServicePrincipal",
    params=("DisplayName", "OverrideEnforceExoAppRbacPermissions"),
    required=("Identity",),
)
def set_service_principal(call: Call) -> list[Doc]:
    sp = _exo_sp(call, call.get("Identity"))
    if call.has("DisplayName"):
        call.store.update(st.EXO_SERVICE_PRINCIPAL, sp["id"], {"DisplayName": call.get("DisplayName")})
    return []


@cmdlet("Remove-ServicePrincipal", required=("Identity",))
def remove_service_principal(call: Call) -> list[Doc]:
    call.store.delete(st.EXO_SERVICE_PRINCIPAL, _exo_sp(call, call.get("Identity"))["id"])
    return []
