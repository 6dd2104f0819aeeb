"""The DNS checks as audit rows (`relayctl audit --dns`); the rows themselves are tested end to end in
tests/dnscheck/test_audit_dns.py, against dnsmasq. Here: what the scope says with no nameserver given."""

from __future__ import annotations

from audit_helpers import PROD_SPEC

from o365relay.audit.dns_items import with_dns
from o365relay.audit.model import AuditResult, Scope
from o365relay.audit.scope import DNS_NOT_READ
from o365relay.dnscheck.model import DnsReport
from o365relay.spec.loader import load_spec


def test_scope_names_the_system_resolver_when_no_nameserver_was_given():
    result = AuditResult((), "contoso.onmicrosoft.com", "relay.prod.yaml", "", "", "",
                         scope=Scope(read=("Get-InboundConnector",), not_read=(DNS_NOT_READ,)))
    scope = with_dns(result, load_spec(PROD_SPEC), DnsReport(checks=())).scope
    assert scope == Scope(read=("Get-InboundConnector", "DNS: SPF, DKIM, DMARC and MX of 2 domains, DNSBL of the "
                                "connector IPs (via the system resolver)"))
