"""The sandbox's SMTP endpoints (aiosmtpd), started by the runner's hook :func:`start`.

- **Client submission** (like ``smtp.office365.com:587``): STARTTLS with the sandbox's certificate
  (TLS 1.2 or later only); AUTH is advertised and accepted only after STARTTLS (before it, ``504
  5.7.4``), mechanisms ``LOGIN`` and ``XOAUTH2``; mail needs AUTH (``530 5.7.57``). Decisions:
  :mod:`smtp_policy`.
- **MX** (like ``<domain>.mail.protection.outlook.com:25``): anonymous, STARTTLS optional, connector
  relay or direct send. **Sandbox-only:** it accepts Postfix's ``XCLIENT ADDR=<ipv4>`` from loopback
  peers (advertised in EHLO to them only) so a test or a person can say which public IP the device
  sends from; the reply is a fresh ``220`` greeting and the client must EHLO again, as with Postfix.

Every message accepted or refused at RCPT/DATA becomes message-trace rows (:mod:`trace`). Recipients
refused at RCPT are recorded when the transaction ends (DATA, RSET, a new MAIL, QUIT or disconnect),
with the message's Message-ID when DATA came, else one the sandbox stamps. Failed AUTH creates no
message and so no trace, as on the real service.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import collections
import ipaddress
import socket
import ssl
import threading
from email.parser import BytesParser
from email.policy import default as default_policy
from email.utils import getaddresses
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
    domain_of,
    route_recipient,
)

if TYPE_CHECKING:
    from o365relay.sandbox.app import SandboxContext

IDENT = "Microsoft ESMTP MAIL Service ready"
MAX_MESSAGE_SIZE = 37_748_736  # 36 MB, Exchange Online's default
_START_TIMEOUT = 10.0
AUTH_LINE_LIMIT = 16_384  # an XOAUTH2 initial response carries a whole JWT


def server_tls_context(ctx: SandboxContext) -> ssl.SSLContext:
    """The STARTTLS context: the sandbox's server certificate, TLS 1.2 minimum."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(str(ctx.pki.server_cert_file), str(ctx.pki.server_key_file))
    return context


def _is_loopback(peer: Any) -> bool:
    try:
        return ipaddress.ip_address(peer[0]).is_loopback
    except (TypeError, ValueError, IndexError):
        return False


class _QuietSession(Session):
    """aiosmtpd logs a deprecation warning whenever AUTH sets ``login_data``; the sandbox never reads it."""

    @property
    def login_data(self) -> Any:
        return self._login_data

    @login_data.setter
    def login_data(self, value: Any) -> None:
        self._login_data = value


class _SandboxSMTP(SMTP):
    """aiosmtpd with Exchange's replies for AUTH-before-TLS and mail-without-AUTH."""

    line_length_limit = AUTH_LINE_LIMIT

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        # aiosmtpd keeps these limits in a class-level dict shared by every connection: own one.
        self.command_size_limits = collections.defaultdict(
            lambda: SMTP.command_size_limit, {"AUTH": AUTH_LINE_LIMIT}
        )

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


class _MxSMTP(SMTP):
    """aiosmtpd plus XCLIENT (loopback peers only) and trace flushing on disconnect."""

    async def smtp_XCLIENT(self, arg: str) -> None:
        assert self.session is not None and self.envelope is not None
        if not _is_loopback(self.session.peer):
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


# -- client submission ----------------------------------------------------------------------------


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
                part.partition("=")[::2]
                for part in base64.b64decode(raw, validate=True).decode().split("\x01")
                if part
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
        message = _MessageFacts(envelope, principal.mailbox_address)
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
        outcomes = [
            trace.Outcome(r, trace.DELIVERED, "The message was delivered.") for r in envelope.rcpt_tos
        ]
        message.record(self.ctx, session, outcomes, submitter=principal.mailbox_address)
        return replies.queued(message.message_id)


# -- MX: connector relay and direct send ----------------------------------------------------------


class MxHandler:
    """Handler of the MX endpoint; refusals wait in ``session.pending`` until the transaction ends."""

    def __init__(self, ctx: SandboxContext):
        self.ctx = ctx

    async def handle_EHLO(
        self, server: SMTP, session: Session, envelope: Envelope, hostname: str, responses: list[str]
    ) -> list[str]:
        session.host_name = hostname
        lines = [r for r in responses if not r.startswith("250-AUTH")]
        if _is_loopback(session.peer):
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
                _client_ip(session),
                envelope.mail_from or "",
                address,
                tls=session.ssl is not None,
            )
        except Refused as refusal:
            _pending(session).append(
                (envelope.mail_from or "", trace.Outcome(address, trace.FAILED, refusal.reply))
            )
            return refusal.reply
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(options)
        return replies.RECIPIENT_OK

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        message = _MessageFacts(envelope, envelope.mail_from or "")
        refused = [outcome for _, outcome in _pending(session)]
        _pending(session).clear()
        delivered = [
            trace.Outcome(r, trace.DELIVERED, "The message was delivered.") for r in envelope.rcpt_tos
        ]
        message.record(self.ctx, session, delivered + refused, submitter=None)
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
        message_id = trace.new_message_id(domain_of(sender) or "sandbox.local")
        trace.record(
            self.ctx.store,
            sender=sender,
            outcomes=[o for _, o in pending],
            message_id=message_id,
            subject="",
            size=0,
            from_ip=_client_ip(session),
            to_ip="",
            endpoint="mx",
        )
        pending.clear()


def _pending(session: Session) -> list[tuple[str, trace.Outcome]]:
    if not hasattr(session, "pending"):
        session.pending = []  # type: ignore[attr-defined]
    return session.pending  # type: ignore[attr-defined,no-any-return]


def _client_ip(session: Session) -> str:
    """The XCLIENT address when one was given, else the TCP peer's."""
    peer: Any = session.peer
    return str(getattr(session, "xclient_addr", None) or peer[0])


class _MessageFacts:
    """What the trace needs from a message: Message-ID (stamped if absent), senders, subject, size."""

    def __init__(self, envelope: Envelope, fallback_sender: str):
        raw = envelope.original_content or b""
        headers = BytesParser(policy=default_policy).parsebytes(raw, headersonly=True)
        self.sender = envelope.mail_from or fallback_sender
        self.message_id = str(headers.get("Message-ID") or "").strip() or trace.new_message_id(
            domain_of(self.sender) or "sandbox.local"
        )
        header_from = [
            addr for _, addr in getaddresses([str(h) for h in headers.get_all("From", [])]) if addr
        ]
        self.senders = list(dict.fromkeys([a for a in (envelope.mail_from, *header_from) if a]))
        self.subject = str(headers.get("Subject") or "")
        self.size = len(raw)

    def record(
        self, ctx: SandboxContext, session: Session, outcomes: list[trace.Outcome], submitter: str | None
    ) -> None:
        trace.record(
            ctx.store,
            sender=self.sender,
            outcomes=outcomes,
            message_id=self.message_id,
            subject=self.subject,
            size=self.size,
            from_ip=_client_ip(session),
            to_ip="",
            endpoint="submission" if submitter else "mx",
            submitter=submitter,
        )


# -- lifecycle ------------------------------------------------------------------------------------


class SmtpEndpoints:
    """Both endpoints on one event loop in a background thread. ``stop()`` is idempotent."""

    def __init__(self, ctx: SandboxContext, host: str, smtp_port: int, mx_port: int):
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="sandbox-smtp", daemon=True)
        self._thread.start()
        tls = server_tls_context(ctx)
        submission = SubmissionHandler(ctx)
        mx = MxHandler(ctx)

        def submission_protocol() -> SMTP:
            return _SandboxSMTP(
                submission,
                hostname=replies.HOST,
                ident=IDENT,
                tls_context=tls,
                require_starttls=False,
                auth_required=True,
                auth_require_tls=True,
                authenticator=submission.authenticator,
                auth_exclude_mechanism=["PLAIN"],
                data_size_limit=MAX_MESSAGE_SIZE,
                loop=self._loop,
            )

        def mx_protocol() -> SMTP:
            return _MxSMTP(
                mx,
                hostname=replies.HOST,
                ident=IDENT,
                tls_context=tls,
                require_starttls=False,
                auth_required=False,
                data_size_limit=MAX_MESSAGE_SIZE,
                loop=self._loop,
            )

        self._servers: list[asyncio.AbstractServer] = []
        try:
            self.smtp_port = self._serve(submission_protocol, host, smtp_port)
            self.mx_port = self._serve(mx_protocol, host, mx_port)
        except BaseException:
            self.stop()
            raise

    def _serve(self, factory: Any, host: str, port: int) -> int:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        server = asyncio.run_coroutine_threadsafe(
            self._loop.create_server(factory, sock=sock), self._loop
        ).result(_START_TIMEOUT)
        self._servers.append(server)
        return int(sock.getsockname()[1])

    def stop(self) -> None:
        if not self._loop.is_running():
            return

        async def close() -> None:
            for server in self._servers:
                server.close()
            for server in self._servers:
                await server.wait_closed()

        try:
            asyncio.run_coroutine_threadsafe(close(), self._loop).result(_START_TIMEOUT)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=_START_TIMEOUT)
            self._loop.close()


def start(
    ctx: SandboxContext, host: str = "127.0.0.1", smtp_port: int = 0, mx_port: int = 0
) -> SmtpEndpoints:
    """The runner's hook: serve client submission and MX on ``host``; ports 0 mean any free port."""
    return SmtpEndpoints(ctx, host, smtp_port, mx_port)
