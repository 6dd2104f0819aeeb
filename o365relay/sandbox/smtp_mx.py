"""The MX endpoint (like <domain>.mail.protection.outlook.com:25): connector relay and direct send,
plus the sandbox-only XCLIENT command for loopback peers (see :mod:`smtp_server`)."""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING

from aiosmtpd.smtp import SMTP, Envelope, Session

from o365relay.sandbox import smtp_replies as replies
from o365relay.sandbox import trace
from o365relay.sandbox.smtp_partner import PartnerRefusal, attributing_partner, certificate_names
from o365relay.sandbox.smtp_policy import (
    Blocked,
    Refused,
    domain_of,
    matching_connector,
    route_recipient,
    spam_verdict,
)
from o365relay.sandbox.smtp_session import IDENT, MessageFacts, client_ip, is_loopback

if TYPE_CHECKING:
    from o365relay.sandbox.context import SandboxContext


class MxSMTP(SMTP):
    """aiosmtpd plus XCLIENT (loopback peers only) and trace flushing on disconnect."""

    async def smtp_XCLIENT(self, arg: str) -> None:
        assert self.session is not None and self.envelope is not None
        if not is_loopback(self.session.peer):
            await self.push(replies.XCLIENT_DENIED)
            return
        if self.envelope.mail_from:
            await self.push("503 5.5.1 Error: MAIL transaction in progress")
            return
        attrs = dict(part.partition("=")[::2] for part in (arg or "").split())
        value = attrs.get("ADDR")
        if value is not None and value.upper() != "[UNAVAILABLE]":
            try:
                ipaddress.IPv4Address(value)
            except ValueError:
                await self.push(replies.XCLIENT_BAD_ADDR.format(value=value))
                return
        handler: MxHandler = self.event_handler
        handler.flush(self.session)
        self.session.xclient_addr = None if value is None or value.startswith("[") else value  # type: ignore[attr-defined]
        self._set_rset_state()
        self.session.host_name = None
        self.session.extended_smtp = False
        await self.push(f"220 {self.hostname} {IDENT}")

    def connection_lost(self, error: Exception | None) -> None:
        if self.session is not None:
            self.event_handler.flush(self.session)
        super().connection_lost(error)


class MxHandler:
    """Handler of the MX endpoint; refusals wait in ``session.pending`` until the transaction ends."""

    def __init__(self, ctx: SandboxContext):
        self.ctx = ctx

    async def handle_EHLO(
        self, server: SMTP, session: Session, envelope: Envelope, hostname: str, responses: list[str]
    ) -> list[str]:
        session.host_name = hostname
        lines = [r for r in responses if not r.startswith("250-AUTH")]
        if is_loopback(session.peer):
            lines.insert(len(lines) - 1, "250-XCLIENT ADDR NAME")
        return lines

    async def handle_MAIL(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        self.flush(session)
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return replies.SENDER_OK

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        try:
            route_recipient(
                self.ctx.store,
                client_ip(session),
                envelope.mail_from or "",
                address,
                tls=session.ssl is not None,
                cert_names=_cert_names(session),
            )
        except Blocked as blocked:  # connection filtering: no message trace
            return blocked.reply
        except Refused as refusal:
            _pending(session).append((envelope.mail_from or "", trace.Outcome(address, trace.FAILED, refusal.reply)))
            return refusal.reply
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(options)
        return replies.RECIPIENT_OK

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        message = MessageFacts(envelope, envelope.mail_from or "")
        refused = [outcome for _, outcome in _pending(session)]
        _pending(session).clear()
        status, detail = spam_verdict(self.ctx.store, client_ip(session), envelope.original_content or b"")
        delivered = [trace.Outcome(r, status, detail) for r in envelope.rcpt_tos]
        first = (envelope.rcpt_tos or [o.recipient for o in refused] or [""])[0]
        message.record(self.ctx, session, delivered + refused, submitter=None,
                       connector=self._connector(session, message.sender, first))
        return replies.queued(message.message_id)

    async def handle_RSET(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.flush(session)
        return "250 2.0.0 Resetting"

    async def handle_QUIT(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.flush(session)
        return "221 2.0.0 Service closing transmission channel"

    def flush(self, session: Session) -> None:
        """Record the refused recipients of a transaction that ended without DATA."""
        pending = _pending(session)
        if not pending:
            return
        sender = pending[0][0]
        recognised = self._connector(session, sender, pending[0][1].recipient)
        message_id = trace.new_message_id(domain_of(sender) or "sandbox.local")
        trace.record(
            self.ctx.store,
            sender=sender,
            outcomes=[o for _, o in pending],
            message_id=message_id,
            subject="",
            size=0,
            from_ip=client_ip(session),
            to_ip="",
            endpoint="mx",
            connector=recognised[0] if recognised else None,
            connector_type=recognised[1] if recognised else "OnPremises",
        )
        pending.clear()

    def _connector(self, session: Session, sender: str, recipient: str) -> tuple[str, str] | None:
        """The inbound connector that recognised this sending IP and sender, relay or partner, and its type
        (trace names it)."""
        found = matching_connector(self.ctx.store, client_ip(session), sender)
        if found is None:
            try:
                found = attributing_partner(self.ctx.store, client_ip(session), sender, recipient,
                                            session.ssl is not None, _cert_names(session))
            except PartnerRefusal:
                return None
        return None if found is None else (str(found.get("Name", "")), str(found.get("ConnectorType", "")))


def _cert_names(session: Session) -> tuple[str, ...]:
    return certificate_names((session.ssl or {}).get("peercert"))


def _pending(session: Session) -> list[tuple[str, trace.Outcome]]:
    if not hasattr(session, "pending"):
        session.pending = []  # type: ignore[attr-defined]
    return session.pending  # type: ignore[attr-defined,no-any-return]
