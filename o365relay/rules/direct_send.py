"""Direct-send rules.

``RejectDirectSend`` rejects anonymous mail from our accepted domains unless an inbound connector
matches it by sender IP or certificate. Once it is on, an on-premises device has exactly two ways in:
authenticate (a service account) or match a connector. The spec knows the devices through its
connectors and its Basic-auth (``kind: mailbox``) senders, so "a connector for every on-premises
device" is checked as:

- every declared connector is enabled: a disabled connector matches nothing, so its devices' mail is
  rejected;
- a Basic-auth sender has a connector to fall back to: Basic SMTP AUTH is off by default from the end
  of December 2026, and such a device (firmware without OAuth) can then only relay through a
  connector. With no enabled connector in the stack, its mail would have nowhere to go.

Devices that send by direct send today are not declared anywhere; the audit's message trace shows them.
"""

from __future__ import annotations

from collections.abc import Iterator

from o365relay.rules.base import LintOptions, Violation, rule
from o365relay.spec.model import RelaySpec


@rule(
    "reject-direct-send",
    rationale="Direct send lets anyone on the internet submit unauthenticated mail from our domains to our "
    "users; only connectors and authenticated senders should be able to.",
    baselines=("CIS 6.5.5", "MT.1062"),
    severity="medium",
    fix="Set `tenant.rejectDirectSend: true` (the default) and declare a connector for every device that "
    "sends without authenticating.",
)
def reject_direct_send(spec: RelaySpec, options: LintOptions) -> Iterator[Violation]:
    if not spec.tenant.reject_direct_send:
        yield Violation(("tenant", "rejectDirectSend"), "direct send is accepted: anonymous mail from "
                        "our domains reaches our users")


@rule(
    "direct-send-connector",
    rationale="With direct send rejected, a device that does not authenticate must match an enabled "
    "connector, or its mail is rejected.",
    baselines=("CIS 6.5.5", "MT.1062"),
    severity="medium",
    fix="Enable the connector (remove `enabled: false`), or declare a connector with the device's public "
    "egress IP in connectors.<name>.senderIPs.",
)
def direct_send_connector(spec: RelaySpec, options: LintOptions) -> Iterator[Violation]:
    if not spec.tenant.reject_direct_send:
        return
    for name, connector in spec.connectors.items():
        if not connector.enabled:
            yield Violation(("connectors", name, "enabled"), f"connector {name} is disabled while direct "
                            "send is rejected: mail from its devices will be rejected")
    if any(c.enabled for c in spec.connectors.values()):
        return
    for name, account in spec.service_accounts.items():
        if account.kind == "mailbox":
            yield Violation(("serviceAccounts", name), f"{name} sends with Basic SMTP AUTH and the stack "
                            "has no enabled connector: once Basic is off it has no way to send")
