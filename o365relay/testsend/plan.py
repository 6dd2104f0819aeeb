"""Who sends, how, From and To: the declared sender and the options, checked against the spec."""

from __future__ import annotations

from dataclasses import dataclass

from o365relay.errors import UsageError
from o365relay.spec.model import Connector, RelaySpec

METHODS = ("oauth", "mailbox", "connector", "direct")


@dataclass(frozen=True)
class SendPlan:
    """One test message: ``login`` authenticates (submission) or names the MX domain (port 25).
    ``recipients`` are the candidates for To, in order; with ``confirm_recipient`` the first one the
    tenant has is used (a default recipient must exist), otherwise the first."""

    sender: str
    method: str
    login: str
    from_addr: str
    recipients: tuple[str, ...]
    connector: Connector | None = None
    confirm_recipient: bool = False


def plan_send(spec: RelaySpec, sender: str, *, method: str | None = None, from_addr: str | None = None,
              to_addr: str | None = None) -> SendPlan:
    """The plan for ``sender`` (a service account or connector name); UsageError names what is wrong."""
    account = spec.service_accounts.get(sender)
    connector = spec.connectors.get(sender)
    if account is None and connector is None:
        names = sorted([*spec.service_accounts, *spec.connectors])
        raise UsageError(f"{sender!r} is neither a service account nor a connector of the spec; "
                         f"declared: {', '.join(names)}")
    default = ("oauth" if account.kind == "application" else "mailbox") if account else "connector"
    chosen = method or default
    if chosen not in METHODS:
        raise UsageError(f"--method {chosen} is not one of {', '.join(METHODS)}")
    if chosen in ("oauth", "mailbox") and account is None:
        raise UsageError(f"--method {chosen} needs a service account; {sender!r} is a connector")
    mailbox = account.mailbox if account else None
    sender_from = from_addr or mailbox or f"relay-test@{next(iter(spec.domains), spec.tenant.initial_domain)}"
    # An authenticating sender's own mailbox exists once it signs in; on port 25 nothing proves that a
    # default recipient exists, so the runner confirms it in the tenant.
    anonymous = chosen in ("connector", "direct")
    if to_addr:
        recipients: tuple[str, ...] = (to_addr,)
    elif not anonymous:
        recipients = (mailbox or sender_from,)
    else:
        recipients = tuple(dict.fromkeys([*([mailbox] if mailbox else []), *declared_mailboxes(spec)]))
    if not recipients:
        raise UsageError(f"the spec declares no mailbox to send to: give the recipient with --to for {sender!r}")
    return SendPlan(sender, chosen, mailbox or sender_from, sender_from, recipients,
                    connector if chosen == "connector" else None, confirm_recipient=anonymous and not to_addr)


def declared_mailboxes(spec: RelaySpec) -> tuple[str, ...]:
    """Every mailbox the spec names, service accounts first: candidates for a recipient that exists
    (a relay's made-up From address would be refused with 5.4.1, which says nothing about the relay)."""
    found = [str(a.mailbox) for a in spec.service_accounts.values() if a.mailbox]
    found += [str(g.mailbox) for g in spec.send_as]
    return tuple(dict.fromkeys(found))
