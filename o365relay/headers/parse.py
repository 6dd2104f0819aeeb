"""Read the evidence in a received message's headers with the maintained parsers of the field.

Python's ``email`` package splits and unfolds the header block, ``authres`` parses
``Authentication-Results`` / ``ARC-Authentication-Results`` (RFC 8601), dkimpy parses
``DKIM-Signature`` / ``ARC-*`` tag lists. What those parsers leave out is Microsoft's own: its
``Authentication-Results`` omits the authserv-id, carries the connecting IP in a comment
(``sender IP is 203.0.113.5``) and DMARC's ``action=``; ``X-Forefront-Antispam-Report`` is a
``KEY:value;`` list. A malformed piece becomes a located problem, never an exception.
"""

from __future__ import annotations

import email.parser
import email.policy
import email.utils
import ipaddress
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import authres
import dkim.util

from o365relay.errors import UsageError

_HEADER_START = re.compile(r"^([!-9;-~]+):")
_SENDER_IP = re.compile(r"sender ip is ([0-9a-f.:]+)", re.IGNORECASE)
_ACTION = re.compile(r"\baction=([\w.]+)", re.IGNORECASE)
_RESINFO_START = re.compile(r"^\s*[\w.-]+\s*=")
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
MAX_COMMENT_DEPTH = 8


@dataclass(frozen=True)
class AuthVerdict:
    """One method's result: spf, dkim, dmarc, compauth, arc..."""

    method: str
    result: str
    reason: str | None = None  # compauth's reason code
    properties: dict[str, str] = field(default_factory=dict)  # e.g. {"smtp.mailfrom": "contoso.com"}
    sender_ip: str | None = None  # Microsoft puts the connecting IP in SPF's comment
    action: str | None = None  # DMARC: none, quarantine, reject, oreject, pct.quarantine...


@dataclass(frozen=True)
class DkimSignature:
    line: int
    domain: str
    selector: str
    algorithm: str
    signed_headers: tuple[str, ...]


@dataclass(frozen=True)
class ArcSet:
    instance: int
    chain: str | None  # cv= of the ARC-Seal: none, pass, fail
    signer: str | None  # d= of the ARC-Seal
    results: tuple[AuthVerdict, ...]


@dataclass(frozen=True)
class Hop:
    """One Received header; hops are listed oldest first, so delay is the time since the one before."""

    line: int
    from_host: str | None
    from_ip: str | None
    by_host: str | None
    when: datetime | None
    delay: timedelta | None


@dataclass(frozen=True)
class MessageHeaders:
    source: str
    from_address: str | None
    from_domain: str | None
    mail_from_domain: str | None
    message_id: str | None
    subject: str | None
    auth: tuple[AuthVerdict, ...]  # the topmost Authentication-Results: the receiving tenant's
    auth_line: int | None
    arc: tuple[ArcSet, ...]
    dkim: tuple[DkimSignature, ...]
    hops: tuple[Hop, ...]
    scl: int | None
    antispam: dict[str, str]  # X-Forefront-Antispam-Report fields: CIP, SFV, CAT, IPV, ...
    origin_ip: str | None  # where the message entered Microsoft 365 (relayed mail), if stamped
    auth_as: str | None  # how Exchange attributed the sender: Anonymous, Internal, Partner
    problems: tuple[str, ...]  # "file:line: what is malformed"

    def verdicts(self, method: str) -> list[AuthVerdict]:
        return [v for v in self.auth if v.method == method]


def parse_headers(text: str, source: str = "<stdin>") -> MessageHeaders:
    """Parse a header block (or a whole .eml); raises UsageError when there are no headers at all.

    Control characters (terminal escape sequences, bidirectional overrides) are dropped first: every
    value here may be printed, and a message's sender chooses its headers."""
    text, source = strip_controls(text), strip_controls(source)
    block, starts, problems = _header_block(text, source)
    if not starts:
        raise UsageError(f"{source}: no message headers found: expected lines such as "
                         f"'Authentication-Results: ...' or 'Received: ...' (save the message as .eml, "
                         f"or paste its full header block)")
    msg = email.parser.HeaderParser(policy=email.policy.compat32).parsestr("\n".join(block) + "\n\n")

    def all_of(name: str) -> list[tuple[str, int]]:
        lines = starts.get(name.lower(), [])
        values = msg.get_all(name, [])
        return [(" ".join(str(v).split()), lines[i] if i < len(lines) else 0) for i, v in enumerate(values)]

    auth_headers = all_of("Authentication-Results")
    auth: tuple[AuthVerdict, ...] = ()
    auth_line = None
    if auth_headers:
        value, auth_line = auth_headers[0]
        auth = _auth_results(value, source, auth_line, problems)
    from_address = _address(msg.get("From"))
    return MessageHeaders(
        source=source,
        from_address=from_address,
        from_domain=_domain_of(from_address),
        mail_from_domain=_mail_from(auth, msg.get("Return-Path")),
        message_id=_clean(msg.get("Message-ID")),
        subject=_clean(msg.get("Subject")),
        auth=auth,
        auth_line=auth_line,
        arc=_arc(all_of("ARC-Seal"), all_of("ARC-Authentication-Results"), source, problems),
        dkim=tuple(s for s in (_dkim(v, n, source, problems) for v, n in all_of("DKIM-Signature")) if s),
        hops=_hops(all_of("Received"), source, problems),
        scl=_scl(all_of("X-MS-Exchange-Organization-SCL"), source, problems),
        antispam=_antispam(all_of("X-Forefront-Antispam-Report")),
        origin_ip=_origin_ip(msg.get("X-MS-Exchange-CrossTenant-OriginalAttributedTenantConnectingIp")),
        auth_as=_clean(msg.get("X-MS-Exchange-Organization-AuthAs")
                       or msg.get("X-MS-Exchange-CrossTenant-AuthAs")),
        problems=tuple(problems),
    )


def _header_block(text: str, source: str) -> tuple[list[str], dict[str, list[int]], list[str]]:
    """The header lines up to the first blank line, where each header name starts, and stray lines.

    A stray line (neither ``Name: value`` nor an indented continuation) is reported and skipped, so
    one bad line costs that line only, not every header after it.
    """
    kept: list[str] = []
    starts: dict[str, list[int]] = {}
    problems: list[str] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            if kept:
                break
            continue
        if m := _HEADER_START.match(line):
            kept.append(line)
            starts.setdefault(m.group(1).lower(), []).append(number)
        elif line[0] in " \t" and kept:
            kept.append(line)
        elif not (number == 1 and line.startswith("From ")):  # an mbox separator is not an error
            problems.append(f"{source}:{number}: not a header line (expected 'Name: value' or an "
                            f"indented continuation): {line[:60]!r}")
    return kept, starts, problems


def _clean(value: object) -> str | None:
    return " ".join(str(value).split()) if value is not None else None


def _address(value: object) -> str | None:
    address = email.utils.parseaddr(str(value))[1] if value is not None else ""
    return address.lower() or None


def _domain_of(address: str | None) -> str | None:
    return address.rpartition("@")[2] if address and "@" in address else None


def _mail_from(auth: tuple[AuthVerdict, ...], return_path: object) -> str | None:
    for verdict in auth:
        if verdict.method == "spf" and "smtp.mailfrom" in verdict.properties:
            value = verdict.properties["smtp.mailfrom"]
            return value.rpartition("@")[2].lower()
    return _domain_of(_address(return_path))


def strip_controls(text: str) -> str:
    """``text`` without C0/C1 control characters (tab and line ends kept) or bidi overrides."""
    return _CONTROLS.sub("", text)


def _comment_depth(value: str) -> int:
    """How deeply RFC 5322 comments nest in ``value`` (authres parses them recursively)."""
    depth = deepest = 0
    for char in value:
        if char == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif char == ")" and depth:
            depth -= 1
    return deepest


def _auth_results(value: str, source: str, line: int, problems: list[str],
                  prefix: str = "Authentication-Results") -> tuple[AuthVerdict, ...]:
    if (depth := _comment_depth(value)) > MAX_COMMENT_DEPTH:
        problems.append(f"{source}:{line}: {prefix} has comments nested {depth} deep (at most "
                        f"{MAX_COMMENT_DEPTH} are read); not a header a mail server wrote")
        return ()
    # Microsoft omits the authserv-id ("spf=pass ..."): give authres a neutral one to parse against.
    text = f"none; {value}" if _RESINFO_START.match(value) else value
    try:
        parsed = authres.AuthenticationResultsHeader.parse(f"Authentication-Results: {text}")
    except authres.AuthResError as error:
        problems.append(f"{source}:{line}: {prefix} is malformed ({error}); expected "
                        f"'method=result property=value; ...' as in RFC 8601")
        return ()
    segments = _segments(value)
    verdicts = []
    for result in parsed.results:
        raw = segments.get(result.method.lower(), "")
        ip = _SENDER_IP.search(raw)
        action = _ACTION.search(raw)
        verdicts.append(AuthVerdict(
            method=result.method.lower(),
            result=str(result.result).lower(),
            reason=str(result.reason) if result.reason else None,
            properties={f"{p.type}.{p.name}".lower(): str(p.value) for p in result.properties},
            sender_ip=ip.group(1) if ip else None,
            action=action.group(1).lower() if action else None,
        ))
    return tuple(verdicts)


def _segments(value: str) -> dict[str, str]:
    """Each method's raw text (first occurrence), for the Microsoft-only parts authres drops."""
    out: dict[str, str] = {}
    for part in value.split(";"):
        if m := re.match(r"\s*([\w-]+)\s*=", part):
            out.setdefault(m.group(1).lower(), part)
    return out


def _tags(value: str, source: str, line: int, name: str, problems: list[str]) -> dict[str, str] | None:
    try:
        tags = dkim.util.parse_tag_value(value.encode())
    except dkim.util.InvalidTagValueList as error:
        problems.append(f"{source}:{line}: {name} is malformed ({error!s}); expected 'tag=value; ...'")
        return None
    return {k.decode().lower(): v.decode(errors="replace").strip() for k, v in tags.items()}


def _dkim(value: str, line: int, source: str, problems: list[str]) -> DkimSignature | None:
    tags = _tags(value, source, line, "DKIM-Signature", problems)
    if tags is None:
        return None
    if not tags.get("d") or not tags.get("s"):
        problems.append(f"{source}:{line}: DKIM-Signature has no d= or s= tag")
        return None
    signed = tuple(h.strip().lower() for h in tags.get("h", "").split(":") if h.strip())
    return DkimSignature(line, tags["d"].lower(), tags["s"], tags.get("a", ""), signed)


def _arc(seals: list[tuple[str, int]], results: list[tuple[str, int]], source: str,
         problems: list[str]) -> tuple[ArcSet, ...]:
    by_instance: dict[int, tuple[AuthVerdict, ...]] = {}
    for value, line in results:
        m = re.match(r"\s*i=(\d+)\s*;\s*(.*)", value, re.DOTALL)
        if not m:
            problems.append(f"{source}:{line}: ARC-Authentication-Results has no i= instance tag")
            continue
        by_instance[int(m.group(1))] = _auth_results(m.group(2), source, line, problems,
                                                     "ARC-Authentication-Results")
    sets = []
    for value, line in seals:
        tags = _tags(value, source, line, "ARC-Seal", problems)
        if tags is None or not tags.get("i", "").isdigit():
            continue
        instance = int(tags["i"])
        sets.append(ArcSet(instance, tags.get("cv"), tags.get("d"), by_instance.get(instance, ())))
    return tuple(sorted(sets, key=lambda s: s.instance))


def _hops(received: list[tuple[str, int]], source: str, problems: list[str]) -> tuple[Hop, ...]:
    hops: list[Hop] = []
    for value, line in reversed(received):  # headers are prepended: the last one is the oldest
        route, _, stamp = value.rpartition(";")
        when = None
        try:
            when = email.utils.parsedate_to_datetime(stamp.strip())
        except (TypeError, ValueError):
            problems.append(f"{source}:{line}: Received has no readable date after ';' ({stamp.strip()[:40]!r})")
        if when is not None and when.tzinfo is None:
            when = None
            problems.append(f"{source}:{line}: Received date has no time zone")
        previous = next((h.when for h in reversed(hops) if h.when), None)
        delay = when - previous if when and previous else None
        sender, _, receiver = (route or value).partition(" by ")
        from_host = re.match(r"\s*from\s+(\S+)", sender)
        by_host = re.match(r"\s*(\S+)", receiver)
        hops.append(Hop(line, from_host.group(1) if from_host else None, _ip_in(sender),
                        by_host.group(1) if by_host else None, when, delay))
    return tuple(hops)


def _ip_in(text: str) -> str | None:
    """The first literal IP address in a Received 'from' clause: '[203.0.113.5]' or '(203.0.113.5)'."""
    for token in re.findall(r"[\[(]([0-9a-fA-F.:]+)[\])]", text):
        try:
            return str(ipaddress.ip_address(token))
        except ValueError:
            continue
    return None


def _origin_ip(value: object) -> str | None:
    """``TenantId=...;Ip=[203.0.113.5];Helo=[...]``: the IP the tenant's connector attributed."""
    m = re.search(r"\bIp=\[?([0-9a-fA-F.:]+)\]?", str(value)) if value is not None else None
    return _ip_in(f"[{m.group(1)}]") if m else None


def _scl(values: list[tuple[str, int]], source: str, problems: list[str]) -> int | None:
    for value, line in values:
        try:
            return int(value)
        except ValueError:
            problems.append(f"{source}:{line}: X-MS-Exchange-Organization-SCL is {value!r}; expected "
                            f"a number from -1 to 9")
    return None


def _antispam(values: list[tuple[str, int]]) -> dict[str, str]:
    fields: dict[str, str] = {}
    for value, _ in values[:1]:
        for part in value.split(";"):
            key, sep, val = part.partition(":")
            if sep and key.strip():
                fields[key.strip().upper()] = val.strip()
    return fields
