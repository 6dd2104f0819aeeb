"""Run every DNS check for every declared sending domain, plus DNSBL lookups of every sender IP."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import checkdmarc.utils

from o365relay.dnscheck.dkim import check_dkim
from o365relay.dnscheck.dmarc import check_dmarc
from o365relay.dnscheck.dnsbl import DEFAULT_ZONES, check_dnsbl
from o365relay.dnscheck.facts import TenantFacts
from o365relay.dnscheck.model import Check, DnsReport
from o365relay.dnscheck.mta_sts import PolicyHost, check_mta_sts
from o365relay.dnscheck.mx import check_mx
from o365relay.dnscheck.resolver import Dns
from o365relay.dnscheck.spf import check_spf
from o365relay.spec.model import Domain, RelaySpec


@dataclass(frozen=True)
class DnsInputs:
    dns: Dns
    facts: TenantFacts = field(default_factory=TenantFacts)
    dnsbl_zones: Sequence[str] = DEFAULT_ZONES
    policy_host: PolicyHost = field(default_factory=PolicyHost)


def run_checks(spec: RelaySpec, inputs: DnsInputs) -> DnsReport:
    # checkdmarc caches answers process-wide; this run must see what the chosen nameserver says now.
    checkdmarc.utils.DNS_CACHE.clear()
    checks: list[Check] = []
    for domain in spec.domains.values():
        found = [*check_spf(spec, domain, inputs.dns),
                 *check_dkim(domain, inputs.dns, inputs.facts.dkim_for(domain.name)),
                 *check_dmarc(domain, inputs.dns),
                 *check_mx(domain.name, inputs.dns, inputs.facts.mx_for(domain.name)),
                 *check_mta_sts(domain, inputs.dns, inputs.policy_host)]
        checks += [replace(c, message=f"{c.message}; {_why_missing(domain)}") if c.missing else c for c in found]
    sender_ips = [ip for connector in spec.connectors.values() for ip in connector.sender_ips]
    checks += asyncio.run(check_dnsbl(sender_ips, inputs.dnsbl_zones, inputs.dns))
    return DnsReport(tuple(checks), inputs.dns.describe())


def _why_missing(domain: Domain) -> str:
    """Who publishes a domain's records, for the finding that one is missing."""
    if domain.dns.backend == "none":
        return ("dns.backend none: the stack publishes nothing itself; publish its zoneFiles output "
                "(pulumi stack output zoneFiles; on the sandbox: relayctl sandbox publish)")
    return f"dns.backend {domain.dns.backend}: `pulumi up` publishes it; has the stack been applied?"
