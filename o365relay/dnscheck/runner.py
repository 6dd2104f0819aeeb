"""Run every DNS check for every declared sending domain, plus DNSBL lookups of every sender IP."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field

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
from o365relay.spec.model import RelaySpec


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
        checks += check_spf(spec, domain, inputs.dns)
        checks += check_dkim(domain, inputs.dns, inputs.facts.dkim_for(domain.name))
        checks += check_dmarc(domain, inputs.dns)
        checks += check_mx(domain.name, inputs.dns, inputs.facts.mx_for(domain.name))
        checks += check_mta_sts(domain, inputs.dns, inputs.policy_host)
    sender_ips = [ip for connector in spec.connectors.values() for ip in connector.sender_ips]
    checks += asyncio.run(check_dnsbl(sender_ips, inputs.dnsbl_zones, inputs.dns))
    return DnsReport(tuple(checks), inputs.dns.describe())
