"""Read what an export needs, in bulk. Any failed read fails the export (exit 3): a spec written from
a partial view would declare less than the tenant holds."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from o365relay.audit.reader import (
    Exchange,
    Graph,
    ReadPlan,
    every_address,
    read_applications,
    read_per_mailbox,
    read_tenant,
)
from o365relay.audit.snapshot import Read, Row, Snapshot
from o365relay.errors import TenantError
from o365relay.kinds.permissions import FULL_ACCESS
from o365relay.reports.progress import Tick


@dataclass
class TenantView:
    snapshot: Snapshot
    applications: dict[str, Row] = field(default_factory=dict)  # holder principalId -> application (+ "fics")


def _value(read: Read[Any]) -> Any:
    if not read.ok:
        raise TenantError(f"export needs {read.what}, which failed: {read.error}")
    return read.value


async def read_for_export(exo: Exchange, graph: Graph, progress: Tick | None = None) -> TenantView:
    """Everything an export declares; ``progress`` hears of each read done (and of how many more the
    mailboxes found add)."""
    tick = progress or Tick()
    snap = await read_tenant(exo, graph, ReadPlan((), ()), tick)
    for read in (snap.connectors, snap.outbound_connectors, snap.transport_config, snap.organization_config,
                 snap.exchange_service_principals, snap.dkim_configs, snap.cas_mailboxes, snap.domains,
                 snap.send_as_app_holders, snap.connection_filter, snap.auth_policies, snap.exchange_users,
                 snap.send_as_grants):
        _value(read)
    addresses = every_address(snap.cas_mailboxes)
    tick.expect(len(addresses))  # Send As came in the tenant-wide list; FullAccess has none: one read a mailbox
    full_access, apps = await asyncio.gather(
        read_per_mailbox(exo, FULL_ACCESS, addresses, snap.cas_mailboxes, tick),
        read_applications(graph, snap.send_as_app_holders.value or []))
    for read in full_access.values():
        _value(read)
    snap.mailbox_permissions = full_access
    return TenantView(snap, _value(apps))
