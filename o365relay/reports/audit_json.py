"""The audit as JSON with stable, documented fields (docs/audit-json.md). Bump SCHEMA_VERSION on any
change that is not purely additive."""

from __future__ import annotations

import json
from typing import Any

from o365relay import __version__
from o365relay.audit.model import KINDS, STATUSES, AuditResult

SCHEMA_VERSION = 1


def to_json_document(result: AuditResult) -> dict[str, Any]:
    kinds = list(KINDS)
    items = sorted(result.items, key=lambda i: (kinds.index(i.kind), i.name.lower(), i.status))
    return {
        "schemaVersion": SCHEMA_VERSION,
        "tool": {"name": "relayctl", "version": __version__},
        "tenantId": result.tenant_id,
        "spec": {"source": result.spec_source, "revision": result.spec_revision or None},
        "startedAt": result.started_at,
        "finishedAt": result.finished_at,
        "verdict": result.verdict,
        "exitCode": result.exit_code,
        "summary": {status: result.count(status) for status in STATUSES},
        "items": [item.to_dict() for item in items],
    }


def render_json(result: AuditResult) -> str:
    return json.dumps(to_json_document(result), indent=2, sort_keys=True, default=str) + "\n"
