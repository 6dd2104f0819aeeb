"""Each mailbox's Send As grants, cut from the one tenant-wide list (Get-RecipientPermission without
-Identity), so no mailbox costs a request of its own.

A row names its mailbox by ``Identity``, which is the mailbox's name (its alias), not an address:
Get-CASMailbox tells which rows are whose. When either list failed, every mailbox's Send As is a
failed read ("unknown"), never an empty one ("missing"). A recipient Get-CASMailbox does not list holds
only the rows naming it by the address asked (a group's); no such mailbox holds none: its grants are
missing, and the mailbox item says why.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace

from o365relay import exchange_values as xv
from o365relay.audit.common import RowIndex, mailbox_keys
from o365relay.audit.snapshot import Read, Row, Snapshot


def send_as_by_mailbox(snap: Snapshot, mailboxes: Iterable[str]) -> dict[str, Read[list[Row]]]:
    """The Send As rows on each of ``mailboxes``, keyed by lower-case address, in list order; a failed
    list stands as each mailbox's read, so the reason names the read that failed."""
    wanted = sorted({m.lower() for m in mailboxes})
    grants, cas = snap.send_as_grants, snap.cas_mailboxes
    if not grants.ok or not cas.ok:
        broken = grants if not grants.ok else cas
        return dict.fromkeys(wanted, broken)
    by_name: dict[str, list[tuple[int, Row]]] = defaultdict(list)
    for position, row in enumerate(grants.value or []):
        by_name[xv.lower(row.get("Identity"))].append((position, row))
    index = RowIndex(cas.value or [], mailbox_keys)
    found = {}
    for mailbox in wanted:
        names = xv.mailbox_names(index.find(mailbox), mailbox)
        rows = sorted(pair for name in names for pair in by_name.get(name, ()))  # by position, each row's own
        found[mailbox] = replace(grants, value=[row for _, row in rows])  # the list's read, cut to the mailbox
    return found
