"""The one model of an audit report that the text, Markdown, HTML and JSON renderers all draw.

Everything a reader compares between formats is decided here, once: the order of rows (findings
first, then in sync; within each by kind, status, name), the words for statuses and kinds, the
direction of every arrow (desired → actual), how a value reads, the verdict and summary sentences
(plurals through ``wording``), and the scope (what was read, what failed, what was not looked at).
Renderers only lay it out. Kinds added to ``audit.model.KINDS`` flow through without changes here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from o365relay.audit.model import FINDINGS, KINDS, STATUSES, AuditResult, FieldDiff, Item
from o365relay.reports.wording import plural

ARROW = "→"
STATUS_ORDER = {"unknown": 0, "missing": 1, "drift": 2, "unexpected": 3, "in_sync": 4}
STATUS_WORD = {"in_sync": "in sync", "drift": "drift", "missing": "missing", "unexpected": "unexpected",
               "unknown": "unknown"}
# The kind as one row names it; a kind without an entry is named by its KINDS heading.
KIND_LABEL = {
    "org_setting": "organisation setting", "connection_filter": "connection filter entry", "domain": "domain",
    "dkim": "DKIM signing", "connector": "relay connector",
    "partner_connector": "partner connector", "outbound_connector": "outbound connector",
    "application": "application (SMTP.SendAsApp)",
    "credential": "application credential",
    "exchange_service_principal": "Exchange service principal", "full_access": "FullAccess grant",
    "mailbox": "mailbox", "mailbox_smtp_auth": "SMTP AUTH exception", "send_as": "Send As grant",
    "dns": "DNS record", "auth_policy": "authentication policy",
    "auth_policy_assignment": "sender's authentication policy",
}
LEGEND = ("in sync: declared, present, equal; drift: declared and present, fields differ; missing: declared, "
          "absent; unexpected: present, not declared; unknown: a read failed, so nothing is concluded")
_PRESENCE = "exists"


def value(v: Any) -> str:
    """A normalised value as people read it: lists comma-separated, booleans as true/false, nothing as (none)."""
    if v is None or v == "":
        return "(none)"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, list | tuple):
        return ", ".join(map(str, v)) or "(none)"
    return str(v)


@dataclass(frozen=True)
class Value:
    """One compared field of a row, both sides as they read, and whether they differ."""

    field: str
    desired: str
    actual: str
    differs: bool

    @property
    def line(self) -> str:
        return f"{self.field}: {self.desired} {ARROW} {self.actual}"


@dataclass(frozen=True)
class Row:
    item: Item
    status: str
    kind: str
    values: tuple[Value, ...]
    note: str  # why: the failed read for unknown, the explanation for missing/unexpected/drift

    @property
    def change(self) -> str:
        """Every field as ``field: desired → actual``, then the note: the one-line form of the row."""
        return "; ".join([v.line for v in self.values] + ([self.note] if self.note else []))


@dataclass(frozen=True)
class AuditView:
    result: AuditResult
    title: str
    verdict: str
    summary: str
    findings: tuple[Row, ...]
    in_sync: tuple[Row, ...]
    read: tuple[str, ...]
    failed: tuple[str, ...]
    not_read: tuple[str, ...]

    @property
    def rows(self) -> tuple[Row, ...]:
        return self.findings + self.in_sync

    @property
    def meta(self) -> dict[str, str]:
        r = self.result
        return {"Tenant": r.tenant_id, "Spec": r.spec_source, "Spec revision": r.spec_revision or "(not known)",
                "Started": r.started_at, "Finished": r.finished_at}


def compared(item: Item) -> tuple[FieldDiff, ...]:
    """Every field the row states, typed: the compared fields, else whether the object is there."""
    if item.fields or item.diffs:
        return item.fields or item.diffs
    presence = {"in_sync": ("yes", "yes"), "missing": ("yes", "no"), "unexpected": ("no", "yes"),
                "unknown": ("yes" if item.spec_path else "no", "not read")}
    desired, actual = presence[item.status]
    return (FieldDiff(_PRESENCE, desired, actual),)


def _values(item: Item) -> tuple[Value, ...]:
    absent = item.status == "missing" and bool(item.fields or item.diffs)
    return tuple(Value(f.field, value(f.desired), "(absent)" if absent else value(f.actual),
                       item.status != "in_sync" and (absent or f.desired != f.actual))
                 for f in compared(item))


def _note(item: Item) -> str:
    if item.status == "unknown":
        return f"not concluded, a read failed: {item.reason}"
    return item.reason


def row(item: Item) -> Row:
    kind = KIND_LABEL.get(item.kind) or KINDS[item.kind][1]
    return Row(item, STATUS_WORD[item.status], kind, _values(item), _note(item))


def ordered(items: tuple[Item, ...] | list[Item]) -> list[Item]:
    """Findings (and unknowns) first, then in sync; within each by kind, status and name."""
    kinds = list(KINDS)
    return sorted(items, key=lambda i: (i.status == "in_sync", kinds.index(i.kind), STATUS_ORDER[i.status],
                                        i.name.lower()))


def summary(result: AuditResult) -> str:
    return ", ".join(f"{result.count(s)} {STATUS_WORD[s]}" for s in STATUSES)


def verdict(result: AuditResult) -> str:
    """The verdict as a sentence that claims only what was read."""
    findings = sum(result.count(s) for s in FINDINGS)
    unknown = result.count("unknown")
    if findings:
        tail = f" ({plural(unknown, 'object')} not concluded: reads failed)" if unknown else ""
        return f"{plural(findings, 'finding')}: the tenant differs from the spec{tail}"
    if unknown:
        return f"No verdict: {plural(unknown, 'object')} could not be read, nothing else differs"
    return f"In sync: all {plural(len(result.items), 'object')} read match the spec"


def audit_view(result: AuditResult) -> AuditView:
    items = ordered(result.items)
    return AuditView(
        result=result,
        title=f"Relay audit of tenant {result.tenant_id} against {result.spec_source}",
        verdict=verdict(result),
        summary=summary(result),
        findings=tuple(row(i) for i in items if i.status != "in_sync"),
        in_sync=tuple(row(i) for i in items if i.status == "in_sync"),
        read=result.scope.read,
        failed=result.scope.failed,
        not_read=result.scope.not_read,
    )


__all__ = ["ARROW", "LEGEND", "AuditView", "Row", "Value", "audit_view", "compared", "ordered", "summary", "value",
           "verdict"]
