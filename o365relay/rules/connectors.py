"""Relay connector rules: no open relay, TLS on every connector.

What counts as public address space is decided in one place, :mod:`o365relay.spec.addresses` (the
RFC 5737 documentation ranges are accepted there so examples and tests can use them).
"""

from __future__ import annotations

from collections.abc import Iterator

from o365relay.rules.base import LintOptions, Violation, rule
from o365relay.spec.addresses import sender_ip_problem
from o365relay.spec.model import Connector, RelaySpec, SpecPath


def open_relay_violations(connector: Connector, path: SpecPath) -> Iterator[Violation]:
    """The open-relay problems of one connector (shared with the policy pack's resource policy)."""
    if not connector.sender_ips and not connector.certificate_name:
        yield Violation(path, f"connector {connector.name} names neither senderIPs nor certificateName, "
                              "so it would trust any sender")
    for i, ip in enumerate(connector.sender_ips):
        problem = sender_ip_problem(ip)
        if problem:
            yield Violation((*path, "senderIPs", i), f"connector {connector.name}: {problem}")


def tls_violations(connector: Connector, path: SpecPath) -> Iterator[Violation]:
    if connector.require_tls:
        return
    if connector.certificate_name:
        yield Violation((*path, "requireTls"), f"connector {connector.name} names certificate "
                        f"{connector.certificate_name} but does not require TLS; the certificate is only "
                        "checked on a TLS session")
    else:
        yield Violation((*path, "requireTls"), f"connector {connector.name} accepts relay mail in plain text")


@rule(
    "no-open-relay",
    rationale="A connector must recognise its senders by a narrow public IPv4 range or a certificate, "
    "or anyone can relay through the tenant.",
    # No CIS Microsoft 365 Foundations item, ScubaGear control (github.com/cisagov/ScubaGear,
    # PowerShell/ScubaGear/baselines/exo.md) or Maester test covers a connector's sender scope;
    # connector hygiene appears there only as the connection filter's IP allow list (CIS 2.1.12).
    baselines=(),
    severity="critical",
    fix="List each device's public egress IP (or a /24-/32 range) in connectors.<name>.senderIPs, "
    "or set connectors.<name>.certificateName to the name on the device's TLS certificate.",
    waivable=False,
)
def no_open_relay(spec: RelaySpec, options: LintOptions) -> Iterator[Violation]:
    for name, connector in spec.connectors.items():
        yield from open_relay_violations(connector, ("connectors", name))


@rule(
    "connector-tls",
    rationale="Relay traffic crosses the internet; without TLS, mail and any certificate check are in clear.",
    baselines=(),
    severity="high",
    fix="Remove `requireTls: false` from connectors.<name> (TLS is the default) and configure the device "
    "to use STARTTLS on port 25.",
    waivable=False,
)
def connector_tls(spec: RelaySpec, options: LintOptions) -> Iterator[Violation]:
    for name, connector in spec.connectors.items():
        yield from tls_violations(connector, ("connectors", name))
