"""The usage report as one self-contained HTML page: each sender's daily volume drawn against Exchange
Online's per-mailbox limits, the flags ringed where they happened, then the numbers and the method.

The marks are the report's flags (the rule the text output applies), never a second judgement: a
flag names a sender or a service account and, where it has one, a moment; every series of that
sender or account is ringed on that day.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from html import escape

from o365relay.reports.wording import plural
from o365relay.usage.analysis import MESSAGES_PER_MINUTE, RECIPIENTS_PER_DAY, Flag, SenderUsage, UsageReport
from o365relay.usage.chart import Limit, Series, legend, line_chart

CSS = """
*{box-sizing:border-box}body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2330;
margin:0 auto;max-width:1100px;padding:32px}h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;
border-bottom:2px solid #dfe3ea;padding-bottom:4px}table{width:100%;border-collapse:collapse;margin:8px 0 16px}
th,td{text-align:left;vertical-align:top;padding:5px 8px;border-bottom:1px solid #e6e9ef}th{background:#f4f6f9}
td.n{text-align:right;font-variant-numeric:tabular-nums}code{font-family:ui-monospace,Menlo,Consolas,monospace}
.undeclared{color:#b42318;font-weight:600}.flagged{color:#b42318;font-weight:600}
svg.chart{width:100%;height:auto;font-size:12px}svg .grid{stroke:#e6e9ef}svg .axis{stroke:#5b6475}
svg text.tick{fill:#5b6475}svg text.axis{fill:#1d2330;stroke:none}
svg .limit line{stroke:#b42318;stroke-width:2;stroke-dasharray:8 4}svg .limit text{fill:#b42318;font-weight:600}
svg .near line{stroke:#b54708;stroke-width:1;stroke-dasharray:3 3}svg .near text{fill:#b54708}
svg circle.flag{fill:none;stroke:#b42318;stroke-width:2.5}
ul.legend{display:flex;flex-wrap:wrap;gap:4px 18px;list-style:none;padding:0;margin:4px 0 0}
ul.legend li:before{content:"";display:inline-block;width:18px;height:4px;background:currentColor;
margin-right:6px;vertical-align:middle}ul.legend li span{color:#1d2330}
figure{margin:12px 0 24px}figcaption{color:#5b6475;font-size:13px}
@page{margin:14mm}@media print{body{padding:0;max-width:none;font-size:10pt}figure,tr{break-inside:avoid}
svg,ul.legend li:before{-webkit-print-color-adjust:exact;print-color-adjust:exact}}
"""


def _days(report: UsageReport) -> list[str]:
    day, last, out = report.start.date(), report.end.date(), []
    while day <= last:
        out.append(day.isoformat())
        day += timedelta(days=1)
    return out


def _concerns(flag: Flag, usage: SenderUsage) -> bool:
    return flag.subject in (usage.sender, usage.account)


def _marks(usage: SenderUsage, flags: tuple[Flag, ...], kinds: set[str],
           days: list[str]) -> tuple[tuple[int, str], ...]:
    return tuple((days.index(f"{f.at:%Y-%m-%d}"), f.message) for f in flags
                 if f.kind in kinds and isinstance(f.at, datetime) and _concerns(f, usage)
                 and f"{f.at:%Y-%m-%d}" in days)


def _label(usage: SenderUsage) -> str:
    return f"{usage.sender} ({usage.declared_as or 'UNDECLARED'})"


def _recipients_chart(report: UsageReport, days: list[str]) -> str:
    near = report.thresholds.near
    series = [Series(_label(u), tuple(float(u.per_day.get(d, (0, 0))[1]) for d in days),
                     _marks(u, report.flags, {"near-recipient-limit", "sudden-rise"}, days), u.declared_as is None)
              for u in report.senders]
    limits = [Limit(RECIPIENTS_PER_DAY, f"recipient rate limit {RECIPIENTS_PER_DAY:,}/day per mailbox"),
              Limit(near * RECIPIENTS_PER_DAY, f"flagged from {near:.0%}", "near")]
    svg = line_chart("Recipients per day, per sender", days, series, limits, log=True, y_title="recipients (log)")
    return (f'<figure id="recipients">{svg}{legend(series)}<figcaption>Recipients per UTC day, one line per sender '
            f"(logarithmic scale). The red line is Exchange Online's recipient rate limit for a mailbox; it "
            f"counts over any 24 hours and a service account's own and send-as mailboxes together, so the "
            f"flags (ringed) are judged per account.</figcaption></figure>")


def _minute_chart(report: UsageReport, days: list[str]) -> str:
    near = report.thresholds.near
    series = [Series(_label(u), tuple(float(u.peak_minute_per_day.get(d, 0)) for d in days),
                     _marks(u, report.flags, {"near-message-rate"}, days), u.declared_as is None)
              for u in report.senders]
    limits = [Limit(MESSAGES_PER_MINUTE, f"{MESSAGES_PER_MINUTE} messages/min per mailbox"),
              Limit(near * MESSAGES_PER_MINUTE, f"flagged from {near:.0%}", "near")]
    svg = line_chart("Busiest minute of each day, per sender", days, series, limits, y_title="messages in 60 s")
    return (f'<figure id="per-minute">{svg}{legend(series)}<figcaption>The most messages each sender submitted '
            f"within any 60 seconds of each day, against the SMTP AUTH message rate limit.</figcaption></figure>")


def _flags(report: UsageReport) -> str:
    if not report.flags:
        return "<p>Nothing flagged: every sender is declared, below the limits and without a sudden rise.</p>"
    rows = "".join(f'<tr><td class="flagged">{escape(f.kind)}</td><td><code>{escape(f.subject)}</code></td>'
                   f"<td>{escape(f'{f.at:%Y-%m-%d %H:%M}') if f.at else ''}</td><td>{escape(f.message)}</td></tr>"
                   for f in report.flags)
    return f"<table><thead><tr><th>Flag</th><th>Subject</th><th>When (UTC)</th><th>Why</th></tr></thead>" \
           f"<tbody>{rows}</tbody></table>"


def _senders(report: UsageReport) -> str:
    rows = "".join(
        f"<tr><td><code>{escape(u.sender)}</code></td>"
        + (f"<td>{escape(u.declared_as)}</td>" if u.declared_as else '<td class="undeclared">undeclared</td>')
        + f'<td class="n">{u.messages:,}</td><td class="n">{u.recipients:,}</td><td class="n">{u.peak_minute}</td>'
          f'<td class="n">{u.peak_day_recipients:,}</td></tr>' for u in report.senders)
    return ("<table><thead><tr><th>Sender</th><th>Declared as</th><th>Messages</th><th>Recipients</th>"
            "<th>Peak/min</th><th>Peak recipients/24 h</th></tr></thead>" f"<tbody>{rows}</tbody></table>")


def render_html(report: UsageReport, window: str, method: str) -> str:
    days = _days(report)
    title = f"Relay usage, {window}"
    if report.senders:
        body = (f"<h2>Flags</h2>{_flags(report)}<h2>Volume per sender</h2>{_recipients_chart(report, days)}"
                f"{_minute_chart(report, days)}<h2>Senders</h2>{_senders(report)}")
    else:
        body = "<p>No mail from the spec's senders in this window.</p>"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title><style>{CSS}</style></head><body>
<h1>{escape(title)}</h1>
<p><b>{plural(len(report.senders), "sender")}, {plural(len(report.flags), "flag")}.</b> From message trace.</p>
{body}
<h2>Method</h2><p>{escape(method)}</p>
</body></html>"""


__all__ = ["render_html"]
