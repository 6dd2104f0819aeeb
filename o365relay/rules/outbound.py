"""Outbound connector rules: mail leaving Exchange Online through a connector must check who receives it.

A connector that names recipient domains carries mail to partners; with ``EncryptionOnly`` (or
Exchange's opportunistic default) it accepts any certificate, so whoever can redirect the connection
(DNS, routing) reads the mail. A connector for ``*`` that delivers to smart hosts carries *all* mail
through them: without a validated certificate that is the whole organisation's mail at stake.
"""

from __future__ import annotations

from collections.abc import Iterator

from o365relay.rules.base import LintOptions, Violation, rule
from o365relay.spec.model import OutboundConnector, RelaySpec, SpecPath

VALIDATED_TLS = ("CertificateValidation", "DomainValidation")
ALL_MAIL = "*"


def _tls_path(connector: OutboundConnector, path: SpecPath) -> SpecPath:
    return (*path, "tls") if connector.tls else path


def _tls_said(connector: OutboundConnector) -> str:
    return f"tls {connector.tls}" if connector.tls else "no tls setting (opportunistic TLS)"


def routes_all_mail_via_smart_hosts(connector: OutboundConnector) -> bool:
    return ALL_MAIL in connector.recipient_domains and bool(connector.smart_hosts)


def unvalidated_smart_host_violations(connector: OutboundConnector, path: SpecPath) -> Iterator[Violation]:
    """A connector for all mail through smart hosts without a validated certificate (shared with the
    policy pack's resource policy)."""
    if routes_all_mail_via_smart_hosts(connector) and connector.tls not in VALIDATED_TLS:
        yield Violation(_tls_path(connector, path),
                        f"outbound connector {connector.name} sends all mail to {', '.join(connector.smart_hosts)} "
                        f"with {_tls_said(connector)}: the smart host's certificate is never checked")


def partner_tls_violations(connector: OutboundConnector, path: SpecPath) -> Iterator[Violation]:
    if not connector.recipient_domains or routes_all_mail_via_smart_hosts(connector):
        return  # scoped by a transport rule, or the stricter rule above speaks for it
    if connector.tls not in VALIDATED_TLS:
        yield Violation(_tls_path(connector, path),
                        f"outbound connector {connector.name} sends mail for "
                        f"{', '.join(connector.recipient_domains)} with {_tls_said(connector)}: any certificate "
                        "is accepted, so whoever can redirect the connection reads the mail")


@rule(
    "outbound-tls-validated",
    rationale="Mail routed to partners must reach a server whose certificate is validated, or a redirected "
    "connection exposes it.",
    baselines=(),
    severity="high",
    fix="Set connectors.<name>.tls to CertificateValidation, or DomainValidation with tlsDomain naming the "
    "partner's certificate; waive it only while the partner cannot present a trusted certificate.",
)
def outbound_tls_validated(spec: RelaySpec, options: LintOptions) -> Iterator[Violation]:
    for name, connector in spec.outbound_connectors.items():
        yield from partner_tls_violations(connector, ("connectors", name))


@rule(
    "no-unvalidated-smart-host-for-all",
    rationale="A connector that routes all mail through smart hosts must validate their certificate, or "
    "every message of the organisation can be intercepted.",
    baselines=(),
    severity="critical",
    fix="Set connectors.<name>.tls to CertificateValidation or DomainValidation (with tlsDomain) on the "
    "connector whose recipientDomains is '*', or narrow recipientDomains to the domains the smart host serves.",
    waivable=False,
)
def no_unvalidated_smart_host_for_all(spec: RelaySpec, options: LintOptions) -> Iterator[Violation]:
    for name, connector in spec.outbound_connectors.items():
        yield from unvalidated_smart_host_violations(connector, ("connectors", name))
