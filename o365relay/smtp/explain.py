"""Find the explanation for a code or a pasted reply line in the one table (``o365relay.smtp.table``).

A device shows whatever it got: a bare enhanced code (``5.7.139``), a whole reply line with the
server's words after it, an Entra sign-in error (``AADSTS7000215``), a Python TLS error, or an
``Authentication-Results`` verdict. The enhanced code picks the entries; the words pick the variant.
"""

from __future__ import annotations

import json
import re
import textwrap
from dataclasses import asdict, dataclass

from o365relay.errors import UsageError
from o365relay.reports.markdown import code
from o365relay.smtp.table import TABLE, Explanation

_BY_KEY = {e.key: e for e in TABLE}
_ENHANCED = re.compile(r"(?<![\d.])([245])\.(\d{1,3})\.(\d{1,3})(?![\d.])")
_BASIC = re.compile(r"^\s*([245]\d\d)(?:[ -]|$)")
_AADSTS = re.compile(r"AADSTS(\d{5,})", re.IGNORECASE)
_COMPAUTH = re.compile(r"compauth=(\w+)\s+reason=(\d{3})", re.IGNORECASE)
_VERDICT = re.compile(r"\b(spf|dkim|dmarc)=(\w+)", re.IGNORECASE)
_SCL = re.compile(r"\bSCL\b\s*[:=]?\s*(-?\d)", re.IGNORECASE)


@dataclass(frozen=True)
class Diagnosis:
    """What a reply means: the best entry, and the other meanings the same code can have."""

    query: str
    code: str | None
    explanation: Explanation | None
    alternatives: tuple[Explanation, ...] = ()


def by_key(key: str) -> Explanation:
    """The entry with this key; a KeyError here is a programming error, not user input."""
    return _BY_KEY[key]


def explain(text: str) -> Diagnosis:
    """Explain a code, a reply line, a sign-in error or a header verdict."""
    query = " ".join(text.split())
    if not query:
        raise UsageError("nothing to explain: give a code such as 5.7.139 or paste the reply line")
    if query in _BY_KEY:
        return Diagnosis(query, _BY_KEY[query].code, _BY_KEY[query])
    code = _code_of(query)
    candidates = _candidates(code) if code else []
    if not candidates:
        by_text = [e for e in TABLE if e.text and re.search(e.text, query, re.IGNORECASE)]
        if by_text:
            return Diagnosis(query, code or by_text[0].code, by_text[0], tuple(by_text[1:]))
        return Diagnosis(query, code, None)
    chosen = _variant(candidates, query)
    return Diagnosis(query, code, chosen, tuple(e for e in candidates if e is not chosen))


def _code_of(query: str) -> str | None:
    """The most specific code in the query: sign-in error, enhanced code, header verdict, basic."""
    if m := _AADSTS.search(query):
        return f"AADSTS{m.group(1)}"
    if m := _ENHANCED.search(query):
        return ".".join(m.groups())
    if m := _COMPAUTH.search(query):
        reason = m.group(2)
        return f"compauth={m.group(1).lower()} reason={reason[0] + 'xx' if reason[0] == '6' else reason}"
    if m := _SCL.search(query):
        return "SCL 5-9" if int(m.group(1)) >= 5 else f"SCL {m.group(1)}"
    if m := _VERDICT.search(query):
        method, result = m.group(1).lower(), m.group(2).lower()
        return f"{method}={'fail' if result in ('softfail', 'permerror') else result}"
    if m := _BASIC.match(query):
        return m.group(1)
    return None


def _code_rank(pattern: str, code: str) -> int:
    """How specifically a table code matches: 3 exact, 2 in a range, 1 in a class, 0 not at all."""
    if pattern.lower() == code.lower():
        return 3
    if pattern.endswith(".*"):
        return 1 if code.startswith(pattern[:-1]) else 0
    if m := re.fullmatch(r"(\d\.\d{1,3}\.)(\d{1,3})-(\d{1,3})", pattern):
        prefix, low, high = m.group(1), int(m.group(2)), int(m.group(3))
        if code.startswith(prefix) and code[len(prefix):].isdigit():
            return 2 if low <= int(code[len(prefix):]) <= high else 0
    return 0


def _candidates(code: str) -> list[Explanation]:
    if re.fullmatch(r"[245]\d\d", code):  # a bare basic reply code: every entry that replies with it
        return [e for e in TABLE if e.reply.startswith(code + " ")]
    ranked = [(_code_rank(e.code, code), e) for e in TABLE]
    best = max((rank for rank, _ in ranked), default=0)
    return [e for rank, e in ranked if rank and rank == best]


def _variant(candidates: list[Explanation], query: str) -> Explanation:
    """The variant whose words match the reply, else what the bare code means."""
    for entry in candidates:
        if entry.text and re.search(entry.text, query, re.IGNORECASE):
            return entry
    return next((e for e in candidates if not e.text), candidates[0])


def render(diagnosis: Diagnosis, fmt: str = "text") -> str:
    """The diagnosis as text (for a terminal), markdown (for a ticket) or json."""
    if fmt == "json":
        return json.dumps(_as_json(diagnosis), indent=2)
    entry = diagnosis.explanation
    if entry is None:
        known = ", ".join(sorted({e.code for e in TABLE if e.code[0].isdigit()}))
        return (f"No explanation for {diagnosis.query!r}.\n"
                f"The table covers these SMTP codes: {known}; and AADSTS sign-in errors, TLS "
                f"failures and header verdicts (spf=, dkim=, dmarc=, compauth=, SCL).")
    return _markdown(diagnosis, entry) if fmt == "markdown" else _text(diagnosis, entry)


def _as_json(diagnosis: Diagnosis) -> dict[str, object]:
    entry = diagnosis.explanation
    return {
        "query": diagnosis.query,
        "code": diagnosis.code,
        "explanation": asdict(entry) if entry else None,
        "alternatives": [{"key": e.key, "title": e.title} for e in diagnosis.alternatives],
    }


def _text(diagnosis: Diagnosis, entry: Explanation) -> str:
    def wrapped(label: str, body: str) -> str:
        return textwrap.fill(body, 100, initial_indent=f"  {label:<7}", subsequent_indent=" " * 9)

    lines = [f"{entry.code}: {entry.title}" + ("  (temporary: retry later)" if entry.transient else "")]
    if entry.reply:
        lines.append(wrapped("reply", entry.reply))
    lines += [wrapped("cause", entry.cause), wrapped("fix", entry.fix)]
    if diagnosis.alternatives:
        lines.append(f"  {diagnosis.code} can also mean:")
        lines += [f"    - {e.title} (relayctl explain {e.key})" for e in diagnosis.alternatives]
    return "\n".join(lines)


def _markdown(diagnosis: Diagnosis, entry: Explanation) -> str:
    lines = [f"### {code(entry.code)}: {entry.title}", ""]
    if entry.reply:
        lines += [f"> {code(entry.reply)}", ""]
    lines += [f"**Cause.** {entry.cause}", "", f"**Fix.** {entry.fix}"]
    if entry.transient:
        lines += ["", "_Temporary: the client should retry later._"]
    if diagnosis.alternatives:
        lines += ["", f"{code(diagnosis.code)} can also mean:"]
        lines += [f"- {e.title} (`relayctl explain {e.key}`)" for e in diagnosis.alternatives]
    return "\n".join(lines)
