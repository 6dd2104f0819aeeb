"""Who else can act as a declared sender, and what the senders reach beyond what the spec declares.

A sender's mailbox is a way to send as it: any explicit permission on it (FullAccess, ChangePermission,
ChangeOwner, DeleteItem, ReadPermission, ...) for anyone but the sender's own Exchange service principal
holding FullAccess is ``unexpected``. An Exchange service principal (``New-ServicePrincipal``) that is no
declared sender's can be given mailbox rights behind the spec's back, so it is ``unexpected`` too. And a
declared sender holding Send As on a mailbox the spec does not declare (read from the tenant-wide Send As
list) can send as that mailbox; with ``--every-mailbox`` (every mailbox's permissions read), so can one
holding FullAccess on a mailbox other than its own. Each item says what (the rights), who (the trustee)
and, where the row carries it, since when.
"""

from __future__ import annotations

from o365relay import exchange_values as xv
from o365relay.audit.common import RowIndex, mailbox_keys, public, unknown_item
from o365relay.audit.compare_send_as import display_trustee
from o365relay.audit.identities import Identity
from o365relay.audit.model import Item
from o365relay.audit.snapshot import Read, Snapshot
from o365relay.kinds.permissions import DENY, FULL_ACCESS, SEND_AS
from o365relay.kinds.service_principal import SERVICE_PRINCIPAL

SINCE = ("WhenCreatedUTC", "WhenCreated", "WhenChangedUTC", "WhenChanged")  # kept as evidence when present
PERMISSION_EVIDENCE = (*FULL_ACCESS.evidence(), DENY, *SINCE)
GRANT_EVIDENCE = (*SEND_AS.evidence(), *SINCE)


def compare_sender_access(identities: dict[str, Identity], snap: Snapshot, declared_mailboxes: list[str]) -> list[Item]:
    return [*_mailbox_permissions(identities, snap), *_exchange_principals(identities, snap),
            *_send_as_elsewhere(identities, snap, declared_mailboxes), *_rights_elsewhere(identities, snap)]


def _mailbox_permissions(identities: dict[str, Identity], snap: Snapshot) -> list[Item]:
    """Explicit permissions on each sender's mailbox beyond its own service principal's FullAccess."""
    items = []
    for mailbox in sorted({i.account.mailbox.lower() for i in identities.values()}):
        read = snap.mailbox_permissions.get(mailbox)
        if read is None or not read.ok:
            continue  # its sender's own FullAccess is already unknown; nothing can be said of others
        owners = [i for i in identities.values() if i.account.mailbox.lower() == mailbox]
        declared = frozenset().union(*(i.keys for i in owners if i.account.kind == "application"))
        for row in read.value or []:
            rights = FULL_ACCESS.rights(row)
            extra = rights - {FULL_ACCESS.right.lower()} if FULL_ACCESS.holder_of(row) in declared else rights
            if not extra or not FULL_ACCESS.explicit(row):
                continue
            kinds = ", ".join(sorted(FULL_ACCESS.rights_as_written(row, extra)))
            who = display_trustee(FULL_ACCESS.shown_holder(row), snap)
            items.append(Item("full_access", f"{who} on {mailbox}", "unexpected",
                              reason=f"{kinds} on a sender's mailbox that the spec does not declare: whoever "
                                     "holds it can act as the sender",
                              evidence=public(row, *PERMISSION_EVIDENCE)))
    return items


def _exchange_principals(identities: dict[str, Identity], snap: Snapshot) -> list[Item]:
    """Exchange service principals that are no declared sender's."""
    read = snap.exchange_service_principals
    if not read.ok:
        return []  # every declared one is already unknown; nothing can be said of others
    principal = SERVICE_PRINCIPAL
    declared = {xv.lower(principal.object_id_of(i.principal)[0]) for i in identities.values() if i.principal}
    return [Item("exchange_service_principal", principal.shown(row), "unexpected",
                 reason="registered in Exchange (New-ServicePrincipal) but no declared service account's: it can "
                        "be given mailbox permissions (and, in a role group, admin rights) outside the spec",
                 evidence=public(row, *principal.evidence(), *SINCE))
            for row in read.value or [] if xv.lower(principal.object_id_of(row)[0]) not in declared]


def _send_as_elsewhere(identities: dict[str, Identity], snap: Snapshot, declared_mailboxes: list[str]) -> list[Item]:
    """Send As held by a declared sender on a mailbox the spec does not declare (the declared mailboxes'
    grants are compared one by one in compare_send_as)."""
    read = snap.send_as_grants
    failed = unknown_item("send_as", "declared senders' Send As on undeclared mailboxes", [read, snap.cas_mailboxes])
    if failed:
        return [failed] if identities else []
    index = RowIndex(snap.cas_mailboxes.value or [], mailbox_keys)
    declared = {n for m in declared_mailboxes for n in xv.mailbox_names(index.find(m), m)}
    trustees = {key: name for name, ident in identities.items() for key in ident.keys}
    items = []
    for row in read.value or []:
        account = trustees.get(SEND_AS.holder_of(row))
        if account is None or xv.lower(row.get("Identity")) in declared or not SEND_AS.granted(row):
            continue
        target = index.find(str(row.get("Identity")))
        mailbox = str(target.get("PrimarySmtpAddress") or row.get("Identity")) if target else str(row.get("Identity"))
        items.append(Item("send_as", f"{account} on {mailbox}", "unexpected",
                          reason="Send As for a declared sender on a mailbox the spec does not declare: the "
                                 "sender can send as that mailbox",
                          evidence=public(row, *GRANT_EVIDENCE)))
    return items


def _rights_elsewhere(identities: dict[str, Identity], snap: Snapshot) -> list[Item]:
    """Rights a declared sender holds on any mailbox but its own (only known after ``--every-mailbox``)."""
    if not snap.every_mailbox or not identities:
        return []
    # the senders' own mailboxes by every name: the spec may give one's UPN, and --every-mailbox reads it again
    # under its primary address
    index = RowIndex(snap.cas_mailboxes.value or [], mailbox_keys)
    own = {n for i in identities.values() for n in xv.mailbox_names(index.find(i.account.mailbox), i.account.mailbox)}
    reads = {m: r for m, r in snap.mailbox_permissions.items() if m not in own}
    failures = [r for r in [snap.cas_mailboxes, *reads.values()] if not r.ok]
    items = []
    shown = failures[:3] + ([Read(f"and {len(failures) - 3} more", error="failed")] if len(failures) > 3 else [])
    if failed := unknown_item("full_access", "declared senders' permissions on other mailboxes", shown):
        items.append(failed)
    trustees = {key: name for name, ident in identities.items() for key in ident.keys}
    for mailbox, read in sorted(reads.items()):
        for row in read.value or []:
            account = trustees.get(FULL_ACCESS.holder_of(row))
            if account is None or not FULL_ACCESS.explicit(row):
                continue
            rights = ", ".join(sorted(FULL_ACCESS.rights_as_written(row, FULL_ACCESS.rights(row))))
            items.append(Item("full_access", f"{account} on {mailbox}", "unexpected",
                              reason=f"{rights} for a declared sender on a mailbox that is not its own: with "
                                     "FullAccess its credential can send as that mailbox",
                              evidence=public(row, *PERMISSION_EVIDENCE)))
    return items
