"""MTA-STS and TLS-RPT: the ``_mta-sts`` record, the policy file served over HTTPS, the MX it allows, and the
``_smtp._tls`` reporting record, against what the spec declares.

The policy is fetched the way a sending MTA does (RFC 8461 §3.3): HTTPS to ``mta-sts.<domain>``, the
certificate valid for that name, status 200, no redirect, ``text/plain``. The host's address is asked of
the same nameservers as every other check, so the whole check runs against one view of DNS.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field
from typing import Any

import httpx

from o365relay.dnscheck.model import Check
from o365relay.dnscheck.resolver import Dns
from o365relay.errors import TransientError
from o365relay.records import mta_sts_policy, mta_sts_value, tls_rpt_value
from o365relay.spec.model import Domain

POLICY_PATH = "/.well-known/mta-sts.txt"
MAX_POLICY_BYTES = 64 * 1024  # RFC 8461 §3.3: senders may refuse a larger policy


@dataclass(frozen=True)
class PolicyHost:
    """How the policy host is reached: HTTPS port (443 but for tests) and the TLS trust to use."""

    port: int = 443
    tls: ssl.SSLContext = field(default_factory=ssl.create_default_context)
    timeout: float = 5.0


def check_mta_sts(domain: Domain, dns: Dns, host: PolicyHost) -> list[Check]:
    checks: list[Check] = []
    if domain.mta_sts is not None:
        checks += _record(domain.name, f"_mta-sts.{domain.name}", "mta-sts", "v=stsv1", mta_sts_value(domain.mta_sts),
                          dns)
        checks.append(_policy(domain, dns, host))
    if domain.tls_rpt is not None:
        checks += _record(domain.name, f"_smtp._tls.{domain.name}", "tls-rpt", "v=tlsrptv1",
                          tls_rpt_value(domain.tls_rpt), dns)
    return checks


def _record(domain: str, name: str, kind: Any, tag: str, expected: str, dns: Dns) -> list[Check]:
    try:
        values = [v for v in dns.lookup(name, "TXT") if v.lower().replace(" ", "").startswith(tag + ";")
                  or v.lower().strip() == tag]
    except TransientError as error:
        return [Check(domain, kind, "unknown", str(error))]
    evidence = {"host": name, "published": values, "expected": expected}
    if not values:
        return [Check(domain, kind, "finding", f"no record at {name}", evidence, missing=True)]
    if len(values) > 1:
        return [Check(domain, kind, "finding", f"{len(values)} records at {name}: receivers ignore them all",
                      evidence)]
    if _fields(values[0]) != _fields(expected):
        return [Check(domain, kind, "finding", f"{name} is {values[0]!r}; the spec implies {expected!r}", evidence)]
    return [Check(domain, kind, "ok", f"{name} is as declared", evidence)]


def _fields(record: str) -> dict[str, str]:
    pairs = (part.partition("=") for part in record.split(";") if part.strip())
    return {key.strip().lower(): value.strip() for key, _, value in pairs}


def _policy(domain: Domain, dns: Dns, host: PolicyHost) -> Check:
    assert domain.mta_sts is not None
    name = f"mta-sts.{domain.name}"
    expected = mta_sts_policy(domain.mta_sts)
    evidence: dict[str, Any] = {"url": f"https://{name}{POLICY_PATH}", "expected": expected}
    try:
        addresses = dns.lookup(name, "A")
        mx_hosts = [r.split()[-1].rstrip(".").lower() for r in dns.lookup(domain.name, "MX")]
    except TransientError as error:
        return Check(domain.name, "mta-sts", "unknown", str(error), evidence)
    if not addresses:
        return Check(domain.name, "mta-sts", "finding", f"{name} has no address: the policy cannot be fetched",
                     evidence)
    try:
        text = _fetch(name, addresses[0], host)
    except _Refused as error:
        return Check(domain.name, "mta-sts", "finding", f"policy at {evidence['url']}: {error}", evidence)
    except (httpx.TransportError, ssl.SSLError, OSError) as error:
        reason = str(error) or type(error).__name__
        if isinstance(error, httpx.ConnectError) and "CERTIFICATE" in reason.upper():
            return Check(domain.name, "mta-sts", "finding", f"policy host {name}: {reason}", evidence)
        return Check(domain.name, "mta-sts", "unknown", f"policy host {name} unreachable: {reason}", evidence)
    evidence.update(published=text, mx=mx_hosts)
    problems = _policy_problems(parse_policy(text), parse_policy(expected), mx_hosts)
    if problems:
        return Check(domain.name, "mta-sts", "finding", "; ".join(problems), evidence)
    return Check(domain.name, "mta-sts", "ok", f"policy mode {domain.mta_sts.mode} served and covers every MX",
                 evidence)


class _Refused(Exception):
    """The host answered, but not with a policy a sender would accept."""


def _fetch(name: str, address: str, host: PolicyHost) -> str:
    url = f"https://{address}:{host.port}{POLICY_PATH}"
    with httpx.Client(verify=host.tls, timeout=host.timeout, follow_redirects=False) as client:
        response = client.get(url, headers={"Host": name}, extensions={"sni_hostname": name})
    if response.status_code != 200:
        raise _Refused(f"HTTP {response.status_code} (a sender needs 200, without redirects)")
    if response.headers.get("content-type", "").split(";")[0].strip().lower() != "text/plain":
        raise _Refused(f"Content-Type {response.headers.get('content-type')!r}; a sender needs text/plain")
    if len(response.content) > MAX_POLICY_BYTES:
        raise _Refused(f"{len(response.content)} bytes; senders may refuse more than {MAX_POLICY_BYTES}")
    return response.text


def parse_policy(text: str) -> dict[str, list[str]]:
    """The policy's fields (``mx`` may repeat), keys lower-case, as RFC 8461 §3.2 reads them."""
    fields: dict[str, list[str]] = {}
    for line in text.replace("\r\n", "\n").split("\n"):
        key, sep, value = line.partition(":")
        if sep:
            fields.setdefault(key.strip().lower(), []).append(value.strip())
    return fields


def mx_matches(host: str, pattern: str) -> bool:
    """RFC 8461 §4.1: a name matches itself; ``*.example.net`` matches exactly one more label."""
    host, pattern = host.lower().rstrip("."), pattern.lower().rstrip(".")
    if pattern.startswith("*."):
        label, _, rest = host.partition(".")
        return bool(label) and rest == pattern[2:]
    return host == pattern


def _policy_problems(found: dict[str, list[str]], wanted: dict[str, list[str]], mx_hosts: list[str]) -> list[str]:
    problems = [f"{key} is {', '.join(found.get(key, [])) or 'missing'}; the spec declares {', '.join(value)}"
                for key, value in wanted.items() if sorted(found.get(key, [])) != sorted(value)]
    patterns = found.get("mx", [])
    problems += [f"MX {mx} matches no mx pattern of the policy: senders in enforce mode would not deliver"
                 for mx in mx_hosts if not any(mx_matches(mx, p) for p in patterns)]
    if not mx_hosts:
        problems.append("the domain has no MX record to match the policy")
    return problems
