"""The audit in GitHub Markdown (a PR comment, a ticket), drawn from the report model.

Same rows, order and words as the other formats; every value goes through ``reports.markdown`` so
spec and tenant values render inert. In-sync rows are folded in a ``<details>`` block.
"""

from __future__ import annotations

from o365relay.audit.model import AuditResult
from o365relay.reports.audit_view import ARROW, LEGEND, Row, audit_view
from o365relay.reports.markdown import code, text

HEADER = ["| Status | Kind | Name | Spec path | Desired " + ARROW + " actual |", "|---|---|---|---|---|"]


def _change(row: Row) -> str:
    values = [f"{code(v.field, table=True)}: {code(v.desired, table=True)} {ARROW} {code(v.actual, table=True)}"
              for v in row.values]
    return "<br>".join(values + ([text(row.note)] if row.note else []))


def _table(rows: tuple[Row, ...]) -> list[str]:
    return HEADER + [f"| {r.status} | {r.kind} | {code(r.item.name, table=True)} | "
                     f"{code(r.item.spec_path, table=True) if r.item.spec_path else '(not declared)'} | {_change(r)} |"
                     for r in rows]


def render_markdown(result: AuditResult) -> str:
    view = audit_view(result)
    revision = f" @ {code(result.spec_revision[:12])}" if result.spec_revision else ""
    lines = [
        f"## Relay audit of tenant {code(result.tenant_id)} against {code(result.spec_source)}",
        "",
        f"**{text(view.verdict)}.** {view.summary}.",
        "",
        f"Spec {code(result.spec_source)}{revision} · started {text(result.started_at)} · "
        f"finished {text(result.finished_at)}",
        "",
        "### Findings",
        "",
    ]
    lines += _table(view.findings) if view.findings else ["None: every object read is in sync with the spec."]
    if view.in_sync:
        lines += ["", f"<details><summary>In sync ({len(view.in_sync)})</summary>", "", *_table(view.in_sync), "",
                  "</details>"]
    lines += ["", "### Scope", "", f"- **Read:** {text(', '.join(view.read))}",
              *(f"- **Failed:** {text(f)}" for f in view.failed),
              *(f"- **Not read:** {text(n)}" for n in view.not_read), "", f"_Statuses: {LEGEND}._"]
    return "\n".join(lines) + "\n"


__all__ = ["render_markdown"]
