"""The audit as JSON with stable, documented fields (docs/audit-json.md), drawn from the report model:
items in the same order as the other formats, each with its normalised fields (desired, actual) and
the tenant's raw record in full. Bump SCHEMA_VERSION on any change that is not purely additive."""

from __future__ import annotations

import json
from typing import Any

from o365relay import __version__
from o365relay.audit.model import STATUSES, AuditResult
from o365relay.reports.audit_view import audit_view, compared

SCHEMA_VERSION = 1


def to_json_document(result: AuditResult) -> dict[str, Any]:
    view = audit_view(result)
    return {
        "schemaVersion": SCHEMA_VERSION,
        "tool": {"name": "relayctl", "version": __version__},
        "tenantId": result.tenant_id,
        "spec": {"source": result.spec_source, "revision": result.spec_revision or None},
        "startedAt": result.started_at,
        "finishedAt": result.finished_at,
        "verdict": result.verdict,
        "verdictText": view.verdict,
        "exitCode": result.exit_code,
        "summary": {status: result.count(status) for status in STATUSES},
        "scope": result.scope.to_dict(),
        "items": [{**r.item.to_dict(), "kindLabel": r.kind, "fields": [f.to_dict() for f in compared(r.item)]}
                  for r in view.rows],
    }


def render_json(result: AuditResult) -> str:
    return json.dumps(to_json_document(result), indent=2, sort_keys=True, default=str) + "\n"
