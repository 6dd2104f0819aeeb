"""DMARC: a record that parses (checkdmarc), its policy, and the report addresses the spec declares."""

from __future__ import annotations

from typing import Any

from checkdmarc.dmarc import DMARCError, DMARCRecordNotFound, parse_dmarc_record, query_dmarc_record

from o365relay.dnscheck.model import Check
from o365relay.dnscheck.resolver import Dns
from o365relay.errors import TransientError
from o365relay.spec.model import Domain


def check_dmarc(domain: Domain, dns: Dns) -> list[Check]:
    name = domain.name
    try:  # checkdmarc reports a failed lookup as "not found": probe first so a failure stays unknown
        dns.lookup(f"_dmarc.{name}", "TXT")
    except TransientError as error:
        return [Check(name, "dmarc", "unknown", str(error))]
    try:
        query = query_dmarc_record(name, nameservers=dns.nameservers, timeout=dns.timeout)
    except DMARCRecordNotFound as error:
        return [Check(name, "dmarc", "finding", f"no DMARC record: {error}", missing=True)]
    except DMARCError as error:
        return [Check(name, "dmarc", "finding", f"DMARC: {error}")]
    evidence: dict[str, Any] = {"record": query["record"], "location": query["location"]}
    try:
        parsed = parse_dmarc_record(query["record"], query["location"], nameservers=dns.nameservers,
                                    timeout=dns.timeout)
    except DMARCError as error:
        return [Check(name, "dmarc", "finding", f"invalid DMARC record: {error}", evidence)]
    tags = {key: tag["value"] for key, tag in parsed["tags"].items()}
    evidence.update(policy=tags.get("p"), pct=_pct(query["record"]), rua=_uris(tags.get("rua")),
                    ruf=_uris(tags.get("ruf")), warnings=list(query["warnings"]) + list(parsed["warnings"]))
    problems = _problems(domain, evidence)
    if not problems:
        return [Check(name, "dmarc", "ok", f"p={evidence['policy']}, pct={evidence['pct']}", evidence)]
    return [Check(name, "dmarc", "finding", problem, evidence) for problem in problems]


def _pct(record: str) -> int:
    """pct as published (checkdmarc drops the tag since RFC 9989 removed it; the spec still declares it)."""
    for part in record.split(";"):
        key, _, value = part.partition("=")
        if key.strip().lower() == "pct" and value.strip().isdigit():
            return int(value.strip())
    return 100


def _uris(value: Any) -> list[str]:
    return [item["scheme"] + ":" + item["address"] if isinstance(item, dict) else str(item) for item in value or ()]


def _problems(domain: Domain, found: dict[str, Any]) -> list[str]:
    problems = []
    if found["policy"] == "none":
        problems.append("p=none only monitors: mail that fails DMARC is still delivered")
    declared = domain.dmarc
    if declared is None:
        return problems
    if found["policy"] != declared.policy:
        problems.append(f"policy is p={found['policy']}; the spec declares p={declared.policy}")
    if found["pct"] != declared.pct:
        problems.append(f"pct is {found['pct']}; the spec declares {declared.pct}")
    for tag in ("rua", "ruf"):
        published = {uri.lower() for uri in found[tag]}
        for uri in getattr(declared, tag):
            if uri.lower() not in published:
                problems.append(f"{tag} {uri} is declared but not in the record")
    return problems

