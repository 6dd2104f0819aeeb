"""Which way the tenant took a test message in, from what message trace shows (not from the plan).

A message an inbound connector recognised carries ``S:InboundConnectorData=Name=<connector>`` in its
Receive event's data (getDetailsByRecipient). Without it, a message that came to the MX endpoint went
in as direct send, and one that came by client submission through SMTP AUTH. When a connector test
went in as direct send, the tenant's connector says why: missing, disabled, or not covering the IP or
the sender's domain that trace shows.
"""

from __future__ import annotations

import html
import ipaddress
import re
from dataclasses import dataclass
from typing import Any

from o365relay import exchange_values as xv
from o365relay.spec.model import Connector
from o365relay.tenant.settings import Endpoints
from o365relay.usage.analysis import TraceRow

CONNECTOR, DIRECT, SMTP_AUTH, UNKNOWN = "connector", "direct send", "SMTP AUTH", "unknown"
_NAMED = re.compile(r"InboundConnectorData=Name=([^;\"'<>]+)")


@dataclass(frozen=True)
class Route:
    """``kind`` is one of CONNECTOR, DIRECT, SMTP_AUTH, UNKNOWN (trace holds no Receive event)."""

    kind: str
    connector: str = ""

    def __str__(self) -> str:
        if self.kind == CONNECTOR:
            return f"through inbound connector {self.connector}"
        if self.kind == UNKNOWN:
            return "unknown (message trace shows no Receive event for it yet)"
        return self.kind


def route_of(events: list[Any], submitted: bool) -> Route:
    """The route the Receive events show; ``submitted`` says the message came by client submission."""
    received = [e for e in events if str(getattr(e, "event", "") or "").lower() == "receive"]
    if not received:
        return Route(UNKNOWN)
    for event in received:
        if named := _NAMED.search(html.unescape(str(getattr(event, "data", "") or ""))):
            return Route(CONNECTOR, named.group(1).strip())
    return Route(SMTP_AUTH if submitted else DIRECT)


async def read_route(endpoints: Endpoints, row: TraceRow, submitted: bool) -> Route:
    """The route of the message ``row`` traces, from its recipient's trace details."""
    from o365relay.tenant.graph import GraphClient

    async with GraphClient(endpoints) as graph:
        return route_of(await graph.message_trace_details(row.trace_id, row.recipient), submitted)


def why_missed(declared: Connector, tenant_rows: list[dict[str, Any]], from_ip: str, sender: str) -> str:
    """Why a message from ``from_ip`` with MAIL FROM ``sender`` missed the declared connector, given the
    tenant's inbound connectors (Get-InboundConnector rows, read through the kind's descriptor)."""
    from o365relay.kinds.inbound_connector import INBOUND_CONNECTOR as KIND

    name = declared.name
    row = next((r for r in tenant_rows if KIND.value(r, "name") == name.lower()), None)
    if row is None:
        return f"the tenant has no inbound connector {name} yet (apply the spec first)"
    if KIND.value(row, "enabled") is False:
        return f"connector {name} is disabled in the tenant"
    ranges = tuple(KIND.value(row, "sender_ips") or ())
    if from_ip and not _covers(ranges, from_ip):
        return (f"the message came from {from_ip}, which connector {name} in the tenant does not cover "
                f"({', '.join(ranges) or 'none'}): add {from_ip} to connectors.{name}.senderIPs (or send from "
                f"a listed address), then apply")
    domains = tuple(KIND.value(row, "sender_domains") or ("*",))
    domain = sender.rpartition("@")[2].lower()
    if not any(xv.sender_domain_covers(d, domain) for d in domains):
        return (f"connector {name} accepts sender domains {', '.join(domains)}, not {domain}: "
                f"send from one of them or add {domain} to the connector's sender domains")
    return f"connector {name} in the tenant covers {from_ip or 'this host'}; see the trace details for why"


def _covers(ranges: tuple[str, ...], address: str) -> bool:
    try:
        ip = ipaddress.IPv4Address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.IPv4Network(r, strict=False) for r in ranges)

