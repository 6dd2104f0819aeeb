"""What an audit read, what failed, and what it did not look at: the report's claim, stated.

An auditor signs what was checked. "Every declared object is in sync" is only true of the objects the
audit read, so each report prints this scope beside its verdict.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import fields
from typing import Any

from o365relay.audit.model import Scope
from o365relay.audit.snapshot import Read, Snapshot
from o365relay.reports.wording import plural
from o365relay.spec.model import RelaySpec

DNS_NOT_READ = ("DNS records (SPF, DKIM selector CNAMEs, DMARC, MX, DNSBL listings): not looked up; "
                "run `relayctl audit --dns` (or `relayctl dns`) to include them")


def _reads(snap: Snapshot) -> Iterator[tuple[str, Read[Any]]]:
    """Every read of the snapshot with the cmdlet or request it made (per-mailbox reads keep theirs)."""
    for f in fields(snap):
        value = getattr(snap, f.name)
        for read in value.values() if isinstance(value, dict) else [value]:
            if isinstance(read, Read):  # not the every_mailbox flag
                yield read.what, read


def snapshot_scope(spec: RelaySpec, snap: Snapshot) -> Scope:
    per_object: dict[str, int] = defaultdict(int)
    tenant_wide: list[str] = []
    failed = []
    for what, outcome in _reads(snap):
        if not outcome.ok:
            failed.append(f"{what}: {outcome.error}")
        *head, target = what.split()
        if "@" in target:  # a read per mailbox: say how many, not each one
            per_object[" ".join(head + ([target.rsplit("/", 1)[0] + "/…"] if "/" in target else []))] += 1
        elif what not in tenant_wide:
            tenant_wide.append(what)
    every = snap.every_mailbox and snap.cas_mailboxes.ok
    read = [*tenant_wide, *(f"{cmd} for every mailbox ({n})" if every and cmd == "Get-MailboxPermission"
                            else f"{cmd} for {plural(n, 'declared mailbox', 'declared mailboxes')}"
                            for cmd, n in per_object.items())]
    not_read = [DNS_NOT_READ]  # `relayctl audit --dns` takes it out when it reads them (audit/dns_items.py)
    if not every:
        not_read.append("FullAccess and other mailbox permissions on mailboxes the spec does not name: not read "
                        "(Exchange has no tenant-wide list of them; `relayctl audit --every-mailbox` reads each "
                        "mailbox's); Send As on them: read, compared for the declared senders only")
    if not spec.partner_connectors:
        not_read.append("Inbound connectors of type Partner: read, not compared (the spec declares none)")
    if not spec.outbound_connectors:
        not_read.append("Outbound connectors: read, not compared (the spec declares none)")
    return Scope(tuple(read), tuple(failed), tuple(not_read))


__all__ = ["DNS_NOT_READ", "snapshot_scope"]
