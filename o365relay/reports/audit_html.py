"""The audit as one self-contained HTML file an auditor can open and print: no scripts, no external
resources, evidence printed in full (nothing hidden behind a click)."""

from __future__ import annotations

import json
from html import escape

from o365relay.audit.model import KINDS, STATUSES, AuditResult, Item
from o365relay.reports.audit_common import STATUS_WORD, VERDICT_WORD, by_kind, ordered, value

CSS = """
*{box-sizing:border-box}body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2330;
margin:0 auto;max-width:1100px;padding:32px}h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;
border-bottom:2px solid #dfe3ea;padding-bottom:4px}dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;
margin:12px 0}dt{color:#5b6475}dd{margin:0;font-family:ui-monospace,Menlo,Consolas,monospace;word-break:break-all}
.verdict{display:inline-block;padding:4px 12px;border-radius:4px;font-weight:600;color:#fff}
.v-in_sync{background:#1f7a3d}.v-findings{background:#b42318}.v-unknown{background:#175cd3}
.cards{display:flex;gap:12px;flex-wrap:wrap;margin:16px 0}.card{border:1px solid #dfe3ea;border-radius:6px;
padding:10px 16px;min-width:120px}.card b{display:block;font-size:26px}table{width:100%;border-collapse:collapse;
margin:8px 0 16px}th,td{text-align:left;vertical-align:top;padding:6px 8px;border-bottom:1px solid #e6e9ef}
th{background:#f4f6f9;font-weight:600}td.s{white-space:nowrap;font-weight:600}
.in_sync{color:#1f7a3d}.drift{color:#b54708}.missing{color:#b42318}.unexpected{color:#9e1f63}.unknown{color:#175cd3}
pre{margin:4px 0 0;padding:6px 8px;background:#f7f8fa;border-radius:4px;font-size:12px;white-space:pre-wrap;
word-break:break-all}code{font-family:ui-monospace,Menlo,Consolas,monospace}
@media print{body{padding:0;max-width:none}h2{break-after:avoid}tr{break-inside:avoid}
.verdict{-webkit-print-color-adjust:exact;print-color-adjust:exact}}
"""


def _change(item: Item) -> str:
    if item.diffs:
        rows = "".join(f"<li><code>{escape(d.field)}</code>: desired <b>{escape(value(d.desired))}</b>, "
                       f"actual <b>{escape(value(d.actual))}</b></li>" for d in item.diffs)
        return f"<ul>{rows}</ul>"
    return escape(item.reason)


def _evidence(item: Item) -> str:
    if not item.evidence:
        return ""
    return f"<pre>{escape(json.dumps(item.evidence, indent=1, sort_keys=True, default=str))}</pre>"


def _table(items: list[Item]) -> str:
    rows = "".join(
        f'<tr><td class="s {i.status}">{STATUS_WORD[i.status]}</td><td><code>{escape(i.name)}</code>'
        + (f"<br><small>{escape(i.spec_path)}</small>" if i.spec_path else "")
        + f"</td><td>{_change(i)}{_evidence(i)}</td></tr>"
        for i in items)
    return f"<table><thead><tr><th>Status</th><th>Object</th><th>Finding and evidence</th></tr></thead>" \
           f"<tbody>{rows}</tbody></table>"


def render_html(result: AuditResult) -> str:
    findings = [i for i in ordered(result.items) if i.status != "in_sync"]
    in_sync = [i for i in ordered(result.items) if i.status == "in_sync"]
    cards = "".join(f'<div class="card {s}"><b>{result.count(s)}</b>{STATUS_WORD[s]}</div>' for s in STATUSES)
    sections = "".join(f"<h2>{escape(KINDS[k][1])}</h2>{_table(g)}" for k, g in by_kind(findings))
    meta = {
        "Tenant": result.tenant_id, "Spec": result.spec_source, "Spec revision": result.spec_revision or "(unknown)",
        "Started": result.started_at, "Finished": result.finished_at,
    }
    dl = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in meta.items())
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Relay audit {escape(result.tenant_id)}</title>
<style>{CSS}</style></head><body>
<h1>Office 365 relay audit</h1>
<span class="verdict v-{result.verdict}">{escape(VERDICT_WORD[result.verdict])}</span>
<dl>{dl}</dl>
<div class="cards">{cards}</div>
<h2>Findings</h2>
{"<p>None: every declared object is in sync and nothing undeclared was found.</p>" if not findings else ""}
{sections}
<h2>In sync ({len(in_sync)})</h2>
{_table(in_sync) if in_sync else "<p>Nothing is in sync.</p>"}
<p><small>Statuses: in sync; drift (desired and actual differ); missing (declared, absent); unexpected
(present, not declared); unknown (the read failed, so nothing is concluded).</small></p>
</body></html>
"""
