"""A header report as text (terminal), markdown (ticket or PR comment) or json (tools)."""

from __future__ import annotations

import json
import textwrap
from typing import Any

from o365relay.headers.analyze import Finding, HeaderReport
from o365relay.reports.markdown import code, text
from o365relay.smtp.explain import by_key


def render(report: HeaderReport, fmt: str = "text") -> str:
    if fmt == "json":
        return json.dumps(as_json(report), indent=2)
    return _markdown(report) if fmt == "markdown" else _text(report)


def _fix(finding: Finding) -> str | None:
    """The fix is the explanation table's, so headers and explain never disagree."""
    if finding.status not in ("fail", "warn") or not finding.explanation:
        return None
    return by_key(finding.explanation).fix


def _summary(report: HeaderReport) -> str:
    h = report.headers
    verdict = report.verdict
    route = f"connecting IP {report.connecting_ip or '?'}"
    if report.origin_ip and report.origin_ip != report.connecting_ip:
        route += f", entered Microsoft 365 from {report.origin_ip}"
    if report.connector:
        route += f" (connector {report.connector})"
    return f"{h.source}: {verdict}  From {h.from_address or '?'}  Message-ID {h.message_id or '?'}\n  {route}"


def _text(report: HeaderReport) -> str:
    lines = [_summary(report)]
    for finding in report.findings:
        lines.append(textwrap.fill(finding.message, 100, initial_indent=f"  {finding.status.upper():<5} "
                                   f"{finding.topic:<9} ", subsequent_indent=" " * 18))
        if fix := _fix(finding):
            lines.append(textwrap.fill(fix, 100, initial_indent=" " * 18 + "fix: ",
                                       subsequent_indent=" " * 23))
    return "\n".join(lines)


def _markdown(report: HeaderReport) -> str:
    h = report.headers
    lines = [f"## Headers of {code(h.source)}: {report.verdict}", "",
             f"- From: {code(h.from_address or '?')}; Message-ID: {code(h.message_id or '?')}",
             f"- Connecting IP: {code(report.connecting_ip or '?')}"
             + (f"; entered Microsoft 365 from {code(report.origin_ip)}" if report.origin_ip != report.connecting_ip
                else "") + (f" (connector {code(report.connector)})" if report.connector else ""), "",
             "| Status | Topic | Finding | Fix |", "|---|---|---|---|"]
    for finding in report.findings:
        cells = [finding.status.upper(), finding.topic, finding.message, _fix(finding) or ""]
        lines.append("| " + " | ".join(text(c) for c in cells) + " |")
    return "\n".join(lines)


def as_json(report: HeaderReport) -> dict[str, Any]:
    h = report.headers
    return {
        "source": h.source,
        "verdict": report.verdict,
        "from": h.from_address,
        "fromDomain": h.from_domain,
        "mailFromDomain": h.mail_from_domain,
        "messageId": h.message_id,
        "connectingIp": report.connecting_ip,
        "originIp": report.origin_ip,
        "connector": report.connector,
        "findings": [{"status": f.status, "topic": f.topic, "message": f.message,
                      "explanation": f.explanation, "fix": _fix(f)} for f in report.findings],
        "authenticationResults": [
            {"method": v.method, "result": v.result, "reason": v.reason, "properties": v.properties,
             "senderIp": v.sender_ip, "action": v.action} for v in h.auth],
        "dkimSignatures": [{"d": s.domain, "s": s.selector, "a": s.algorithm, "h": list(s.signed_headers)}
                           for s in h.dkim],
        "arc": [{"i": s.instance, "cv": s.chain, "d": s.signer,
                 "results": [{"method": v.method, "result": v.result} for v in s.results]} for s in h.arc],
        "hops": [{"from": hop.from_host, "fromIp": hop.from_ip, "by": hop.by_host,
                  "at": hop.when.isoformat() if hop.when else None,
                  "delaySeconds": hop.delay.total_seconds() if hop.delay is not None else None}
                 for hop in h.hops],
        "scl": h.scl,
        "antispam": h.antispam,
        "problems": list(h.problems),
    }
