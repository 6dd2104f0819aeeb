"""What both SMTP endpoints need from a session: the client's IP (XCLIENT or TCP peer) and the facts
message trace records about a message."""

from __future__ import annotations

import ipaddress
from email.parser import BytesParser
from email.policy import default as default_policy
from email.utils import getaddresses
from typing import TYPE_CHECKING, Any

from aiosmtpd.smtp import Envelope, Session

from o365relay.sandbox import trace
from o365relay.sandbox.smtp_policy import domain_of

if TYPE_CHECKING:
    from o365relay.sandbox.context import SandboxContext

IDENT = "Microsoft ESMTP MAIL Service ready"


def is_loopback(peer: Any) -> bool:
    try:
        return ipaddress.ip_address(peer[0]).is_loopback
    except (TypeError, ValueError, IndexError):
        return False


def client_ip(session: Session) -> str:
    """The XCLIENT address when one was given, else the TCP peer's."""
    peer: Any = session.peer
    return str(getattr(session, "xclient_addr", None) or peer[0])


class MessageFacts:
    """What the trace needs from a message: Message-ID (stamped if absent), senders, subject, size."""

    def __init__(self, envelope: Envelope, fallback_sender: str):
        raw = envelope.original_content or b""
        headers = BytesParser(policy=default_policy).parsebytes(raw, headersonly=True)
        self.sender = envelope.mail_from or fallback_sender
        self.message_id = str(headers.get("Message-ID") or "").strip() or trace.new_message_id(
            domain_of(self.sender) or "sandbox.local"
        )
        header_from = [addr for _, addr in getaddresses([str(h) for h in headers.get_all("From", [])]) if addr]
        self.senders = list(dict.fromkeys([a for a in (envelope.mail_from, *header_from) if a]))
        self.subject = str(headers.get("Subject") or "")
        self.size = len(raw)

    def record(
        self,
        ctx: SandboxContext,
        session: Session,
        outcomes: list[trace.Outcome],
        submitter: str | None,
        connector: tuple[str, str] | None = None,
    ) -> None:
        """Trace rows for the outcomes; ``connector`` is the (name, type) of the inbound connector that
        recognised the message."""
        trace.record(
            ctx.store,
            sender=self.sender,
            outcomes=outcomes,
            message_id=self.message_id,
            subject=self.subject,
            size=self.size,
            from_ip=client_ip(session),
            to_ip="",
            endpoint="submission" if submitter else "mx",
            submitter=submitter,
            connector=connector[0] if connector else None,
            connector_type=connector[1] if connector else "OnPremises",
        )
