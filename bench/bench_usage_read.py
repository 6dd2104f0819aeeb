"""How long one page of 1,000 message-trace rows takes to read: msgraph-sdk models vs plain JSON.

    .venv/bin/python bench/bench_usage_read.py
"""

from __future__ import annotations

import json
import time

from kiota_serialization_json.json_parse_node_factory import JsonParseNodeFactory
from msgraph.generated.models.exchange_message_trace_collection_response import (
    ExchangeMessageTraceCollectionResponse,
)

from o365relay.usage.trace import to_row

ROWS = [{"id": f"id{i}", "senderAddress": "erp@contoso.com", "recipientAddress": f"r{i}@fabrikam.example",
         "messageId": f"<m{i}@contoso.com>", "receivedDateTime": "2026-07-01T00:00:00Z", "subject": "s",
         "size": 1, "fromIP": "203.0.113.5", "toIP": "", "status": "delivered"} for i in range(1000)]
RAW = json.dumps({"value": ROWS}).encode()


def sdk() -> int:
    node = JsonParseNodeFactory().get_root_parse_node("application/json", RAW)
    return len(node.get_object_value(ExchangeMessageTraceCollectionResponse).value)


def plain() -> int:
    return len([to_row(item) for item in json.loads(RAW)["value"]])


if __name__ == "__main__":
    sdk()  # first call also pays msgraph's imports
    for name, fn in (("msgraph-sdk models", sdk), ("plain JSON + to_row", plain)):
        start = time.perf_counter()
        count = fn()
        print(f"{name:<22} {count} rows in {time.perf_counter() - start:7.3f} s")
