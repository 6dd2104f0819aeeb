"""Least-privilege rules: send-as only to declared senders, FullAccess only on a sender's own mailbox.

The third least-privilege control, "no IP allow-listing in connection filtering" (CIS 2.1.12/2.1.13),
concerns ``HostedConnectionFilterPolicy``, which the spec deliberately cannot declare: relay devices
are recognised by connectors, never by allow-listing their IPs past spam filtering. It is evaluated
against the tenant by the audit through :func:`connection_filter_violations`.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator, Sequence

from o365relay.rules.base import LintOptions, Violation, rule
from o365relay.spec.model import RelaySpec

NO_IP_ALLOW_LIST_ID = "no-connection-filter-allow-list"
NO_IP_ALLOW_LIST_BASELINES = ("CIS 2.1.12", "CIS 2.1.13", "MS.SECURITYSUITE.8.1v1", "MS.SECURITYSUITE.8.2v1")


@rule(
    "send-as-declared-trustee",
    rationale="Send-as lets the trustee impersonate the mailbox; only a declared, reviewed service account "
    "may hold it.",
    baselines=(),
    severity="high",
    fix="Declare the trustee under serviceAccounts, or remove the sendAs entry.",
)
def send_as_declared_trustee(spec: RelaySpec, options: LintOptions) -> Iterator[Violation]:
    for i, grant in enumerate(spec.send_as):
        if grant.trustee not in spec.service_accounts:
            yield Violation(("sendAs", i, "trustee"), f"send-as on {grant.mailbox} is granted to "
                            f"{grant.trustee}, which is not a declared service account")


@rule(
    "full-access-own-mailbox",
    rationale="An application sender gets FullAccess on its own mailbox only; a mailbox shared by two "
    "senders gives each full access to mail that is not only its own.",
    baselines=(),
    severity="high",
    fix="Give each service account its own mailbox (serviceAccounts.<name>.mailbox); to send from a shared "
    "address, grant send-as on it (sendAs) instead.",
)
def full_access_own_mailbox(spec: RelaySpec, options: LintOptions) -> Iterator[Violation]:
    owner: dict[str, str] = {}
    for name, account in spec.service_accounts.items():
        mailbox = account.mailbox.lower()
        if mailbox in owner:
            yield Violation(("serviceAccounts", name, "mailbox"), f"service accounts {owner[mailbox]} and "
                            f"{name} share mailbox {account.mailbox}")
        else:
            owner[mailbox] = name


def connection_filter_violations(
    ip_allow_list: Sequence[str], enable_safe_list: bool, spec: RelaySpec
) -> list[str]:
    """Messages for the tenant's connection filter (``Get-HostedConnectionFilterPolicy``): every allow-list
    entry is one, naming the connector it duplicates when it overlaps a declared connector's senders."""
    messages = []
    senders = [(c.name, ipaddress.ip_network(ip, strict=False)) for c in spec.connectors.values()
               for ip in c.sender_ips]
    for entry in ip_allow_list:
        net = ipaddress.ip_network(entry, strict=False)
        overlaps = sorted({name for name, sender in senders if sender.version == net.version and
                           sender.overlaps(net)})  # type: ignore[arg-type]
        where = ""
        if overlaps:
            where = f" (senders of connector {', '.join(overlaps)}, which already recognises them)"
        messages.append(f"connection filter allow-lists {entry}, which skips spam filtering{where}")
    if enable_safe_list:
        messages.append("connection filter safe list is on (Microsoft's third-party allow list)")
    return messages
