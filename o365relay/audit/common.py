"""Helpers every comparison uses: unknown-if-a-read-failed, field diffs, row lookups."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from o365relay import exchange_values as xv
from o365relay.audit.model import FieldDiff, Item
from o365relay.audit.snapshot import Read, Row
from o365relay.kinds.base import diff
from o365relay.kinds.service_principal import SERVICE_PRINCIPAL


def unknown_item(kind: str, name: str, reads: Iterable[Read[Any]], spec_path: str = "") -> Item | None:
    """An ``unknown`` item naming every failed read, or None when all of them succeeded."""
    failures = list(dict.fromkeys(f"{r.what}: {r.error}" for r in reads if not r.ok))  # one list can fail for many
    if not failures:
        return None
    return Item(kind, name, "unknown", reason="; ".join(failures), spec_path=spec_path)


def compared(kind: str, name: str, desired: dict[str, Any], actual: dict[str, Any], evidence: Row,
             spec_path: str) -> Item:
    """A declared object found in the tenant: in sync, or drift with each differing field; ``fields`` keeps
    every compared field, so a report can show what was checked, not only what differs."""
    found = diff(desired, actual)
    every = tuple(FieldDiff(k, desired[k], actual.get(k)) for k in desired)
    return Item(kind, name, "drift" if found else "in_sync", found, evidence=evidence, spec_path=spec_path,
                fields=every)


def find_row(rows: Iterable[Row], key: Callable[[Row], Iterable[Any]], wanted: str) -> Row | None:
    """The first row any of whose ``key`` values equals ``wanted`` case-insensitively."""
    target = xv.lower(wanted)
    return next((row for row in rows if target in {xv.lower(v) for v in key(row) if v}), None)


class RowIndex:
    """:func:`find_row` for many lookups in one large read (a thousand mailboxes against 1,500 CAS
    rows): the rows are keyed once by every ``key`` value; the first row wins, as in find_row."""

    def __init__(self, rows: Iterable[Row], key: Callable[[Row], Iterable[Any]]):
        self._rows: dict[str, Row] = {}
        for row in rows:
            for value in key(row):
                if value:
                    self._rows.setdefault(xv.lower(value), row)

    def find(self, wanted: str) -> Row | None:
        return self._rows.get(xv.lower(wanted))


def mailbox_keys(row: Row) -> list[Any]:
    """Every way Exchange names a mailbox (alias, addresses, ids), for matching trustees and rows."""
    return [row.get(k) for k in xv.MAILBOX_NAME_FIELDS]


def principal_keys(row: Row) -> list[Any]:
    """Every way Exchange names a service principal."""
    return SERVICE_PRINCIPAL.keys(row)


def public(row: Row | None, *keys: str) -> Row:
    """A row cut down to the named fields, for evidence (drops OData sidecar keys and internals)."""
    return {k: row.get(k) for k in keys if k in row} if row else {}
