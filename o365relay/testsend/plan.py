"""Who sends, how, From and To: the declared sender and the options, checked against the spec."""

from __future__ import annotations

from dataclasses import dataclass

from o365relay.errors import UsageError
from o365relay.spec.model import Connector, PartnerConnector, RelaySpec

METHODS = ("oauth", "mailbox", "connector", "direct", "partner")
ANONYMOUS = ("connector", "direct", "partner")  # port 25 to the MX endpoint, no AUTH


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
    partner: PartnerConnector | None = None


def plan_send(spec: RelaySpec, sender: str, *, method: str | None = None, from_addr: str | None = None,
              to_addr: str | None = None) -> SendPlan:
    """The plan for ``sender`` (a service account or connector name); UsageError names what is wrong."""
    account = spec.service_accounts.get(sender)
    connector = spec.connectors.get(sender)
    partner = spec.partner_connectors.get(sender)
    if account is None and connector is None and partner is None:
        names = sorted([*spec.service_accounts, *spec.connectors, *spec.partner_connectors])
        raise UsageError(f"{sender!r} is neither a service account nor a connector of the spec; "
                         f"declared: {', '.join(names)}")
    default = ("oauth" if account.kind == "application" else "mailbox") if account else (
        "partner" if partner else "connector")
    chosen = method or default
    if chosen not in METHODS:
        raise UsageError(f"--method {chosen} is not one of {', '.join(METHODS)}")
    if chosen in ("oauth", "mailbox") and account is None:
        raise UsageError(f"--method {chosen} needs a service account; {sender!r} is a connector")
    if chosen == "partner" and partner is None:
        raise UsageError(f"--method partner needs a partner connector (type: partner); {sender!r} is not one")
    mailbox = account.mailbox if account else None
    sender_from = from_addr or mailbox or f"{'partner' if partner else 'relay'}-test@{_from_domain(spec, partner)}"
    # An authenticating sender's own mailbox exists once it signs in; on port 25 nothing proves that a
    # default recipient exists, so the runner confirms it in the tenant.
    anonymous = chosen in ANONYMOUS
    if to_addr:
        recipients: tuple[str, ...] = (to_addr,)
    elif not anonymous:
        recipients = (mailbox or sender_from,)
    else:
        candidates = [*([mailbox] if mailbox else []), *_scoped(declared_mailboxes(spec), partner)]
        recipients = tuple(dict.fromkeys(candidates))
    if not recipients:
        raise UsageError(f"the spec declares no mailbox to send to: give the recipient with --to for {sender!r}")
    return SendPlan(sender, chosen, mailbox or sender_from, sender_from, recipients,
                    connector if chosen == "connector" else None, confirm_recipient=anonymous and not to_addr,
                    partner=partner if chosen == "partner" else None)


def _from_domain(spec: RelaySpec, partner: PartnerConnector | None) -> str:
    """A domain to send from: a partner's first sender domain (``*.x`` as ``x``), else the first declared."""
    declared = next(iter(spec.domains), spec.tenant.initial_domain)
    for pattern in partner.sender_domains if partner else ():
        if pattern != "*":
            return pattern.removeprefix("*.")
    return declared


def _scoped(mailboxes: tuple[str, ...], partner: PartnerConnector | None) -> list[str]:
    """A partner scoped to some accepted domains takes mail to those only: default recipients in them."""
    if partner is None or not partner.accepted_domains:
        return list(mailboxes)
    return [m for m in mailboxes if m.rpartition("@")[2].lower() in partner.accepted_domains]


def declared_mailboxes(spec: RelaySpec) -> tuple[str, ...]:
    """Every mailbox the spec names, service accounts first: candidates for a recipient that exists
    (a relay's made-up From address would be refused with 5.4.1, which says nothing about the relay)."""
    found = [str(a.mailbox) for a in spec.service_accounts.values() if a.mailbox]
    found += [str(g.mailbox) for g in spec.send_as]
    return tuple(dict.fromkeys(found))
