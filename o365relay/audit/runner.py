"""Audit a tenant against a spec: plan the reads, read in bulk, compare."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

from o365relay.audit.compare import compare
from o365relay.audit.compare_send_as import declared_mailboxes
from o365relay.audit.model import AuditResult
from o365relay.audit.reader import Exchange, Graph, Progress, ReadPlan, read_every_mailbox, read_tenant
from o365relay.audit.scope import snapshot_scope
from o365relay.spec.model import RelaySpec


def plan_reads(spec: RelaySpec) -> ReadPlan:
    senders = sorted({a.mailbox.lower() for a in spec.service_accounts.values()})
    return ReadPlan(tuple(declared_mailboxes(spec)), tuple(senders))


def spec_revision(path: str | Path) -> str:
    """The spec file's git blob hash (what ``git hash-object`` prints), so a report names the exact
    revision audited whether or not the file is committed."""
    data = Path(path).read_bytes()
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


async def audit_with(spec: RelaySpec, exo: Exchange, graph: Graph, *, revision: str = "",
                     progress: Progress | None = None, every_mailbox: bool = False) -> AuditResult:
    """Audit with clients the caller made (tests, benches, the CLI)."""
    started = _now()
    snapshot = await read_tenant(exo, graph, plan_reads(spec), progress)
    if every_mailbox:
        await read_every_mailbox(exo, snapshot, progress)
    items = compare(spec, snapshot)
    return AuditResult(tuple(items), spec.tenant.id, spec.source, revision, started, _now(),
                       scope=snapshot_scope(spec, snapshot))


async def audit(spec: RelaySpec, endpoints: Any, *, revision: str = "",
                progress: Progress | None = None, every_mailbox: bool = False) -> AuditResult:
    """Audit the tenant at ``endpoints`` with credentials from the environment."""
    from o365relay.tenant.exchange import ExchangeClient
    from o365relay.tenant.graph import GraphClient

    async with ExchangeClient(endpoints) as exo, GraphClient(endpoints) as graph:
        return await audit_with(spec, exo, graph, revision=revision, progress=progress, every_mailbox=every_mailbox)
