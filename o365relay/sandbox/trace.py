"""The sandbox's message trace: every message the SMTP endpoints accept or refuse, one record per
recipient, readable through Graph's ``admin/exchange/tracing/messageTraces``.

A stored MESSAGE_TRACE document has a unique store ``id`` plus ``xMessageTraceId``, the id Graph shows:
it is shared by every recipient row of one message, as Exchange's MessageTraceId is (so a reader
must key rows by id *and* recipient). Other sandbox-only keys: ``xDetails`` (the
getDetailsByRecipient events), ``xSubmitter`` (the authenticated mailbox, for the submission quotas)
and ``xEndpoint`` ("submission" or "mx"). Rows are written with ``store.insert_many`` and the quotas
counted with ``store.count_matching`` (Store methods made for this module: a 10,000-recipient message
must not cost 10,000 sequence scans, nor every submission a decode of the whole trace).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import quoteattr

from o365relay.sandbox import store as st

DELIVERED = "delivered"
FAILED = "failed"
FILTERED_AS_SPAM = "filteredAsSpam"
_EVENTS = {DELIVERED: "Deliver", FILTERED_AS_SPAM: "Spam"}


@dataclass(frozen=True)
class Outcome:
    """What happened to one recipient: ``status`` (delivered|failed|filteredAsSpam) and the SMTP reply or
    event text."""

    recipient: str
    status: str
    detail: str


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_iso(text: str) -> dt.datetime:
    """ISO 8601 with Z or an offset, as Graph filters and the store carry it."""
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(dt.UTC)


def new_message_id(domain: str) -> str:
    """The Message-ID Exchange stamps on a message that arrived without one."""
    return f"<{uuid.uuid4().hex.upper()}@{domain}>"


def record(
    store: st.Store,
    *,
    sender: str,
    outcomes: list[Outcome],
    message_id: str,
    subject: str,
    size: int,
    from_ip: str,
    to_ip: str,
    endpoint: str,
    submitter: str | None = None,
    received: dt.datetime | None = None,
    connector: str | None = None,
    connector_type: str = "OnPremises",
) -> str:
    """Write one row per recipient; returns the message trace id they share. ``connector`` names the
    inbound connector that recognised the message, of ``connector_type`` (its Receive event says so)."""
    trace_id = str(uuid.uuid4())
    when = received or dt.datetime.now(dt.UTC)
    rows = []
    for outcome in outcomes:
        event = _EVENTS.get(outcome.status, "Fail")
        details = [
            {
                "id": str(uuid.uuid4()),
                "messageId": message_id,
                "dateTime": iso(when),
                "event": "Receive",
                "action": None,
                "description": f"Message received by: {endpoint} endpoint from {from_ip}",
                "data": receive_data(from_ip, connector, connector_type),
            },
            {
                "id": str(uuid.uuid4()),
                "messageId": message_id,
                "dateTime": iso(when),
                "event": event,
                "action": None,
                "description": outcome.detail,
                "data": None,
            },
        ]
        rows.append(
            {
                "xMessageTraceId": trace_id,
                "senderAddress": sender.lower(),
                "recipientAddress": outcome.recipient.lower(),
                "messageId": message_id,
                "receivedDateTime": iso(when),
                "subject": subject,
                "size": size,
                "fromIP": from_ip,
                "toIP": to_ip,
                "status": outcome.status,
                "xDetails": details,
                "xSubmitter": submitter,
                "xEndpoint": endpoint,
            }
        )
    store.insert_many(st.MESSAGE_TRACE, rows)
    return trace_id


def receive_data(from_ip: str, connector: str | None, connector_type: str = "OnPremises") -> str:
    """The Receive event's ``data`` in Exchange's ``<root><MEP .../></root>`` form. A message an inbound
    connector recognised carries ``S:InboundConnectorData=Name=<connector>`` in its CustomData, the entry
    that public scripts reading Get-MessageTraceDetail look for; the ClientIP entry is sandbox wording."""
    meps = [f"<MEP Name=\"ClientIP\" String={quoteattr(from_ip)} />"]
    if connector:
        blob = f"S:InboundConnectorData=Name={connector};ConnectorType={connector_type}"
        meps.append(f"<MEP Name=\"CustomData\" Blob={quoteattr(blob)} />")
    return "<root>" + "".join(meps) + "</root>"


def graph_view(doc: st.Doc) -> dict[str, Any]:
    """The exchangeMessageTrace Graph returns (``receivedDateTime`` to the second)."""
    received = parse_iso(doc["receivedDateTime"]).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "id": doc["xMessageTraceId"],
        "senderAddress": doc["senderAddress"],
        "recipientAddress": doc["recipientAddress"],
        "messageId": doc["messageId"],
        "receivedDateTime": received,
        "subject": doc["subject"],
        "size": doc["size"],
        "fromIP": doc["fromIP"],
        "toIP": doc["toIP"],
        "status": doc["status"],
    }


def in_window(store: st.Store, start: dt.datetime, end: dt.datetime) -> list[st.Doc]:
    """Rows received in [start, end], newest first."""
    rows = [d for d in store.list(st.MESSAGE_TRACE) if start <= parse_iso(d["receivedDateTime"]) <= end]
    return sorted(rows, key=lambda d: d["receivedDateTime"], reverse=True)


def details(store: st.Store, trace_id: str, recipient: str) -> list[st.Doc] | None:
    """getDetailsByRecipient events; None when no such message/recipient row exists."""
    row = store.find(st.MESSAGE_TRACE, xMessageTraceId=trace_id, recipientAddress=recipient)
    return None if row is None else list(row.get("xDetails", []))


def submitted(store: st.Store, submitter: str, now: dt.datetime) -> tuple[int, int]:
    """(messages in the last minute, recipients in the last day) a mailbox sent by client submission.

    Counted from the trace so the quotas survive a sandbox restart. Refused messages do not count.
    """
    mine = {"xEndpoint": "submission", "xSubmitter": submitter, "status": DELIVERED}
    messages = store.count_matching(st.MESSAGE_TRACE, distinct="xMessageTraceId",
                                    since=("receivedDateTime", iso(now - dt.timedelta(minutes=1))), **mine)
    recipients = store.count_matching(st.MESSAGE_TRACE,
                                      since=("receivedDateTime", iso(now - dt.timedelta(days=1))), **mine)
    return messages, recipients
