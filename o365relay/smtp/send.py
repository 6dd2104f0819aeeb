"""Send one test message the way a device would, and keep the server's replies.

One function per wire difference: client submission (587, STARTTLS required, AUTH XOAUTH2 or
LOGIN) and MX delivery (25, STARTTLS when offered; connector relay and direct send differ only in
where the device sends from). TLS is verified and at least 1.2 on every path.
"""

from __future__ import annotations

import smtplib
import ssl
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate

from o365relay.errors import UsageError
from o365relay.netfail import is_transport_failure, transport_error
from o365relay.smtp.explain import Diagnosis, explain
from o365relay.smtp.xoauth2 import xoauth2

TIMEOUT = 30.0


@dataclass
class SendResult:
    message_id: str
    accepted: bool
    reply: str  # the final reply line (or the local error)
    diagnosis: Diagnosis | None = None
    transcript: list[str] = field(default_factory=list)


def tls_context(ca_file: str | None = None) -> ssl.SSLContext:
    """Verified TLS, 1.2 or later (Exchange Online refuses older), optionally trusting an extra CA."""
    context = ssl.create_default_context(cafile=ca_file)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def new_message_id(domain: str) -> str:
    return f"<relayctl-test-{uuid.uuid4().hex}@{domain}>"


# The Generic Test for Unsolicited Bulk Email: spam filters, Exchange Online Protection's included, score a
# message carrying it as spam, so a test message shows whether spam filtering ran (or was skipped).
GTUBE = "XJS*C4JDBQADN1.NSBESWH5MPTV-*NH9E"


def build_message(from_addr: str, to_addr: str, message_id: str, method: str, spam_test: bool = False) -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Message-ID"] = from_addr, to_addr, message_id
    msg["Date"] = formatdate(usegmt=True)
    msg["Subject"] = f"relayctl test-send ({method})"
    body = f"Test message sent by relayctl test-send using {method}.\nMessage-ID: {message_id}\n"
    msg.set_content(body + (f"\n{GTUBE}\n" if spam_test else ""))
    return msg


def submit(host: str, port: int, msg: EmailMessage, login: str, *, token: str | None = None,
           password: Callable[[], str] | None = None, ca_file: str | None = None) -> SendResult:
    """Client submission: STARTTLS, then AUTH XOAUTH2 (token) or AUTH LOGIN (password)."""
    result = SendResult(str(msg["Message-ID"]), False, "")

    def run(client: smtplib.SMTP) -> None:
        client.ehlo()
        if not client.has_extn("starttls"):
            raise _Local("the server offered no STARTTLS extension")
        client.starttls(context=tls_context(ca_file))
        client.ehlo()
        if token is not None:
            code, reply = client.docmd("AUTH", "XOAUTH2 " + xoauth2(login, token))
            if code != 235:
                raise smtplib.SMTPAuthenticationError(code, reply)
        else:
            assert password is not None
            client.login(login, password())
        result.transcript.append("235 authenticated")
        client.send_message(msg)

    return _session(host, port, run, result)


def deliver(host: str, port: int, msg: EmailMessage, *, client_ip: str | None = None,
            ca_file: str | None = None, client_cert: tuple[str, str] | None = None) -> SendResult:
    """MX delivery (connector relay, direct send, a partner's server); STARTTLS when offered, presenting
    ``client_cert`` (certificate and key files) when given. ``client_ip`` uses the sandbox's XCLIENT to say
    which public IP the device sends from (loopback sandbox only)."""
    result = SendResult(str(msg["Message-ID"]), False, "")
    context = tls_context(ca_file)
    if client_cert:
        try:
            context.load_cert_chain(*client_cert)
        except (OSError, ssl.SSLError) as error:
            raise UsageError(f"cannot use the client certificate {client_cert[0]} with key {client_cert[1]}: "
                             f"{getattr(error, 'strerror', None) or error}") from None

    def run(client: smtplib.SMTP) -> None:
        client.ehlo()
        if client.has_extn("starttls"):
            client.starttls(context=context)
            client.ehlo()
        if client_ip:  # after STARTTLS, which starts a fresh session
            code, reply = client.docmd("XCLIENT", f"ADDR={client_ip}")
            if code != 220:
                raise smtplib.SMTPResponseException(code, reply)
            client.ehlo()
        client.send_message(msg)

    return _session(host, port, run, result)


class _Local(Exception):
    """A failure on our side of the wire, explained by its words (no SMTP code)."""


def _session(host: str, port: int, run: Callable[[smtplib.SMTP], None], result: SendResult) -> SendResult:
    try:
        with smtplib.SMTP(host, port, timeout=TIMEOUT) as client:
            run(client)
        result.accepted, result.reply = True, "250 queued"
    except smtplib.SMTPRecipientsRefused as error:
        code, text = next(iter(error.recipients.values()))
        result.reply = f"{code} {_text(text)}"
    except (smtplib.SMTPSenderRefused, smtplib.SMTPResponseException) as error:
        result.reply = f"{error.smtp_code} {_text(error.smtp_error)}"
    except (ssl.SSLError, ssl.CertificateError) as error:  # a TLS verdict the user acts on: explained
        result.reply = f"TLS failure: {error}"
    except (OSError, smtplib.SMTPException, _Local) as error:
        if is_transport_failure(error):
            raise transport_error(error, "the SMTP endpoint", f"{host}:{port}") from None
        result.reply = f"{type(error).__name__}: {error}"
    if not result.accepted:
        result.diagnosis = explain(result.reply)
    return result


def _text(value: bytes | str) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)
