"""The client-submission endpoint (like smtp.office365.com:587): STARTTLS before AUTH, AUTH LOGIN and
AUTH XOAUTH2, then Send As and quota checks at end of DATA (:mod:`smtp_policy`)."""

from __future__ import annotations

import base64
import binascii
import collections
from typing import TYPE_CHECKING, Any

from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from o365relay.sandbox import smtp_replies as replies
from o365relay.sandbox import trace
from o365relay.sandbox.smtp_policy import (
    Principal,
    Refused,
    authenticate_basic,
    authenticate_oauth,
    check_quota,
    check_send_as,
)
from o365relay.sandbox.smtp_session import MessageFacts, client_ip

if TYPE_CHECKING:
    from o365relay.sandbox.context import SandboxContext

AUTH_LINE_LIMIT = 16_384  # an XOAUTH2 initial response carries a whole JWT


class _QuietSession(Session):
    """aiosmtpd logs a deprecation warning whenever AUTH sets ``login_data``; the sandbox never reads it."""

    @property
    def login_data(self) -> Any:
        return self._login_data

    @login_data.setter
    def login_data(self, value: Any) -> None:
        self._login_data = value


class SubmissionSMTP(SMTP):
    """aiosmtpd with Exchange's replies for AUTH-before-TLS and mail-without-AUTH."""

    line_length_limit = AUTH_LINE_LIMIT

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        # aiosmtpd keeps these limits in a class-level dict shared by every connection: own one.
        self.command_size_limits = collections.defaultdict(lambda: SMTP.command_size_limit, {"AUTH": AUTH_LINE_LIMIT})

    def _create_session(self) -> Session:
        return _QuietSession(self.loop)

    async def smtp_AUTH(self, arg: str) -> None:
        if not self._tls_protocol:
            await self.push(replies.AUTH_NEEDS_TLS)
            return
        await super().smtp_AUTH(arg)

    async def check_auth_needed(self, caller_method: str) -> bool:
        assert self.session is not None
        if self._auth_required and not self.session.authenticated:
            await self.push(replies.NOT_AUTHENTICATED)
            return True
        return False


class SubmissionHandler:
    """Handler of the client-submission endpoint (AUTH LOGIN via the authenticator, XOAUTH2 here)."""

    def __init__(self, ctx: SandboxContext):
        self.ctx = ctx

    def authenticator(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False, message=replies.AUTH_FAILED)
        try:
            principal = authenticate_basic(
                self.ctx.store,
                auth_data.login.decode(errors="replace"),
                auth_data.password.decode(errors="replace"),
                client_ip(session),
            )
        except Refused as refusal:
            return AuthResult(success=False, handled=False, message=refusal.reply)
        return AuthResult(success=True, auth_data=principal)

    async def auth_XOAUTH2(self, server: SMTP, args: list[str]) -> AuthResult:
        if len(args) > 1:
            raw = args[1].encode()
        else:
            challenge = await server.challenge_auth("", encode_to_b64=False)
            if not isinstance(challenge, bytes):
                return AuthResult(success=False, handled=True)
            raw = base64.b64encode(challenge)
        try:
            fields = dict(
                part.partition("=")[::2] for part in base64.b64decode(raw, validate=True).decode().split("\x01") if part
            )
            login, bearer = fields["user"], fields["auth"]
            scheme, _, token = bearer.partition(" ")
            if scheme.lower() != "bearer" or not token:
                raise KeyError("auth")
            principal = authenticate_oauth(self.ctx.store, self.ctx.tokens, login, token.strip())
        except (binascii.Error, UnicodeDecodeError, KeyError, ValueError):
            return AuthResult(success=False, handled=False, message=replies.AUTH_FAILED)
        except Refused as refusal:
            return AuthResult(success=False, handled=False, message=refusal.reply)
        return AuthResult(success=True, auth_data=principal)

    async def handle_MAIL(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return replies.SENDER_OK

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(options)
        return replies.RECIPIENT_OK

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        principal = session.auth_data
        assert isinstance(principal, Principal)  # auth_required: DATA only runs after AUTH
        message = MessageFacts(envelope, principal.mailbox_address)
        store = self.ctx.store
        try:
            check_send_as(store, principal, message.senders)
            check_quota(store, principal, len(envelope.rcpt_tos))
        except Refused as refusal:
            message.record(
                self.ctx,
                session,
                [trace.Outcome(r, trace.FAILED, refusal.reply) for r in envelope.rcpt_tos],
                submitter=principal.mailbox_address,
            )
            return refusal.reply
        outcomes = [trace.Outcome(r, trace.DELIVERED, "The message was delivered.") for r in envelope.rcpt_tos]
        message.record(self.ctx, session, outcomes, submitter=principal.mailbox_address)
        return replies.queued(message.message_id)
