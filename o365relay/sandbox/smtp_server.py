"""The sandbox's SMTP endpoints (aiosmtpd), started by the runner's hook :func:`start`.

- **Client submission** (like ``smtp.office365.com:587``): STARTTLS with the sandbox's certificate
  (TLS 1.2 or later only); AUTH is advertised and accepted only after STARTTLS (before it, ``504
  5.7.4``), mechanisms ``LOGIN`` and ``XOAUTH2``; mail needs AUTH (``530 5.7.57``). Decisions:
  :mod:`smtp_policy`.
- **MX** (like ``<domain>.mail.protection.outlook.com:25``): anonymous, STARTTLS optional, connector
  relay or direct send. **Sandbox-only:** it accepts Postfix's ``XCLIENT ADDR=<ipv4>`` from loopback
  peers (advertised in EHLO to them only) so a test or a person can say which public IP the device
  sends from; the reply is a fresh ``220`` greeting and the client must EHLO again, as with Postfix.

Modules: :mod:`smtp_submission` and :mod:`smtp_mx` (one endpoint each), :mod:`smtp_session` (what
both share), :mod:`smtp_policy` (Exchange's decisions), :mod:`smtp_replies` (the reply texts); this
one runs both servers on one event loop in a background thread.

Every message accepted or refused at RCPT/DATA becomes message-trace rows (:mod:`trace`). Recipients
refused at RCPT are recorded when the transaction ends (DATA, RSET, a new MAIL, QUIT or disconnect),
with the message's Message-ID when DATA came, else one the sandbox stamps. Failed AUTH creates no
message and so no trace, as on the real service.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import threading
from typing import TYPE_CHECKING, Any

from aiosmtpd.smtp import SMTP

from o365relay.sandbox import smtp_replies as replies
from o365relay.sandbox.smtp_mx import MxHandler, MxSMTP
from o365relay.sandbox.smtp_session import IDENT
from o365relay.sandbox.smtp_submission import SubmissionHandler, SubmissionSMTP

if TYPE_CHECKING:
    from o365relay.sandbox.context import SandboxContext

MAX_MESSAGE_SIZE = 37_748_736  # 36 MB, Exchange Online's default
_START_TIMEOUT = 10.0


def server_tls_context(ctx: SandboxContext) -> ssl.SSLContext:
    """The STARTTLS context: the sandbox's server certificate, TLS 1.2 minimum."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(str(ctx.pki.server_cert_file), str(ctx.pki.server_key_file))
    return context


def mx_tls_context(ctx: SandboxContext) -> ssl.SSLContext:
    """The MX endpoint's STARTTLS context: asks for a client certificate (optional) and verifies it against
    the sandbox CA, so a Partner connector's ``TlsSenderCertificateName`` can be matched."""
    context = server_tls_context(ctx)
    context.verify_mode = ssl.CERT_OPTIONAL
    context.load_verify_locations(cafile=str(ctx.pki.ca_file))
    return context


# -- lifecycle ------------------------------------------------------------------------------------


class SmtpEndpoints:
    """Both endpoints on one event loop in a background thread. ``stop()`` is idempotent."""

    def __init__(self, ctx: SandboxContext, host: str, smtp_port: int, mx_port: int):
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="sandbox-smtp", daemon=True)
        self._thread.start()
        tls, mx_tls = server_tls_context(ctx), mx_tls_context(ctx)
        submission = SubmissionHandler(ctx)
        mx = MxHandler(ctx)

        def submission_protocol() -> SMTP:
            return SubmissionSMTP(
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
            return MxSMTP(
                mx,
                hostname=replies.HOST,
                ident=IDENT,
                tls_context=mx_tls,
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
        server = asyncio.run_coroutine_threadsafe(self._loop.create_server(factory, sock=sock), self._loop).result(
            _START_TIMEOUT
        )
        self._servers.append(server)
        return int(sock.getsockname()[1])

    def stop(self) -> None:
        if not self._loop.is_running():
            return

        async def close() -> None:
            for server in self._servers:
                server.close()
            # Sessions still open (a client that never sent QUIT) end now, not when the loop dies.
            sessions = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in sessions:
                task.cancel()
            await asyncio.gather(*sessions, return_exceptions=True)
            for server in self._servers:
                await server.wait_closed()

        try:
            asyncio.run_coroutine_threadsafe(close(), self._loop).result(_START_TIMEOUT)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=_START_TIMEOUT)
            self._loop.close()


def start(ctx: SandboxContext, host: str = "127.0.0.1", smtp_port: int = 0, mx_port: int = 0) -> SmtpEndpoints:
    """The runner's hook: serve client submission and MX on ``host``; ports 0 mean any free port."""
    return SmtpEndpoints(ctx, host, smtp_port, mx_port)
