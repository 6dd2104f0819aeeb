"""Audit test helpers: seed paths, running an audit of relay.prod.yaml, finding items."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from o365relay.audit.model import AuditResult, Item
from o365relay.audit.runner import audit, spec_revision
from o365relay.audit.snapshot import Read, Snapshot
from o365relay.sandbox.runner import Sandbox
from o365relay.spec.loader import load_spec

ROOT = Path(__file__).resolve().parents[2]
SEEDS = Path(__file__).parent / "seeds"
PROD_SPEC = ROOT / "relay.prod.yaml"


def run_audit(sandbox: Sandbox, spec_path: Path = PROD_SPEC, every_mailbox: bool = False) -> AuditResult:
    spec = load_spec(spec_path)
    return asyncio.run(audit(spec, sandbox.endpoints(), revision=spec_revision(spec_path),
                             every_mailbox=every_mailbox))


def item(result: AuditResult, kind: str, name: str) -> Item:
    matches = [i for i in result.items if i.kind == kind and i.name == name]
    assert len(matches) == 1, f"{kind} {name}: {matches} in {[(i.kind, i.name) for i in result.items]}"
    return matches[0]


def statuses(result: AuditResult) -> dict[tuple[str, str], str]:
    return {(i.kind, i.name): i.status for i in result.items}


def snapshot(**reads: Any) -> Snapshot:
    """A tenant snapshot in which every read succeeded and found nothing, but the ``reads`` given."""
    empty: Read[list[Any]] = Read("x", [])
    base: dict[str, Any] = dict(connectors=empty, transport_config=Read("x", {}), organization_config=Read("x", {}),
                                exchange_service_principals=empty, dkim_configs=empty, cas_mailboxes=empty,
                                domains=empty, send_as_app_holders=empty)
    return Snapshot(**{**base, **reads})
