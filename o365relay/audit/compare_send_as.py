"""Send As: each declared grant, and every other explicit grant on the mailboxes the spec declares,
all from the one tenant-wide Send As list (see :mod:`o365relay.audit.send_as_list`).

Inherited rows and the mailbox's own ``NT AUTHORITY\\SELF`` are not grants anyone made, so they are
never unexpected. When a trustee's identity could not be resolved (its read failed), an unmatched
row on that mailbox is unknown rather than unexpected: it might be the declared grant.
"""

from __future__ import annotations

from collections import defaultdict

from o365relay.audit.common import find_row, mailbox_keys, principal_keys, public, unknown_item
from o365relay.audit.identities import Identity
from o365relay.audit.model import Item
from o365relay.audit.send_as_list import send_as_by_mailbox
from o365relay.audit.snapshot import Read, Row, Snapshot
from o365relay.kinds.permissions import SEND_AS
from o365relay.kinds.service_principal import SERVICE_PRINCIPAL
from o365relay.spec.model import RelaySpec


def _grants(read: Read[list[Row]]) -> list[Row]:
    return [row for row in read.value or [] if SEND_AS.granted(row)]


def declared_mailboxes(spec: RelaySpec) -> list[str]:
    """Mailboxes whose Send As grants the spec owns: grant targets and the senders' own mailboxes."""
    found = {g.mailbox.lower() for g in spec.send_as}
    found |= {a.mailbox.lower() for a in spec.service_accounts.values()}
    return sorted(found)


def compare_send_as(spec: RelaySpec, identities: dict[str, Identity], snap: Snapshot) -> list[Item]:
    by_mailbox: dict[str, list[Identity]] = defaultdict(list)
    for grant in spec.send_as:
        by_mailbox[grant.mailbox.lower()].append(identities[grant.trustee])
    reads = send_as_by_mailbox(snap, declared_mailboxes(spec))
    items = []
    for index, grant in enumerate(spec.send_as):
        ident = identities[grant.trustee]
        name = f"{grant.trustee} on {grant.mailbox}"
        path = f"spec.sendAs[{index}]"
        read = reads[grant.mailbox.lower()]
        failed = unknown_item("send_as", name, [read, *ident.reads], path)
        if failed:
            items.append(failed)
            continue
        row = next((r for r in _grants(read) if SEND_AS.holder_of(r) in ident.keys), None)
        items.append(Item("send_as", name, "in_sync", evidence=public(row, *SEND_AS.evidence()), spec_path=path) if row
                     else Item("send_as", name, "missing", spec_path=path))
    for mailbox, read in reads.items():  # a failed list has no rows: its declared grants are unknown, nothing more
        trustees = by_mailbox.get(mailbox, [])
        keys = frozenset().union(*(i.keys for i in trustees))
        unresolved = [r for i in trustees for r in i.reads if not r.ok]
        for row in _grants(read):
            trustee = SEND_AS.shown_holder(row)
            if SEND_AS.holder_of(row) in keys:
                continue
            name = f"{display_trustee(trustee, snap)} on {mailbox}"
            items.append(
                unknown_item("send_as", name, unresolved)
                or Item("send_as", name, "unexpected", reason="a Send As grant the spec does not declare",
                        evidence=public(row, *SEND_AS.evidence())))
    return items


def display_trustee(trustee: str, snap: Snapshot) -> str:
    """A trustee as people know it: a service principal's display name or a mailbox's address."""
    principal = find_row(snap.exchange_service_principals.value or [], principal_keys, trustee)
    shown = SERVICE_PRINCIPAL.display_name_of(principal)[0] if principal else None
    if shown:
        return str(shown)
    mailbox = find_row(snap.cas_mailboxes.value or [], mailbox_keys, trustee)
    return str(mailbox.get("PrimarySmtpAddress") or trustee) if mailbox else trustee
