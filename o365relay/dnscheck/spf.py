"""SPF: exactly one record, valid syntax, at most 10 lookups and 2 void lookups through nested
includes (counted by checkdmarc), the declared ``all`` and includes, and every connector IP authorised."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from checkdmarc.spf import SPFError, parse_spf_record

from o365relay.dnscheck.model import Check
from o365relay.dnscheck.resolver import Dns
from o365relay.errors import TransientError
from o365relay.spec.model import Domain, RelaySpec

MAX_LOOKUPS = 10
MAX_VOID_LOOKUPS = 2
_ALL_ACTION = {"-all": "fail", "~all": "softfail"}

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def check_spf(spec: RelaySpec, domain: Domain, dns: Dns) -> list[Check]:
    name = domain.name
    try:
        records = [t for t in dns.lookup(name, "TXT") if _is_spf(t)]
    except TransientError as error:
        return [Check(name, "spf", "unknown", str(error))]
    if len(records) != 1:
        message = "no SPF record" if not records else f"{len(records)} SPF records; exactly one is allowed"
        return [Check(name, "spf", "finding", message, {"records": records}, missing=not records)]
    record = records[0]
    try:
        parsed = parse_spf_record(record, name, ignore_too_many_lookups=True, nameservers=dns.nameservers,
                                  timeout=dns.timeout)
    except SPFError as error:
        return [Check(name, "spf", "finding", f"invalid SPF record: {error}", {"record": record})]
    evidence = {
        "record": record,
        "dnsLookups": parsed["dns_lookups"],
        "voidDnsLookups": parsed["void_dns_lookups"],
        "warnings": list(parsed["warnings"]),
    }
    problems = list(_problems(spec, domain, parsed))
    if not problems:
        return [Check(name, "spf", "ok", f"one SPF record, {parsed['dns_lookups']} DNS lookups", evidence)]
    return [Check(name, "spf", "finding", problem, evidence) for problem in problems]


def include_lookups(dns: Dns) -> Callable[[str], int]:
    """What an SPF include's own record spends in DNS lookups (its nested includes, a, mx, ...), for
    the lint rule; LookupError or TransientError when DNS cannot say."""
    def nested(include: str) -> int:
        records = [t for t in dns.lookup(include, "TXT") if _is_spf(t)]
        if len(records) != 1:
            raise LookupError(f"{include} publishes {len(records)} SPF records")
        try:
            parsed = parse_spf_record(records[0], include, ignore_too_many_lookups=True,
                                      nameservers=dns.nameservers, timeout=dns.timeout)
        except SPFError as error:
            raise LookupError(f"{include}: {error}") from None
        return int(parsed["dns_lookups"])
    return nested


def _is_spf(text: str) -> bool:
    lowered = text.strip().lower()
    return lowered == "v=spf1" or lowered.startswith("v=spf1 ")


def _problems(spec: RelaySpec, domain: Domain, parsed: dict[str, Any]) -> Iterator[str]:
    if parsed["dns_lookups"] > MAX_LOOKUPS:
        yield f"{parsed['dns_lookups']} DNS lookups through nested includes; at most {MAX_LOOKUPS} are allowed"
    if parsed["void_dns_lookups"] > MAX_VOID_LOOKUPS:
        yield f"{parsed['void_dns_lookups']} void DNS lookups; at most {MAX_VOID_LOOKUPS} are allowed"
    tree = parsed["parsed"]
    if tree["all"] != _ALL_ACTION[domain.spf.all]:
        yield f"the record ends in {tree['all']}; the spec declares {domain.spf.all}"
    top_includes = {m["value"].lower() for m in tree["mechanisms"] if m["mechanism"] == "include"}
    for include in domain.spf.include:
        if include.lower() not in top_includes:
            yield f"include:{include} is declared but not in the record"
    authorised = list(_pass_networks(tree))
    for connector in spec.connectors_sending_for(domain.name):
        for ip in connector.sender_ips:
            network = ipaddress.ip_network(ip, strict=False)
            if not any(_within(network, allowed) for allowed in authorised):
                yield f"connector {connector.name}: sender IP {ip} is not authorised by the SPF record"


def _within(network: IPNetwork, allowed: IPNetwork) -> bool:
    return network.version == allowed.version and network.subnet_of(allowed)  # type: ignore[arg-type]


def _pass_networks(tree: dict[str, Any] | None) -> Iterator[IPNetwork]:
    """Networks that yield ``pass`` (ip4/ip6/a, through includes and a redirect)."""
    if not tree:
        return
    for mechanism in tree["mechanisms"]:
        if mechanism["action"] != "pass":
            continue
        kind = mechanism["mechanism"]
        if kind in ("ip4", "ip6"):
            yield ipaddress.ip_network(mechanism["value"], strict=False)
        elif kind == "a":
            yield from _networks(mechanism.get("addresses", ()))
        elif kind == "include":
            yield from _pass_networks(mechanism.get("parsed"))
    redirect = tree.get("redirect")
    if redirect:
        yield from _pass_networks(redirect.get("parsed"))


def _networks(addresses: Iterable[str]) -> Iterator[IPNetwork]:
    for address in addresses:
        yield ipaddress.ip_network(address, strict=False)
