"""A SaaS platform seen sending as our domain counts as declared when a partner connector covers it, so it
does not hold back enforcing rejectDirectSend; the same platform without one does."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from o365relay.smtpauth.judge import judge
from o365relay.spec.loader import load_text
from o365relay.spec.model import Evidence, SeenSender

TENANT = "7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a"
SPEC = f"""version: 1
tenant:
  id: {TENANT}
  initialDomain: contoso.onmicrosoft.com
  rejectDirectSend: {{stage: observe}}
domains:
  contoso.com: {{}}
connectors:
  dc1-relay: {{senderIPs: [203.0.113.0/28]}}
"""
PARTNER = """  ticketing:
    type: partner
    senderDomains: [{domains}]
    senderIPs: [192.0.2.0/24]
"""


def verdict(connectors: str) -> list[tuple[str, str, str | None]]:
    spec = load_text(SPEC + connectors)
    seen = SeenSender("support@contoso.com", 40, datetime(2026, 11, 2), datetime(2026, 11, 29), ("192.0.2.25",))
    evidence = Evidence(TENANT, datetime(2026, 11, 1), datetime(2026, 11, 30), "read", senders=(seen,))
    return [(j.seen.address, j.category, j.declared_as) for j in judge(evidence, spec, date(2026, 11, 30)).direct_send]


def test_a_saas_sender_without_a_partner_connector_would_break() -> None:
    assert verdict("") == [("support@contoso.com", "undeclared", None)]


@pytest.mark.parametrize("domains", ["contoso.com", "'*.contoso.com', contoso.com", "'*'"])
def test_a_partner_connector_covering_its_ips_and_domain_declares_it(domains: str) -> None:
    assert verdict(PARTNER.format(domains=domains)) == [("support@contoso.com", "connector", "connector ticketing")]


def test_a_partner_connector_for_another_domain_does_not() -> None:
    assert verdict(PARTNER.format(domains="notify.contoso.com")) == [("support@contoso.com", "undeclared", None)]
