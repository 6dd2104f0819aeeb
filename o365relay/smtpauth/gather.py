"""Read the evidence for a window from the tenant: Entra's SMTP AUTH sign-ins and message trace.

One list call per source through the tenant layer (``GraphClient.smtp_sign_ins``, paged; message trace in
10-day windows, :mod:`o365relay.usage.trace`). Sign-in logs through Graph need Microsoft Entra ID P1 or P2:
when Graph says the tenant lacks it, the evidence says so (``signInLog: unlicensed``) and rests on
message trace alone. Entra keeps sign-ins 30 days, message trace 90: the window is at most 30 days.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from o365relay.errors import LicenceRequired, UsageError
from o365relay.spec.model import Evidence, RelaySpec, SeenSender, SignInLog
from o365relay.usage.analysis import dedupe
from o365relay.usage.trace import read_traces

if TYPE_CHECKING:
    from o365relay.tenant.graph import GraphClient

MAX_WINDOW = timedelta(days=30)
Sighting = tuple[str, str, datetime, str]  # (address, event id, when, ip)


async def gather(graph: GraphClient, spec: RelaySpec, start: datetime, end: datetime) -> Evidence:
    if end - start > MAX_WINDOW:
        raise UsageError("Entra keeps sign-in logs 30 days: ask for a window of at most 30 days")
    log: SignInLog = "read"
    try:
        sign_ins = await graph.smtp_sign_ins(start, end)
    except LicenceRequired:
        log, sign_ins = "unlicensed", []
    basic = [(str(s.user_principal_name or "").lower(), str(s.id), s.created_date_time, str(s.ip_address or ""))
             for s in sign_ins if s.status is not None and s.status.error_code == 0 and s.created_date_time]
    domains = {d.lower() for d in spec.domains} | {spec.tenant.initial_domain.lower()}
    rows = [r for r in dedupe(await read_traces(graph, start, end)) if r.sender.rpartition("@")[2] in domains]
    sent = [(r.sender, r.trace_id, r.received, r.from_ip) for r in rows]
    return Evidence(spec.tenant.id, start, end, log, _seen(basic), _seen(sent))


def _seen(sightings: Iterable[Sighting]) -> tuple[SeenSender, ...]:
    """One SeenSender per address: distinct events, first and last time, the IPs."""
    grouped: dict[str, list[Sighting]] = defaultdict(list)
    for sighting in sightings:
        grouped[sighting[0]].append(sighting)
    return tuple(SeenSender(address, len({s[1] for s in mine}), min(s[2] for s in mine), max(s[2] for s in mine),
                            tuple(sorted({s[3] for s in mine if s[3]})))
                 for address, mine in sorted(grouped.items()))
