"""Service accounts: mailboxes, SMTP.SendAsApp holders, Exchange service principals, FullAccess
and SMTP AUTH exceptions; plus undeclared holders and undeclared SMTP AUTH exceptions."""

from __future__ import annotations

from collections.abc import Iterable

from o365relay import exchange_values as xv
from o365relay.audit.common import RowIndex, mailbox_keys, public, unknown_item
from o365relay.audit.identities import Identity
from o365relay.audit.model import FieldDiff, Item, Status
from o365relay.audit.snapshot import Read, Snapshot
from o365relay.kinds.permissions import FULL_ACCESS
from o365relay.kinds.service_principal import SERVICE_PRINCIPAL
from o365relay.kinds.switches import MAILBOX_SMTP_AUTH, SMTP_AUTH_DISABLED


def compare_mailboxes(addresses: Iterable[str], snap: Snapshot) -> list[Item]:
    items = []
    for address in sorted(set(addresses)):
        read = snap.users.get(address.lower(), Read(f"user {address}", error="not read"))
        failed = unknown_item("mailbox", address, [read])
        if failed:
            items.append(failed)
        elif read.value is None:
            items.append(Item("mailbox", address, "missing", reason="no such user in the directory"))
        else:
            items.append(Item("mailbox", address, "in_sync",
                              evidence=public(read.value, "id", "userPrincipalName", "mail", "accountEnabled")))
    return items


def compare_applications(identities: dict[str, Identity], snap: Snapshot) -> list[Item]:
    items = []
    for name, ident in identities.items():
        if ident.account.kind != "application":
            continue
        path = _path(ident)
        items.append(
            unknown_item("application", name, [snap.send_as_app_holders], path)
            or (Item("application", name, "in_sync", spec_path=path,
                     evidence=public(ident.holder, "principalId", "principalDisplayName", "appRoleId"))
                if ident.holder else
                Item("application", name, "missing", spec_path=path,
                     reason="no application named so holds SMTP.SendAsApp")))
        items.append(
            unknown_item("exchange_service_principal", name, [snap.exchange_service_principals], path)
            or (Item("exchange_service_principal", name, "in_sync", spec_path=path,
                     evidence=public(ident.principal, *SERVICE_PRINCIPAL.evidence()))
                if ident.principal else
                Item("exchange_service_principal", name, "missing", spec_path=path,
                     reason="not registered in Exchange (New-ServicePrincipal)")))
        items.append(_full_access(ident, snap, path))
    declared = {xv.lower(i.holder.get("principalId")) for i in identities.values() if i.holder}
    for holder in snap.send_as_app_holders.value or []:
        if xv.lower(holder.get("principalId")) not in declared:
            items.append(Item("application", str(holder.get("principalDisplayName")), "unexpected",
                              reason="holds SMTP.SendAsApp but is not a declared service account",
                              evidence=public(holder, "principalId", "principalDisplayName", "createdDateTime")))
    return items


def _full_access(ident: Identity, snap: Snapshot, path: str) -> Item:
    mailbox = ident.account.mailbox
    name = f"{ident.account.name} on {mailbox}"
    read = snap.mailbox_permissions.get(mailbox.lower(), Read(f"Get-MailboxPermission {mailbox}", error="not read"))
    failed = unknown_item("full_access", name, [snap.exchange_service_principals, read], path)
    if failed:
        return failed
    if ident.principal is None:
        return Item("full_access", name, "missing", spec_path=path,
                    reason="the service account has no Exchange service principal to hold it")
    keys = ident.keys
    for row in read.value or []:
        if FULL_ACCESS.holder_of(row) in keys and FULL_ACCESS.allows(row):
            return Item("full_access", name, "in_sync", spec_path=path, evidence=public(row, *FULL_ACCESS.evidence()))
    return Item("full_access", name, "missing", spec_path=path)


def compare_smtp_auth(identities: dict[str, Identity], snap: Snapshot) -> list[Item]:
    """Every sender's mailbox needs SMTP AUTH on (OAuth submission uses the same per-mailbox switch);
    any other mailbox with it on is unexpected."""
    senders = {i.account.mailbox.lower(): i for i in identities.values()}
    if not snap.cas_mailboxes.ok:  # each sender's switch is unknown, and so is every other mailbox's
        names = {a: _path(i) for a, i in senders.items()} or {"(undeclared SMTP AUTH exceptions)": ""}
        return [unknown_item("mailbox_smtp_auth", n, [snap.cas_mailboxes], p) for n, p in names.items()]  # type: ignore[misc]
    items = []
    claimed: set[int] = set()
    index = RowIndex(snap.cas_mailboxes.value or [], mailbox_keys)
    for address, ident in senders.items():
        path = _path(ident)
        row = index.find(address)
        if row is None:
            items.append(Item("mailbox_smtp_auth", address, "missing", reason="no such mailbox", spec_path=path))
            continue
        claimed.add(id(row))
        actual = MAILBOX_SMTP_AUTH.state(row)
        evidence = public(row, "PrimarySmtpAddress", SMTP_AUTH_DISABLED)
        status: Status = "in_sync" if actual == "enabled" else "drift"
        compared = FieldDiff("SmtpAuth", "enabled", actual)
        items.append(Item("mailbox_smtp_auth", address, status, () if status == "in_sync" else (compared,),
                          evidence=evidence, spec_path=path, fields=(compared,)))
    for row in snap.cas_mailboxes.value or []:
        if id(row) in claimed or MAILBOX_SMTP_AUTH.state(row) != "enabled":
            continue
        name = str(row.get("PrimarySmtpAddress") or row.get("Identity"))  # every mailbox has a primary address
        items.append(Item("mailbox_smtp_auth", name, "unexpected",
                          reason="SMTP AUTH is switched on for a mailbox that is no declared sender's",
                          evidence=public(row, "PrimarySmtpAddress", *MAILBOX_SMTP_AUTH.evidence())))
    return items


def _path(ident: Identity) -> str:
    return f"spec.serviceAccounts.{ident.account.name}"
