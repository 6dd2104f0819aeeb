"""Render a :class:`~o365relay.dnscheck.model.DnsReport` as text, JSON or Markdown."""

from __future__ import annotations

import json

from o365relay.dnscheck.model import CHECK_STATUSES, Check, DnsReport
from o365relay.reports.markdown import code, text
from o365relay.reports.terminal import table
from o365relay.reports.wording import plural

_ORDER = {"finding": 0, "unknown": 1, "skipped": 2, "ok": 3}
_ICON = {"finding": "❌", "unknown": "❔", "skipped": "➖", "ok": "✅"}


def _sorted(report: DnsReport) -> list[Check]:
    return sorted(report.checks, key=lambda c: (_ORDER[c.status], c.subject, c.kind))


def _summary(report: DnsReport) -> str:
    """``10 findings, 0 unknown, 0 skipped, 1 ok``: the noun takes a plural, the adjectives do not."""
    return ", ".join(plural(report.count(s), s) if s == "finding" else f"{report.count(s)} {s}"
                     for s in sorted(CHECK_STATUSES, key=_ORDER.__getitem__))


def render_text(report: DnsReport, *, rich: bool = False) -> str:
    rows = [(c.status, c.subject, c.kind, c.message) for c in _sorted(report)]
    where = ", ".join(report.nameservers) or "system resolver"
    out = table(f"DNS checks (nameserver {where})", ["status", "subject", "check", "detail"], rows, rich=rich)
    return out + f"\n{_summary(report)}\n"


def render_json(report: DnsReport) -> str:
    return json.dumps(report.to_dict(), indent=2, sort_keys=True) + "\n"


def render_markdown(report: DnsReport) -> str:
    lines = ["## DNS checks", "", f"**{_summary(report)}**", "", "| | Subject | Check | Detail |", "|---|---|---|---|"]
    for c in _sorted(report):
        lines.append(f"| {_ICON[c.status]} {c.status} | {code(c.subject, table=True)} | {c.kind} | {text(c.message)} |")
    return "\n".join(lines) + "\n"


RENDERERS = {"text": render_text, "json": render_json, "markdown": render_markdown}
