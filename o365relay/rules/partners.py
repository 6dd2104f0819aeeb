"""Partner connector rules: a SaaS sending as the tenant's domains must be pinned to its own source.

A Partner connector scopes sender domains (often the tenant's own, e.g. a ticketing platform sending as
support@contoso.com). Only its IP or certificate restriction ties those domains to the partner: without
either, any server on the internet can claim to be the partner, and once ``rejectDirectSend`` is on the
partner's own mail is refused too (Exchange counts only connectors that match on IP or certificate).
"""

from __future__ import annotations

from collections.abc import Iterator

from o365relay.rules.base import LintOptions, Violation, rule
from o365relay.spec.model import PartnerConnector, RelaySpec, SpecPath


def open_door_violations(connector: PartnerConnector, path: SpecPath) -> Iterator[Violation]:
    """A partner connector restricted to neither IPs nor a certificate (shared with the policy pack)."""
    if not connector.sender_ips and not connector.certificate_name:
        yield Violation(path, f"partner connector {connector.name} names neither senderIPs nor certificateName, "
                              f"so any server can send as {', '.join(connector.sender_domains)} through it")


def partner_tls_violations(connector: PartnerConnector, path: SpecPath) -> Iterator[Violation]:
    """A partner connector that takes mail in plain text (its certificate is checked only on TLS)."""
    if connector.require_tls:
        return
    said = f"names certificate {connector.certificate_name} but " if connector.certificate_name else ""
    yield Violation((*path, "requireTls"), f"partner connector {connector.name} {said}accepts mail in plain "
                                           "text; a certificate is only checked on a TLS session")


@rule(
    "partner-restricted",
    rationale="A partner connector must tie its sender domains to the partner's IPs or certificate, or it is "
    "an open door: anyone can send as those domains, and rejectDirectSend still refuses the partner.",
    baselines=(),  # no CIS/ScubaGear/Maester control covers partner connectors (CIS M365 Foundations, ScubaGear MS.EXO)
    severity="critical",
    fix="Set connectors.<name>.certificateName to the name on the partner's TLS certificate (preferred: it "
    "survives the partner's IP changes), or list the partner's published sending IPs in senderIPs.",
    waivable=False,
)
def partner_restricted(spec: RelaySpec, options: LintOptions) -> Iterator[Violation]:
    for name, connector in spec.partner_connectors.items():
        yield from open_door_violations(connector, ("connectors", name))


@rule(
    "partner-tls",
    rationale="A partner's mail crosses the internet; without TLS it is readable in transit and no "
    "certificate can identify the partner.",
    baselines=(),
    severity="high",
    fix="Remove `requireTls: false` from connectors.<name> (TLS is the default); every major SaaS platform "
    "sends with STARTTLS.",
)
def partner_tls(spec: RelaySpec, options: LintOptions) -> Iterator[Violation]:
    for name, connector in spec.partner_connectors.items():
        yield from partner_tls_violations(connector, ("connectors", name))
