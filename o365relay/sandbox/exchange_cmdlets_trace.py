"""Get-MessageTraceV2 over the MESSAGE_TRACE records the SMTP endpoints write, from Microsoft's cmdlet
reference: https://learn.microsoft.com/powershell/module/exchangepowershell/get-messagetracev2.

Rules reproduced: no dates means the last 48 hours; at most 10 days per query and nothing older than
90 days; newest first; ResultSize 1000 by default, 5000 at most; truncation shows only as a warning
(no nextLink); Status in Exchange's capitalised form.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from o365relay.sandbox import store as st
from o365relay.sandbox.exchange_cmdlets import Call, Doc, cmdlet, invalid, result_size

_FILTERS = {
    "SenderAddress": "senderAddress",
    "RecipientAddress": "recipientAddress",
    "MessageId": "messageId",
    "MessageTraceId": "id",
    "FromIP": "fromIP",
    "ToIP": "toIP",
    "Status": "status",
}


def _when(value: Any, name: str) -> dt.datetime:
    try:
        parsed = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise invalid(f'"{value}" is not a valid date for {name}.') from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def exo_trace_row(record: Doc) -> Doc:
    """A MESSAGE_TRACE record in Get-MessageTraceV2's shape."""
    status = str(record.get("status", ""))
    return {
        "MessageTraceId": record["id"],
        "MessageId": record.get("messageId"),
        "Received": record.get("receivedDateTime"),
        "SenderAddress": record.get("senderAddress"),
        "RecipientAddress": record.get("recipientAddress"),
        "FromIP": record.get("fromIP"),
        "ToIP": record.get("toIP"),
        "Subject": record.get("subject"),
        "Status": status[:1].upper() + status[1:],
        "Size": record.get("size"),
    }


@cmdlet(
    "Get-MessageTraceV2",
    params=(
        "StartDate",
        "EndDate",
        "ResultSize",
        "StartingRecipientAddress",
        "SubjectFilterType",
        "Subject",
        *_FILTERS,
    ),
    reads=True,
)
def get_message_trace_v2(call: Call) -> list[Doc]:
    now = dt.datetime.now(dt.UTC)
    end = _when(call.get("EndDate"), "EndDate") if call.has("EndDate") else now
    start = (
        _when(call.get("StartDate"), "StartDate") if call.has("StartDate") else end - dt.timedelta(hours=48)
    )
    if end - start > dt.timedelta(days=10):
        raise invalid("The time range between StartDate and EndDate can't exceed 10 days.")
    if start < now - dt.timedelta(days=90):
        raise invalid("StartDate can't be older than 90 days.")
    size = int(call.get("ResultSize", 1000))
    if not 1 <= size <= 5000:
        raise invalid("ResultSize must be between 1 and 5000.")

    def keep(record: Doc) -> bool:
        received = _when(record["receivedDateTime"], "Received")
        if not start <= received <= end:
            return False
        for param, field in _FILTERS.items():
            if call.has(param) and str(record.get(field, "")).lower() != str(call.get(param)).lower():
                return False
        return (
            not call.has("Subject")
            or str(call.get("Subject")).lower() in str(record.get("subject", "")).lower()
        )

    records = sorted(
        call.store.list(st.MESSAGE_TRACE, where=keep),
        key=lambda r: (r["receivedDateTime"], r.get("recipientAddress", "")),
        reverse=True,
    )
    if call.has("StartingRecipientAddress"):
        after = str(call.get("StartingRecipientAddress")).lower()
        records = [
            r
            for r in records
            if r["receivedDateTime"] < end.isoformat() or str(r.get("recipientAddress", "")).lower() > after
        ]
    return result_size(call, [exo_trace_row(r) for r in records], default=size)
