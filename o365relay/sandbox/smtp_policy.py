"""Exchange Online's mail-flow decisions, on the sandbox's state: who may authenticate, send as whom,
how much, and which anonymous port-25 mail is relayed, delivered or refused.

Pure functions over the store (no sockets), so :mod:`smtp_server` only wires them to SMTP commands.
A refusal is a :class:`Refused` carrying the exact reply (:mod:`smtp_replies`).

Client submission (smtp.office365.com:587):

- Basic (AUTH LOGIN): refused with 5.7.30 when the tenant's ``allowBasicAuthSmtp`` is false (stands
  for Microsoft's end-of-2026 retirement of Basic for SMTP AUTH; default true). Then the user's
  authentication policy (:mod:`auth_policies`: its own, else the org default) must allow basic SMTP,
  else 5.7.139 "basic authentication is disabled", refused before Entra sees the password (no
  sign-in log entry, whatever the password). Then the mailbox password must match, the user must
  have a mailbox, and SMTP AUTH must be on for it. Each
  attempt whose password Entra judged is logged as an ``Authenticated SMTP`` sign-in (:mod:`signins`).
- OAuth (AUTH XOAUTH2): an Exchange-audience token with the ``SMTP.SendAsApp`` role, for an app whose
  service principal is registered in Exchange (New-ServicePrincipal with the right *object id*), holding
  FullAccess on the mailbox named in ``user=``; SMTP AUTH must be on for the mailbox too.
- SMTP AUTH switch: the mailbox's tri-state ``SmtpClientAuthenticationDisabled`` wins when set; unset
  follows the org's ``Set-TransportConfig`` value. Disabled gives 5.7.139 naming Mailbox or Tenant.
- Send As: From must be one of the mailbox's addresses or a mailbox on which the authenticated
  principal holds SendAs; else 5.2.252.
- Quotas per mailbox: 30 messages a rolling minute (5.2.0 SubmissionQuotaExceeded), 10,000 recipients a
  rolling day (5.1.90), counted from the message trace so they survive a restart.

MX endpoint (<domain>.mail.protection.outlook.com:25):

- Connection filtering first (:mod:`connection_filter`): a sending IP on the Default policy's IP Block
  List (and not on its IP Allow List) is refused with 5.7.513, and Exchange keeps no trace of it.
- The sending IP matching an enabled OnPremises inbound connector's ``SenderIPAddresses`` (and the
  sender's domain its ``SenderDomains``) is connector relay: any recipient (STARTTLS first when the
  connector has ``RequireTls``).
- Otherwise Partner inbound connectors have their say (:mod:`smtp_partner`): one that scopes the
  sender's domain refuses mail that misses its TLS, IP or certificate terms (5.7.51), and mail that
  matches one on its source IP or certificate is attributed to it (not direct send).
- Otherwise direct send: recipients outside the tenant's accepted domains get 5.7.64; with
  ``RejectDirectSend`` on, mail from the tenant's own domains gets 5.7.68 unless a Partner connector
  attributes it.
- A recipient in an accepted domain with no such mailbox gets 5.4.1 (directory-based edge blocking).
- Accepted mail gets a spam verdict (:func:`spam_verdict`): the GTUBE test string scores it as spam
  (SCL 9, "filteredAsSpam" in trace) unless the IP Allow List lets its sending IP skip spam filtering.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass

from o365relay.sandbox import auth_policies, connection_filter, signins, trace
from o365relay.sandbox import smtp_replies as replies
from o365relay.sandbox import store as st
from o365relay.sandbox.smtp_partner import PartnerRefusal, attributing_partner, domain_matches, ip_in
from o365relay.sandbox.tokens import EXCHANGE_RESOURCE, TokenRejected, TokenService

SEND_AS_APP_ROLE = "SMTP.SendAsApp"
# The Generic Test for Unsolicited Bulk Email: any spam filter, Exchange Online Protection's included,
# scores a message carrying it as spam (how a test message shows what the IP Allow List skips).
GTUBE = b"XJS*C4JDBQADN1.NSBESWH5MPTV-*NH9E"
MESSAGES_PER_MINUTE = 30
RECIPIENTS_PER_DAY = 10_000


class Refused(Exception):
    """The endpoint refuses; ``reply`` is the SMTP reply line to send."""

    def __init__(self, reply: str):
        self.reply = reply
        super().__init__(reply)


class Blocked(Refused):
    """Refused by connection filtering's IP Block List: Exchange keeps no message trace of it."""


@dataclass(frozen=True)
class Principal:
    """Who authenticated: the mailbox used and the identity Send As grants are checked against."""

    mailbox_id: str
    mailbox_address: str
    trustee_id: str
    method: str  # "basic" | "oauth"


# -- authentication -------------------------------------------------------------------------------


def find_mailbox(store: st.Store, address: str) -> st.Doc | None:
    """The user whose UPN, mail or smtp proxy address is ``address`` (case-insensitive)."""
    wanted = address.strip().lower()
    for user in store.list(st.USER):
        if wanted in addresses_of(user):
            return user
    return None


def addresses_of(user: st.Doc) -> set[str]:
    found = {str(user.get("userPrincipalName", "")).lower(), str(user.get("mail") or "").lower()}
    for proxy in user.get("proxyAddresses", []):
        kind, _, value = str(proxy).partition(":")
        if kind.lower() == "smtp":
            found.add(value.lower())
    return found - {""}


def smtp_auth_scope(org: st.Doc, user: st.Doc) -> str | None:
    """None when SMTP AUTH is on for the mailbox, else "Mailbox" or "Tenant" (who switched it off)."""
    own = user.get("xSmtpClientAuthenticationDisabled")
    if own is True:
        return "Mailbox"
    if own is None and org.get("smtpClientAuthenticationDisabled", True):
        return "Tenant"
    return None


def authenticate_basic(store: st.Store, login: str, password: str, ip: str = "") -> Principal:
    """AUTH LOGIN; Entra's verdict on the password goes to the sign-in log (:mod:`signins`)."""
    org = store.organization()
    if not org.get("allowBasicAuthSmtp", True):
        raise Refused(replies.BASIC_REFUSED)
    user = find_mailbox(store, login)
    if user is not None and auth_policies.blocks_basic_smtp(store, user):
        raise Refused(replies.BASIC_AUTH_DISABLED)
    if (
        user is None
        or not user.get("accountEnabled", True)
        or not st.verify_secret(password, user.get("xPasswordHash"))
    ):
        signins.record_basic(store, login, user, ip, signins.NO_SUCH_USER if user is None else signins.BAD_PASSWORD)
        raise Refused(replies.AUTH_FAILED)
    signins.record_basic(store, login, user, ip)
    return _mailbox_principal(org, user, trustee_id=user["id"], method="basic")


def authenticate_oauth(store: st.Store, tokens: TokenService, login: str, access_token: str) -> Principal:
    try:
        claims = tokens.verify(f"Bearer {access_token}", EXCHANGE_RESOURCE)
    except TokenRejected:
        raise Refused(replies.AUTH_FAILED) from None
    if SEND_AS_APP_ROLE not in claims.get("roles", []):
        raise Refused(replies.AUTH_FAILED)
    exo_sp = store.find(st.EXO_SERVICE_PRINCIPAL, AppId=str(claims.get("appid", "")))
    if exo_sp is None or str(exo_sp.get("ObjectId", "")).lower() != str(claims.get("oid", "")).lower():
        raise Refused(replies.AUTH_FAILED)
    user = find_mailbox(store, login)
    if user is None:
        raise Refused(replies.AUTH_FAILED)
    full_access = [
        p
        for p in store.list(st.MAILBOX_PERMISSION, xMailboxId=user["id"], xUserId=exo_sp["id"])
        if "FullAccess" in p.get("AccessRights", []) and not p.get("Deny")
    ]
    if not full_access:
        raise Refused(replies.AUTH_FAILED)
    return _mailbox_principal(store.organization(), user, trustee_id=exo_sp["id"], method="oauth")


def _mailbox_principal(org: st.Doc, user: st.Doc, trustee_id: str, method: str) -> Principal:
    if not user.get("xHasMailbox") or not user.get("assignedLicenses"):
        raise Refused(replies.AUTH_FAILED)
    scope = smtp_auth_scope(org, user)
    if scope is not None:
        raise Refused(replies.smtp_auth_disabled(scope))
    return Principal(user["id"], str(user.get("mail") or user["userPrincipalName"]).lower(), trustee_id, method)


# -- submission checks ----------------------------------------------------------------------------


def check_send_as(store: st.Store, principal: Principal, senders: list[str]) -> None:
    """Every address in ``senders`` (envelope and header From) must be allowed for the principal."""
    own = store.get(st.USER, principal.mailbox_id)
    own_addresses = addresses_of(own) if own else {principal.mailbox_address}
    for sender in senders:
        if sender.lower() in own_addresses:
            continue
        target = find_mailbox(store, sender)
        granted = target is not None and any(
            "SendAs" in p.get("AccessRights", []) and p.get("AccessControlType", "Allow") == "Allow"
            for p in store.list(st.RECIPIENT_PERMISSION, xMailboxId=target["id"], xTrusteeId=principal.trustee_id)
        )
        if not granted:
            raise Refused(replies.SEND_AS_DENIED.format(mailbox=principal.mailbox_address, sender=sender))


def check_quota(store: st.Store, principal: Principal, recipients: int, now: dt.datetime | None = None) -> None:
    messages, sent = trace.submitted(store, principal.mailbox_address, now or dt.datetime.now(dt.UTC))
    if messages >= MESSAGES_PER_MINUTE:
        raise Refused(replies.SUBMISSION_QUOTA)
    if sent + recipients > RECIPIENTS_PER_DAY:
        raise Refused(replies.RECIPIENT_QUOTA)


# -- the MX endpoint ------------------------------------------------------------------------------


def accepted_domains(store: st.Store) -> set[str]:
    return {d["id"].lower() for d in store.list(st.DOMAIN) if d.get("isVerified", True)}


def domain_of(address: str) -> str:
    return address.rpartition("@")[2].lower()


def matching_connector(store: st.Store, ip: str, sender: str) -> st.Doc | None:
    """The enabled OnPremises inbound connector that recognises this sending IP and sender domain."""
    try:
        address = ipaddress.IPv4Address(ip)
    except ValueError:
        return None
    for connector in store.list(st.INBOUND_CONNECTOR):
        if not connector.get("Enabled", True) or connector.get("ConnectorType") != "OnPremises":
            continue
        if any(ip_in(address, entry) for entry in connector.get("SenderIPAddresses", [])) and any(
            domain_matches(domain_of(sender), entry) for entry in connector.get("SenderDomains", [])
        ):
            return connector
    return None


def route_recipient(
    store: st.Store, ip: str, sender: str, recipient: str, tls: bool, cert_names: tuple[str, ...] = ()
) -> str:
    """Decide one RCPT on the MX endpoint: the route ("connector", "partner" or "direct"), or Refused."""
    if connection_filter.verdict(store, ip) == "block":
        raise Blocked(replies.customer_block_list(ip, domain_of(recipient)))
    org = store.organization()
    domains = accepted_domains(store)
    connector = matching_connector(store, ip, sender)
    internal = domain_of(recipient) in domains
    if connector is not None:
        if connector.get("RequireTls") and not tls:
            raise Refused(replies.CONNECTOR_NEEDS_TLS)
        route = "connector"
    else:
        try:
            partner = attributing_partner(store, ip, sender, recipient, tls, cert_names)
        except PartnerRefusal as refusal:
            raise Refused(refusal.reply) from None
        if not internal:
            raise Refused(replies.TENANT_ATTRIBUTION)
        if partner is None and org.get("rejectDirectSend") and domain_of(sender) in domains:
            raise Refused(replies.DIRECT_SEND_DENIED)
        route = "direct" if partner is None else "partner"
    if internal and find_mailbox(store, recipient) is None:
        raise Refused(replies.RECIPIENT_UNKNOWN)
    return route


def spam_verdict(store: st.Store, ip: str, content: bytes) -> tuple[str, str]:
    """(trace status, event text) of accepted MX mail after spam filtering."""
    if connection_filter.verdict(store, ip) == "allow":
        return trace.DELIVERED, (f"Spam filtering skipped (SCL -1, IPV:CAL): {ip} is on the connection "
                                 "filter's IP Allow List. The message was delivered.")
    if GTUBE in content:
        return trace.FILTERED_AS_SPAM, "Spam filtering: SCL 9 (SFV:SPM, the GTUBE test string); quarantined."
    return trace.DELIVERED, "The message was delivered."
