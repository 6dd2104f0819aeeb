"""Shared wording for the audit reports: ordering, summaries, and how a value reads in a diff."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from o365relay.audit.model import KINDS, STATUSES, AuditResult, Item

STATUS_ORDER = {"unknown": 0, "missing": 1, "drift": 2, "unexpected": 3, "in_sync": 4}
STATUS_WORD = {"in_sync": "in sync", "drift": "drift", "missing": "missing", "unexpected": "unexpected",
               "unknown": "unknown"}
VERDICT_WORD = {"in_sync": "In sync", "findings": "Findings", "unknown": "No verdict: reads failed"}


def ordered(items: tuple[Item, ...] | list[Item]) -> list[Item]:
    kinds = list(KINDS)
    return sorted(items, key=lambda i: (STATUS_ORDER[i.status], kinds.index(i.kind), i.name.lower()))


def by_kind(items: list[Item]) -> Iterator[tuple[str, list[Item]]]:
    """Items grouped by kind, in the report order of kinds, skipping empty groups."""
    for kind in KINDS:
        group = [i for i in items if i.kind == kind]
        if group:
            yield kind, group


def summary(result: AuditResult) -> str:
    return ", ".join(f"{result.count(s)} {STATUS_WORD[s]}" for s in STATUSES)


def value(v: Any) -> str:
    """A desired/actual value as people read it: lists comma-separated, None as (none)."""
    if v is None or v == "":
        return "(none)"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, list | tuple):
        return ", ".join(map(str, v)) or "(none)"
    return str(v)


def detail(item: Item) -> str:
    """One line saying what is wrong (or right) with an item."""
    if item.diffs:
        return "; ".join(f"{d.field}: {value(d.desired)} → {value(d.actual)}" for d in item.diffs)
    return item.reason


def evidence_json(item: Item) -> str:
    return json.dumps(item.evidence, sort_keys=True, default=str)
