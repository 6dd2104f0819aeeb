"""The audit as a table: rich on a terminal, plain aligned text when piped."""

from __future__ import annotations

from o365relay.audit.model import AuditResult
from o365relay.reports.audit_common import VERDICT_WORD, detail, ordered, summary
from o365relay.reports.terminal import table


def render_text(result: AuditResult, *, rich: bool = False, show_in_sync: bool = True) -> str:
    items = [i for i in ordered(result.items) if show_in_sync or i.status != "in_sync"]
    rows = [(i.status, i.kind, i.name, detail(i)) for i in items]
    title = f"Audit of tenant {result.tenant_id} against {result.spec_source}"
    out = table(title, ["status", "kind", "name", "detail"], rows, rich=rich)
    return out + f"\n{VERDICT_WORD[result.verdict]}: {summary(result)}\n"


__all__ = ["render_text"]
