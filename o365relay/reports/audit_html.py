"""The audit as one self-contained HTML file an auditor can open, print and sign: no scripts, no
external resources. Drawn from the report model: the same rows, order and words as the other formats;
each row shows desired → actual as normalised values, with the tenant's raw record folded beneath."""

from __future__ import annotations

import json
from html import escape

from o365relay.audit.model import STATUSES, AuditResult
from o365relay.reports.audit_view import ARROW, LEGEND, STATUS_WORD, AuditView, Row, audit_view

CSS = """
*{box-sizing:border-box}body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2330;
margin:0 auto;max-width:1200px;padding:32px}h1{font-size:24px;margin:0 0 8px}h2{font-size:18px;margin:28px 0 8px;
border-bottom:2px solid #dfe3ea;padding-bottom:4px}dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;
margin:12px 0}dt{color:#5b6475}dd{margin:0;font-family:ui-monospace,Menlo,Consolas,monospace;word-break:break-all}
.verdict{display:inline-block;padding:4px 12px;border-radius:4px;font-weight:600;color:#fff}
.v-in_sync{background:#1f7a3d}.v-findings{background:#b42318}.v-unknown{background:#175cd3}
.cards{display:flex;gap:12px;flex-wrap:wrap;margin:16px 0}.card{border:1px solid #dfe3ea;border-radius:6px;
padding:8px 14px;min-width:110px}.card b{display:block;font-size:24px}
.scope{border:1px solid #dfe3ea;border-left:4px solid #175cd3;border-radius:4px;padding:8px 14px;margin:12px 0}
.scope ul{margin:4px 0;padding-left:20px}.scope .not-read{color:#7a2e0e}
table.rows{width:100%;border-collapse:collapse;margin:8px 0 16px}table.rows>thead>tr>th,table.rows>tbody>tr>td{
text-align:left;vertical-align:top;padding:6px 8px;border-bottom:1px solid #e6e9ef}
table.rows>thead>tr>th{background:#f4f6f9;font-weight:600}td.s{white-space:nowrap;font-weight:600}
.in_sync{color:#1f7a3d}.drift{color:#b54708}.missing{color:#b42318}.unexpected{color:#9e1f63}.unknown{color:#175cd3}
table.values{border-collapse:collapse;font-size:13px}table.values td{padding:1px 6px 1px 0;vertical-align:top;
border:0}table.values .f{color:#5b6475}table.values tr.differs td.d,table.values tr.differs td.a{font-weight:700}
table.values tr.differs td.a{color:#b42318}.note{margin:4px 0 0;color:#3b4252}small{color:#5b6475}
details{margin-top:4px}summary{cursor:pointer;color:#5b6475;font-size:12px}
pre{margin:4px 0 0;padding:6px 8px;background:#f7f8fa;border-radius:4px;font-size:12px;white-space:pre-wrap;
word-break:break-all}code{font-family:ui-monospace,Menlo,Consolas,monospace;overflow-wrap:anywhere}
table.values td.a code{white-space:nowrap}
@page{margin:14mm}
@media print{body{padding:0;max-width:none;font-size:10pt}h2{break-after:avoid}tr{break-inside:avoid}
.verdict,.card,.scope{-webkit-print-color-adjust:exact;print-color-adjust:exact}summary{display:none}}
"""


def _values(r: Row) -> str:
    cells = "".join(
        f'<tr class="{"differs" if v.differs else "same"}"><td class="f">{escape(v.field)}</td>'
        f'<td class="d"><code>{escape(v.desired)}</code></td><td>{ARROW}</td>'
        f'<td class="a"><code>{escape(v.actual)}</code></td></tr>' for v in r.values)
    note = f'<p class="note">{escape(r.note)}</p>' if r.note else ""
    return f'<table class="values">{cells}</table>{note}'


def _record(r: Row) -> str:
    if not r.item.evidence:
        return ""
    raw = json.dumps(r.item.evidence, indent=1, sort_keys=True, default=str)
    return f"<details><summary>Tenant record as read</summary><pre>{escape(raw)}</pre></details>"


def _table(rows: tuple[Row, ...]) -> str:
    body = "".join(
        f'<tr><td class="s {r.item.status}">{escape(r.status)}</td><td class="k">{escape(r.kind)}</td>'
        f"<td><code>{escape(r.item.name)}</code><br><small>{escape(r.item.spec_path or '(not declared)')}</small>"
        f"</td><td>{_values(r)}{_record(r)}</td></tr>" for r in rows)
    return (f'<table class="rows"><thead><tr><th>Status</th><th>Kind</th><th>Name and spec path</th>'
            f"<th>Desired {ARROW} actual</th></tr></thead><tbody>{body}</tbody></table>")


def _scope(view: AuditView) -> str:
    failed = "".join(f'<li class="unknown">{escape(f)}</li>' for f in view.failed)
    not_read = "".join(f'<li class="not-read">{escape(n)}</li>' for n in view.not_read)
    return (f'<section class="scope" id="scope"><b>Scope of this audit.</b> Read: {escape(", ".join(view.read))}.'
            + (f"<br>Failed reads: <ul>{failed}</ul>" if failed else "")
            + (f"<br>Not read: <ul>{not_read}</ul>" if not_read else "") + "</section>")


def render_html(result: AuditResult) -> str:
    view = audit_view(result)
    cards = "".join(f'<div class="card {s}"><b>{result.count(s)}</b>{STATUS_WORD[s]}</div>' for s in STATUSES)
    dl = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in view.meta.items())
    findings = _table(view.findings) if view.findings else "<p>None: every object read is in sync with the spec.</p>"
    in_sync = _table(view.in_sync) if view.in_sync else "<p>No object read is in sync.</p>"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(view.title)}</title>
<style>{CSS}</style></head><body>
<h1>Office 365 relay audit</h1>
<span class="verdict v-{result.verdict}">{escape(view.verdict)}</span>
<dl>{dl}</dl>
<div class="cards">{cards}</div>
{_scope(view)}
<h2>Findings ({len(view.findings)})</h2>
{findings}
<h2>In sync ({len(view.in_sync)})</h2>
{in_sync}
<p><small>Statuses: {escape(LEGEND)}. Values are normalised (Exchange forms such as smtp:*;1 read as *);
the tenant's record as read is under each row, and in full in the JSON report.</small></p>
</body></html>
"""
