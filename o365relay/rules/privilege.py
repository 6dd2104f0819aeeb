"""Least-privilege rules: send-as only to declared senders, FullAccess only on a sender's own mailbox, and
nothing skips spam filtering by source address.

The third control is the connection filter (``HostedConnectionFilterPolicy`` "Default", CIS
2.1.12/2.1.13): relay devices are recognised by connectors, never by allow-listing their IPs past spam
filtering. The rule judges what the spec declares under ``tenant.connectionFilter`` (an allow-list entry
or the safe list needs a waiver); the audit (``o365relay.audit.compare_connection_filter``) judges what
the tenant has, with the same messages from :func:`allow_entry_message` and :data:`SAFE_LIST_MESSAGE`.
"""

from __future__ import annotations

from collections.abc import Iterator

from o365relay import exchange_values as xv
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


SAFE_LIST_MESSAGE = ("connection filter safe list is on: mail from Microsoft's third-party list of sources "
                     "skips spam filtering")


def allow_entry_message(entry: str, spec: RelaySpec) -> str:
    """What an IP Allow List entry does, naming the connectors whose senders it duplicates."""
    try:
        covered = xv.ip_entry_networks(entry)
    except ValueError:
        covered = []  # not an address (a tenant value the audit reports as is): duplicates nothing
    overlaps = sorted({name for name, connector in spec.connectors.items() for ip in connector.sender_ips
                       if any(net.version == sender.version and net.overlaps(sender)  # type: ignore[arg-type]
                              for net in covered for sender in xv.ip_entry_networks(ip))})
    where = ""
    if overlaps:
        where = f"; it duplicates the senders of connector {', '.join(overlaps)}, which already recognises them"
    return f"connection filter allow-lists {entry}, whose mail skips spam filtering{where}"


@rule(
    NO_IP_ALLOW_LIST_ID,
    rationale="Mail from an address on the connection filter's IP Allow List, or from Microsoft's safe "
    "list, skips spam filtering and the SPF, DKIM and DMARC verdicts; a relay device is recognised by "
    "a connector instead.",
    baselines=NO_IP_ALLOW_LIST_BASELINES,
    severity="high",
    fix="Remove the entry from tenant.connectionFilter.ipAllowList (declare the device's public address "
    "in connectors.<name>.senderIPs) and set enableSafeList: false; or waive it with a reason and an "
    "expiry (target tenant.connectionFilter).",
)
def no_connection_filter_allow_list(spec: RelaySpec, options: LintOptions) -> Iterator[Violation]:
    policy = spec.tenant.connection_filter
    if policy is None:
        return
    for i, entry in enumerate(policy.ip_allow_list):
        yield Violation(("tenant", "connectionFilter", "ipAllowList", i), allow_entry_message(entry, spec))
    if policy.enable_safe_list:
        yield Violation(("tenant", "connectionFilter", "enableSafeList"), SAFE_LIST_MESSAGE)
