"""The audit for a pull-request comment: what ``pulumi up`` would change, grouped by resource kind.

Missing items are what ``pulumi up`` creates, drift what it updates (desired ← actual per field).
Unexpected objects are not in the Pulumi program, so ``pulumi up`` leaves them alone: they are listed
for a person to remove or declare. Unknown items say which read failed.
"""

from __future__ import annotations

from o365relay.audit.model import KINDS, AuditResult, Item
from o365relay.reports.audit_common import VERDICT_WORD, by_kind, ordered, summary, value
from o365relay.reports.markdown import code, text

ACTION = {"missing": "➕ create", "drift": "✏️ update", "unexpected": "⚠️ not declared (left alone)",
          "unknown": "❔ could not read", "in_sync": "✅ in sync"}


def _change(item: Item) -> str:
    if item.status == "missing" and "desired" in item.evidence:
        return "<br>".join(f"{code(k, table=True)}: **{code(value(v), table=True)}**"
                           for k, v in item.evidence["desired"].items())
    if item.diffs:
        return "<br>".join(f"{code(d.field, table=True)}: {code(value(d.actual), table=True)} → "
                           f"**{code(value(d.desired), table=True)}**" for d in item.diffs)
    return text(item.reason)


def render_markdown(result: AuditResult) -> str:
    changes = [i for i in ordered(result.items) if i.status != "in_sync"]
    lines = [
        f"## Relay audit: {VERDICT_WORD[result.verdict]}",
        "",
        f"Tenant {code(result.tenant_id)} · spec {code(result.spec_source)}"
        + (f" @ {code(result.spec_revision[:12])}" if result.spec_revision else "") + f" · {text(result.finished_at)}",
        "",
        f"**{summary(result)}**",
        "",
    ]
    if not changes:
        lines.append("`pulumi up` would change nothing: the tenant matches the spec.")
    for kind, group in by_kind(changes):
        lines += ["", f"### {KINDS[kind][1]} (`{KINDS[kind][0]}`)", "", "| Action | Name | Change (actual → desired) |",
                  "|---|---|---|"]
        lines += [f"| {ACTION[i.status]} | {code(i.name, table=True)} | {_change(i)} |" for i in group]
    in_sync = [i for i in result.items if i.status == "in_sync"]
    if in_sync:
        lines += ["", f"<details><summary>{len(in_sync)} in sync</summary>", ""]
        lines += [f"- {KINDS[i.kind][1]}: {code(i.name)}" for i in ordered(in_sync)]
        lines += ["", "</details>"]
    return "\n".join(lines) + "\n"


__all__ = ["render_markdown"]
