"""The audit as a table: rich on a terminal, plain aligned text when piped. Drawn from the report model."""

from __future__ import annotations

from o365relay.audit.model import AuditResult
from o365relay.reports.audit_view import ARROW, audit_view
from o365relay.reports.terminal import table


def render_text(result: AuditResult, *, rich: bool = False, show_in_sync: bool = True) -> str:
    view = audit_view(result)
    rows = view.rows if show_in_sync else view.findings
    cells = [(r.status, r.kind, r.item.name, r.item.spec_path or "(not declared)", r.change) for r in rows]
    empty = "Nothing to list: every object read is in sync." if view.in_sync else "Nothing was read."
    out = table(view.title, ["status", "kind", "name", "spec path", f"desired {ARROW} actual"], cells, rich=rich,
                empty=empty)
    lines = [out.rstrip("\n"), "", f"{view.verdict}. {view.summary}."]
    if not show_in_sync and view.in_sync:
        lines.append(f"({len(view.in_sync)} in sync not listed: --hide-in-sync)")
    lines += ["", f"Scope: read {', '.join(view.read)}.", *(f"  failed: {f}" for f in view.failed),
              *(f"  not read: {n}" for n in view.not_read)]
    return "\n".join(lines) + "\n"


__all__ = ["render_text"]
