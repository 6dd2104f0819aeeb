"""The smtp-auth-report as text, markdown or json: each sender, how it is judged, and the stanzas to add."""

from __future__ import annotations

import json
from typing import Any

from o365relay.reports.markdown import code, text
from o365relay.reports.wording import plural
from o365relay.smtpauth.judge import Judged, Verdict

LABELS = {"declared-oauth": "declared, OAuth", "declared-basic": "declared, Basic", "basic-on-oauth":
          "declared OAuth, signs in with Basic", "connector": "relays through a declared connector",
          "undeclared": "UNDECLARED: will break"}
NO_LICENCE = ("Entra sign-in logs: not readable: the tenant has no Microsoft Entra ID P1 or P2 licence (Graph "
              "answered Authentication_RequestFromNonPremiumTenantOrB2CTenant). Judged from message trace alone, "
              "which cannot tell Basic from OAuth: every undeclared sender counts against both switches.")


def render(verdict: Verdict, proposal: str, notes: list[str], fmt: str = "text") -> str:
    if fmt == "json":
        return json.dumps(as_json(verdict, proposal, notes), indent=2)
    return _markdown(verdict, proposal, notes) if fmt == "markdown" else _text(verdict, proposal, notes)


def _seen(j: Judged) -> str:
    s = j.seen
    ips = f" from {', '.join(s.ips)}" if s.ips else ""
    return f"{s.count}x {s.first:%Y-%m-%d %H:%M} to {s.last:%Y-%m-%d %H:%M}{ips}"


def _sections(verdict: Verdict) -> list[tuple[str, tuple[Judged, ...]]]:
    return [("SMTP AUTH senders (tenant.smtpAuth)", verdict.smtp_auth),
            ("Direct-send senders (tenant.rejectDirectSend)", verdict.direct_send)]


def _text(verdict: Verdict, proposal: str, notes: list[str]) -> str:
    lines = [f"SMTP AUTH and direct send, {verdict.window()}"]
    if verdict.evidence.sign_in_log == "unlicensed":
        lines.append(NO_LICENCE)
    for title, judged in _sections(verdict):
        lines += ["", f"{title}: {len(judged)}"]
        for j in judged:
            lines.append(f"  {j.seen.address:<34} {LABELS[j.category]:<36} {j.declared_as or '-':<28} {_seen(j)}")
            if j.note:
                lines.append(f"      {j.note}")
    lines += ["", _ready(verdict)]
    if proposal:
        lines += ["", "Proposed stanzas (add them to the spec; fill in the TODOs):", "", proposal.rstrip()]
    lines += [f"note: {n}" for n in notes]
    return "\n".join(lines)


def _ready(verdict: Verdict) -> str:
    parts = []
    for switch in ("smtpAuth", "rejectDirectSend"):
        breaking = verdict.breaking(switch)  # type: ignore[arg-type]
        parts.append(f"{switch}: " + (f"enforcing would break {plural(len(breaking), 'sender')}" if breaking
                                      else "no undeclared sender in this window"))
    return "; ".join(parts)


def _markdown(verdict: Verdict, proposal: str, notes: list[str]) -> str:
    lines = [f"## SMTP AUTH and direct send, {verdict.window()}", ""]
    if verdict.evidence.sign_in_log == "unlicensed":
        lines += [f"> {NO_LICENCE}", ""]
    for title, judged in _sections(verdict):
        lines += [f"### {title}", "", "| Sender | Verdict | Declared as | Seen | Note |", "|---|---|---|---|---|"]
        lines += [f"| {code(j.seen.address, table=True)} | {LABELS[j.category]} | "
                  f"{code(j.declared_as, table=True) if j.declared_as else '-'} | {_seen(j)} | {text(j.note)} |"
                  for j in judged]
        lines.append("")
    lines.append(f"**{_ready(verdict)}**")
    if proposal:
        lines += ["", "### Proposed stanzas", "", "```yaml", proposal.rstrip(), "```"]
    lines += [f"- note: {text(n)}" for n in notes]
    return "\n".join(lines)


def _judged_json(j: Judged) -> dict[str, Any]:
    s = j.seen
    return {"address": s.address, "verdict": j.category, "declaredAs": j.declared_as, "note": j.note,
            "count": s.count, "first": s.first.isoformat(), "last": s.last.isoformat(), "ips": list(s.ips)}


def as_json(verdict: Verdict, proposal: str, notes: list[str]) -> dict[str, Any]:
    e = verdict.evidence
    return {"start": e.start.isoformat(), "end": e.end.isoformat(), "signInLog": e.sign_in_log,
            "smtpAuth": [_judged_json(j) for j in verdict.smtp_auth],
            "directSend": [_judged_json(j) for j in verdict.direct_send],
            "breaking": {s: [j.seen.address for j in verdict.breaking(s)]  # type: ignore[arg-type]
                         for s in ("smtpAuth", "rejectDirectSend")},
            "proposal": proposal, "notes": notes}
