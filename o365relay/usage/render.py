"""A usage report as text, markdown or json; each states the method, so the flags can be checked."""

from __future__ import annotations

import json
from typing import Any

from o365relay.reports.markdown import code, text
from o365relay.reports.wording import plural
from o365relay.usage.analysis import (
    BASELINE_HOURS,
    MESSAGES_PER_MINUTE,
    MIN_HISTORY_HOURS,
    RECIPIENTS_PER_DAY,
    SenderUsage,
    UsageReport,
)

EMPTY = "No mail from the spec's senders in this window."


def method(report: UsageReport) -> str:
    t = report.thresholds
    return (f"Limits: SMTP AUTH {MESSAGES_PER_MINUTE} messages/minute and {RECIPIENTS_PER_DAY:,} recipients/24 h "
            f"per service account (its mailbox and send-as mailboxes together), peaks over sliding windows, "
            f"flagged from {t.near:.0%}. Sudden rise: an hour with at least {t.factor:g}x the sender's mean of "
            f"the {BASELINE_HOURS} hours before it and {t.min_increase} messages more (hours with under "
            f"{MIN_HISTORY_HOURS} h of history are not judged). Undeclared: a sender in a spec domain not "
            f"covered by a service account, send-as grant or connector sender IP.")


def render(report: UsageReport, fmt: str = "text") -> str:
    if fmt == "json":
        return json.dumps(as_json(report), indent=2)
    if fmt == "html":
        from o365relay.usage.html import render_html

        return render_html(report, _window(report), method(report))
    return _markdown(report) if fmt == "markdown" else _text(report)


def _busiest_hour(usage: SenderUsage) -> str:
    if not usage.per_hour:
        return "-"
    hour, (messages, _) = max(usage.per_hour.items(), key=lambda kv: kv[1][0])
    return f"{hour}:00 ({messages})"


def _window(report: UsageReport) -> str:
    return f"{report.start:%Y-%m-%d %H:%M} to {report.end:%Y-%m-%d %H:%M} UTC"


def _text(report: UsageReport) -> str:
    lines = [f"Message trace {_window(report)}: {_counts(report)}", ""]
    if not report.senders:
        return "\n".join(lines + [EMPTY, "", "Method: " + method(report)])
    wide = max(len("sender"), *(len(u.sender) for u in report.senders))
    declared = max(len("declared as"), *(len(u.declared_as or "UNDECLARED") for u in report.senders))
    header = (f"{'sender':<{wide}} {'declared as':<{declared}} {'msgs':>6} {'rcpts':>7} {'peak/min':>8} "
              f"{'peak rcpts/24h':>14}")
    lines += [header, "-" * len(header)]
    for u in report.senders:
        lines.append(f"{u.sender:<{wide}} {u.declared_as or 'UNDECLARED':<{declared}} {u.messages:>6} "
                     f"{u.recipients:>7} {u.peak_minute:>8} {u.peak_day_recipients:>14}")
    if report.flags:
        lines += ["", "Flags:"] + [f"  {f.kind:<21} {f.message}" for f in report.flags]
    lines += ["", "Per day (messages/recipients) and busiest hour:"]
    for u in report.senders:
        days = ", ".join(f"{day} {m}/{r}" for day, (m, r) in u.per_day.items())
        lines.append(f"  {u.sender}: {days}; busiest hour {_busiest_hour(u)}")
    return "\n".join(lines + ["", "Method: " + method(report)])


def _counts(report: UsageReport) -> str:
    return f"{plural(len(report.senders), 'sender')}, {plural(len(report.flags), 'flag')}"


def _markdown(report: UsageReport) -> str:
    lines = [f"## Relay usage, {_window(report)}", "", f"**{_counts(report)}**", ""]
    if not report.senders:
        return "\n".join(lines + [EMPTY, "", f"_Method: {method(report)}_"])
    lines += [
             "| Sender | Declared as | Messages | Recipients | Peak/min | Peak recipients/24 h | Busiest hour |",
             "|---|---|---:|---:|---:|---:|---|"]
    for u in report.senders:
        declared = code(u.declared_as, table=True) if u.declared_as else "**undeclared**"
        lines.append(f"| {code(u.sender, table=True)} | {declared} | {u.messages} | {u.recipients} | "
                     f"{u.peak_minute} | {u.peak_day_recipients} | {_busiest_hour(u)} |")
    if report.flags:
        lines += ["", "### Flags", ""] + [f"- **{f.kind}** {code(f.subject)}: {text(f.message)}" for f in report.flags]
    return "\n".join(lines + ["", f"_Method: {method(report)}_"])


def as_json(report: UsageReport) -> dict[str, Any]:
    return {
        "start": report.start.isoformat(), "end": report.end.isoformat(),
        "senders": [{"sender": u.sender, "declaredAs": u.declared_as, "account": u.account,
                     "messages": u.messages, "recipients": u.recipients, "peakMinute": u.peak_minute,
                     "peakDayRecipients": u.peak_day_recipients, "peakMinutePerDay": u.peak_minute_per_day,
                     "perHour": {k: {"messages": m, "recipients": r} for k, (m, r) in u.per_hour.items()},
                     "perDay": {k: {"messages": m, "recipients": r} for k, (m, r) in u.per_day.items()}}
                    for u in report.senders],
        "flags": [{"kind": f.kind, "subject": f.subject, "message": f.message,
                   "at": f.at.isoformat() if f.at else None} for f in report.flags],
        "method": method(report),
    }
