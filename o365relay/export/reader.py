"""Read what an export needs, in bulk. Any failed read fails the export (exit 3): a spec written from
a partial view would declare less than the tenant holds."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from o365relay.audit.common import mailbox_keys
from o365relay.audit.reader import Exchange, Graph, ReadPlan, read_per_mailbox, read_tenant
from o365relay.audit.snapshot import Read, Row, Snapshot
from o365relay.errors import TenantError


@dataclass
class TenantView:
    snapshot: Snapshot
    applications: dict[str, Row] = field(default_factory=dict)  # holder principalId -> application (+ "fics")


def _value(read: Read[Any]) -> Any:
    if not read.ok:
        raise TenantError(f"export needs {read.what}, which failed: {read.error}")
    return read.value


async def read_for_export(exo: Exchange, graph: Graph) -> TenantView:
    snap = await read_tenant(exo, graph, ReadPlan((), ()))
    for read in (snap.connectors, snap.outbound_connectors, snap.transport_config, snap.organization_config,
                 snap.exchange_service_principals, snap.dkim_configs, snap.cas_mailboxes, snap.domains,
                 snap.send_as_app_holders):
        _value(read)
    addresses = sorted({str(a) for row in snap.cas_mailboxes.value or []
                        for a in mailbox_keys(row)[:1] if a})
    send_as, full_access, apps = await asyncio.gather(
        read_per_mailbox(exo, "Get-RecipientPermission", {"AccessRights": "SendAs"}, addresses, snap.cas_mailboxes),
        read_per_mailbox(exo, "Get-MailboxPermission", {}, addresses, snap.cas_mailboxes),
        _applications(graph, snap.send_as_app_holders.value or []))
    for reads in (send_as, full_access):
        for read in reads.values():
            _value(read)
    snap.recipient_permissions, snap.mailbox_permissions = send_as, full_access
    return TenantView(snap, apps)


async def _applications(graph: Graph, holders: list[Row]) -> dict[str, Row]:
    """The application object (and its federated credentials) behind each SMTP.SendAsApp holder that
    belongs to this tenant; three batched rounds: service principals, applications, credentials."""
    ids = [str(h["principalId"]) for h in holders]
    principals = await graph.batch_get([f"/servicePrincipals/{i}?$select=id,appId,displayName" for i in ids])
    app_ids = {i: p["appId"] for i, p in zip(ids, principals, strict=True) if _ok(p, f"service principal {i}")}
    found = await graph.batch_get([f"/applications?$filter=appId eq '{a}'"
                                   "&$select=id,appId,displayName,passwordCredentials,keyCredentials"
                                   for a in app_ids.values()])
    apps = {i: page["value"][0] for i, page in zip(app_ids, found, strict=True)
            if _ok(page, f"application {app_ids[i]}") and page.get("value")}
    fics = await graph.batch_get([f"/applications/{a['id']}/federatedIdentityCredentials" for a in apps.values()])
    for app, page in zip(apps.values(), fics, strict=True):
        app["fics"] = page.get("value", []) if _ok(page, f"federated credentials of {app['id']}") else []
    return apps


def _ok(result: Any, what: str) -> bool:
    if isinstance(result, TenantError):
        raise TenantError(f"export needs {what}, which failed: {result}")
    return True
