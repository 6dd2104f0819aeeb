"""Say, in plain words, why a received message passed or failed authentication, and what to change.

Each finding names the evidence (the verdict and what it was about), relates it to the spec when one
is given (connector sender IPs, the SPF the spec computes, the DKIM selectors Microsoft 365 signs
with, the DMARC policy declared), and points at an entry of the one explanation table for the fix.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from o365relay.headers.parse import AuthVerdict, MessageHeaders
from o365relay.spec.model import Connector, Domain, RelaySpec

Status = Literal["pass", "fail", "warn", "info"]
MICROSOFT_SELECTORS = ("selector1", "selector2")  # the only selectors Exchange Online signs with
SLOW_HOP = timedelta(minutes=5)
_SFV = {
    "SPM": "spam filtering marked it as spam", "BLK": "the sender is on a user's blocked list",
    "NSPM": "spam filtering found it clean", "SKA": "it skipped spam filtering (allow list)",
    "SKN": "a mail flow rule set SCL -1 before spam filtering", "SKS": "a mail flow rule marked it spam",
    "SFE": "the sender is on a user's safe senders list", "SKB": "the sender is on a blocked list",
}


@dataclass(frozen=True)
class Finding:
    status: Status
    topic: str  # SPF, DKIM, DMARC, compauth, spam, route, ARC, hops, parse
    message: str
    explanation: str | None = None  # key of the explanation table entry holding the fix


@dataclass(frozen=True)
class HeaderReport:
    headers: MessageHeaders
    findings: tuple[Finding, ...]
    connecting_ip: str | None
    origin_ip: str | None
    connector: str | None  # the spec connector whose sender IPs hold the origin IP

    @property
    def failed(self) -> bool:
        return any(f.status == "fail" for f in self.findings)

    @property
    def verdict(self) -> str:
        """FAIL when anything failed, WARN when something needs a look, else PASS."""
        statuses = {f.status for f in self.findings}
        return "FAIL" if "fail" in statuses else "WARN" if "warn" in statuses else "PASS"


def analyze(headers: MessageHeaders, spec: RelaySpec | None = None) -> HeaderReport:
    """Every finding, worst first; with a spec, related to the declared connectors and domains."""
    cip = headers.antispam.get("CIP") or next((v.sender_ip for v in headers.verdicts("spf")), None)
    origin = headers.origin_ip or cip
    connector = _connector_of(origin, spec)
    findings = [Finding("warn", "parse", problem) for problem in headers.problems]
    if not headers.auth:
        findings.append(Finding("warn", "parse", "no Authentication-Results header: the message was "
                                "not received by Microsoft 365 or the headers are incomplete"))
    findings += _route(headers, origin, connector, spec)
    findings += [f for v in headers.verdicts("spf") for f in _spf(v, headers, spec)]
    findings += _dkim(headers, spec)
    findings += [f for v in headers.verdicts("dmarc") for f in _dmarc(v, headers, spec)]
    findings += [f for v in headers.verdicts("compauth") for f in _compauth(v)]
    findings += _spam(headers)
    findings += _arc(headers) + _hops(headers)
    order = {"fail": 0, "warn": 1, "pass": 2, "info": 3}
    findings.sort(key=lambda f: order[f.status])
    return HeaderReport(headers, tuple(findings), cip, origin, connector.name if connector else None)


def _ip(text: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text) if text else None
    except ValueError:
        return None


def _in(ip: str | None, ranges: tuple[str, ...] | list[str]) -> bool:
    address = _ip(ip)
    return address is not None and any(
        address in ipaddress.ip_network(r, strict=False) for r in ranges if _ip(r.split("/")[0]))


def _connector_of(ip: str | None, spec: RelaySpec | None) -> Connector | None:
    if spec is None:
        return None
    return next((c for c in spec.connectors.values() if _in(ip, c.sender_ips)), None)


def _domain(spec: RelaySpec | None, name: str | None) -> Domain | None:
    """The declared domain, or the declared parent a subdomain inherits DMARC from."""
    if spec is None or not name:
        return None
    while name:
        if name in spec.domains:
            return spec.domains[name]
        name = name.partition(".")[2]
    return None


def _route(headers: MessageHeaders, origin: str | None, connector: Connector | None,
           spec: RelaySpec | None) -> list[Finding]:
    if not origin:
        return []
    if connector:
        return [Finding("pass", "route", f"the message entered Microsoft 365 from {origin}, a sender IP of "
                        f"connector {connector.name} ({', '.join(connector.sender_ips)}): it was relayed "
                        f"through the declared connector")]
    where = "entered Microsoft 365 from" if headers.origin_ip else "came from"
    helo = headers.antispam.get("H") or (headers.hops[0].from_host if headers.hops else "") or ""
    if not headers.origin_ip and helo.lower().endswith(".outbound.protection.outlook.com"):
        return [Finding("info", "route", f"the message came from Microsoft 365's outbound servers ({origin}, "
                        f"{helo}): another Microsoft 365 tenant sent it, so the device's own IP is not in "
                        f"these headers (read them in the sending tenant, or use message trace)")]
    if spec is None:
        return [Finding("info", "route", f"the message {where} {origin}")]
    if headers.auth_as == "Internal" and not headers.origin_ip:
        return [Finding("info", "route", f"the message {where} {origin}, submitted by an authenticated "
                        f"sender of the tenant (SMTP AUTH)")]
    return [Finding("info", "route", f"the message {where} {origin}, which is in no connector the spec "
                    f"declares")]


def _spf_ips(spec: RelaySpec, domain: str) -> list[str]:
    """What the spec makes SPF authorise for a domain: its extra ip4 plus its connectors' sender IPs."""
    declared = spec.domains.get(domain)
    ips = list(declared.spf.ip4) if declared else []
    return ips + [ip for c in spec.connectors_sending_for(domain) for ip in c.sender_ips]


def _spf(verdict: AuthVerdict, headers: MessageHeaders, spec: RelaySpec | None) -> list[Finding]:
    domain = verdict.properties.get("smtp.mailfrom", "").rpartition("@")[2].lower() or "?"
    ip = verdict.sender_ip or headers.antispam.get("CIP") or "?"
    if verdict.result == "pass":
        return [Finding("pass", "SPF", f"SPF passed: {ip} may send for {domain}")]
    if verdict.result in ("none", "neutral"):
        why = "the domain publishes no SPF record" if verdict.result == "none" else "SPF ends in ?all"
        return [Finding("warn", "SPF", f"SPF {verdict.result} for {domain}: {why}",
                        "spf-fail" if spec and domain in spec.domains else None)]
    message = f"SPF {verdict.result}: {ip} is not authorised to send for {domain}"
    if spec is not None and domain in spec.domains:
        if _in(ip, _spf_ips(spec, domain)):
            message += ("; yet the spec authorises it, so the published record is not the declared one: "
                        "run `relayctl dns SPEC` and publish the record the stack outputs")
        elif other := _connector_of(ip, spec):
            message += (f"; it is a sender IP of connector {other.name}, whose sendsFor does not list "
                        f"{domain}: add {domain} to connectors.{other.name}.sendsFor")
        else:
            message += (f"; no declared connector has it: if it is a relay egress, add it to "
                        f"connectors.<name>.senderIPs (SPF of {domain} gains it), else route the device "
                        f"through a connector or SMTP AUTH")
    return [Finding("fail", "SPF", message, "spf-fail")]


def _dkim(headers: MessageHeaders, spec: RelaySpec | None) -> list[Finding]:
    findings = []
    results = headers.verdicts("dkim")
    for signature in headers.dkim:
        declared = spec.domains.get(signature.domain) if spec else None
        verdict = next((v for v in results if v.properties.get("header.d") == signature.domain), None)
        failed = verdict is not None and verdict.result not in ("pass", "none")
        if declared is not None and signature.selector not in MICROSOFT_SELECTORS:
            findings.append(Finding(
                "fail" if failed else "warn", "DKIM",
                f"the DKIM signature for {signature.domain} uses selector {signature.selector!r}, but "
                f"Microsoft 365 signs {signature.domain} only with selector1/selector2 (the CNAMEs the "
                f"stack publishes from domains.{signature.domain}.dkim): the key at "
                f"{signature.selector}._domainkey.{signature.domain} is not one the spec manages "
                f"(another system signed it, or its key was never published)", "dkim-fail"))
        elif spec is not None and signature.domain == spec.tenant.initial_domain and headers.from_domain \
                and headers.from_domain != signature.domain:
            findings.append(Finding(
                "warn", "DKIM", f"signed with the initial domain's key (d={signature.domain}), not "
                f"{headers.from_domain}'s: DKIM is not enabled for {headers.from_domain}, so DKIM cannot "
                f"align for DMARC; set domains.{headers.from_domain}.dkim.enabled: true", "dkim-none"))
    for verdict in results:
        domain = verdict.properties.get("header.d", "?")
        if verdict.result == "pass":
            findings.append(Finding("pass", "DKIM", f"DKIM passed for d={domain}"))
        elif verdict.result == "none":
            findings.append(Finding("warn", "DKIM", "the message was not DKIM-signed", "dkim-none"))
        elif not any(f.topic == "DKIM" and f.status == "fail" for f in findings):
            findings.append(Finding("fail", "DKIM", f"DKIM {verdict.result} for d={domain}", "dkim-fail"))
    return findings


def _dmarc(verdict: AuthVerdict, headers: MessageHeaders, spec: RelaySpec | None) -> list[Finding]:
    from_domain = verdict.properties.get("header.from") or headers.from_domain or "?"
    declared = _domain(spec, from_domain)
    if verdict.result in ("pass", "bestguesspass"):
        return [Finding("pass", "DMARC", f"DMARC passed for {from_domain}")]
    notes = []
    if spec is not None and declared is None:
        notes.append(f"{from_domain} is not declared in the spec's domains")
    if verdict.result == "none":
        if declared is not None and declared.dmarc is not None:
            notes.append("the spec declares a DMARC record, so it is not published: run `relayctl dns SPEC`")
        return [Finding("warn", "DMARC", "; ".join([f"no DMARC record found for {from_domain}", *notes]),
                        "compauth-implicit")]
    aligned = [v.method for v in headers.auth if v.method in ("spf", "dkim") and v.result == "pass" and
               _aligned(v, from_domain)]
    others = sorted({(v.properties.get("smtp.mailfrom") or v.properties.get("header.d") or "").rpartition("@")[2]
                     for v in headers.auth if v.method in ("spf", "dkim") and v.result == "pass"} - {""})
    why = ("neither SPF nor DKIM passed for a domain aligned with the From domain"
           if not aligned else f"{' and '.join(aligned)} passed but the receiver applied DMARC anyway")
    if others and not aligned:
        why += (f" (they passed for {', '.join(others)}: a third party sends as {from_domain}; have it "
                f"sign with d={from_domain}, or send through the relay)")
    if declared is not None and declared.dmarc is not None:
        notes.append(f"the spec declares p={declared.dmarc.policy} pct={declared.dmarc.pct} for "
                     f"{declared.name}, so receivers act on such mail (action={verdict.action or '?'})")
    return [Finding("fail", "DMARC", "; ".join([f"DMARC failed for {from_domain}: {why}", *notes]),
                    "dmarc-fail")]


def _aligned(verdict: AuthVerdict, from_domain: str) -> bool:
    """Relaxed alignment: the authenticated domain and the From domain share the organisational part."""
    domain = (verdict.properties.get("smtp.mailfrom") or verdict.properties.get("header.d") or "").lower()
    domain = domain.rpartition("@")[2]
    return bool(domain) and (domain == from_domain or domain.endswith("." + from_domain)
                             or from_domain.endswith("." + domain))


def _compauth(verdict: AuthVerdict) -> list[Finding]:
    from o365relay.smtp.explain import explain

    reason = verdict.reason or ""
    if verdict.result == "pass":
        return [Finding("pass", "compauth", f"composite authentication passed (reason {reason})")]
    if verdict.result in ("softpass", "none"):
        return [Finding("info", "compauth", f"composite authentication {verdict.result} (reason {reason})")]
    entry = explain(f"compauth={verdict.result} reason={reason}").explanation
    title = entry.title if entry else "composite authentication failed"
    return [Finding("fail", "compauth", f"compauth=fail reason={reason}: {title}", entry.key if entry else None)]


def _spam(headers: MessageHeaders) -> list[Finding]:
    sfv = headers.antispam.get("SFV", "")
    scl = headers.scl if headers.scl is not None else _int(headers.antispam.get("SCL"))
    verdict = _SFV.get(sfv, f"SFV:{sfv}" if sfv else "")
    details = ", ".join(x for x in (verdict, _category(headers.antispam.get("CAT", ""))) if x)
    if scl is not None and scl >= 5 or sfv in ("SPM", "BLK", "SKS", "SKB"):
        return [Finding("fail", "spam", f"marked as spam: SCL {scl}" + (f" ({details})" if details else "") +
                        "; it went to Junk Email or quarantine", "spam-verdict")]
    if scl == -1:
        return [Finding("warn", "spam", "SCL -1: spam filtering was bypassed (a mail flow rule or allow "
                        "list), so this verdict says nothing about the message")]
    if headers.antispam.get("IPV") == "CAL":
        return [Finding("info", "spam", "the connecting IP is on the connection filter allow list (IPV:CAL)")]
    return [Finding("pass", "spam", f"not spam: SCL {scl}" + (f" ({details})" if details else ""))] \
        if scl is not None else []


def _category(cat: str) -> str:
    words = {"SPOOF": "spoofing", "PHSH": "phishing", "HPHSH": "high-confidence phishing",
             "SPM": "spam", "HSPM": "high-confidence spam", "BULK": "bulk mail", "MALW": "malware",
             "DIMP": "domain impersonation", "UIMP": "user impersonation", "GIMP": "mailbox intelligence"}
    return f"category {words[cat]}" if cat in words else ""


def _int(text: str | None) -> int | None:
    try:
        return int(text) if text else None
    except ValueError:
        return None


def _arc(headers: MessageHeaders) -> list[Finding]:
    broken = [s for s in headers.arc if s.chain == "fail"]
    return [Finding("warn", "ARC", f"the ARC chain is broken at instance {s.instance} (cv=fail, "
                    f"sealed by {s.signer})") for s in broken]


def _hops(headers: MessageHeaders) -> list[Finding]:
    findings = []
    for before, hop in zip(headers.hops, headers.hops[1:], strict=False):
        if hop.delay is not None and hop.delay > SLOW_HOP:
            findings.append(Finding("warn", "hops", f"{_minutes(hop.delay)} passed between {before.by_host} "
                                    f"and {hop.by_host} (Received line {hop.line}): a queue or retry delay"))
        elif hop.delay is not None and hop.delay < -SLOW_HOP:
            findings.append(Finding("info", "hops", f"{hop.by_host}'s clock is {_minutes(-hop.delay)} behind "
                                    f"{before.by_host}'s"))
    return findings


def _minutes(delta: timedelta) -> str:
    return f"{delta.total_seconds() / 60:.1f} minutes"
