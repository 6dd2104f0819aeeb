"""Write an exported spec: the canonical document (``to_document``), validated, as commented YAML."""

from __future__ import annotations

import datetime as dt

import yaml

from o365relay.export.builder import Export
from o365relay.spec.document import to_document
from o365relay.spec.loader import spec_from_document

SCHEMA_LINE = "# yaml-language-server: $schema=schemas/relay.v1.schema.json"


def render_yaml(export: Export, tenant_id: str) -> str:
    """The spec as YAML; raises SpecError if what was exported would not validate (a bug to report)."""
    document = to_document(export.spec)
    spec_from_document(document, source="<export>")
    today = dt.datetime.now(dt.UTC).date().isoformat()
    header = [SCHEMA_LINE, f"# Exported by `relayctl export` from tenant {tenant_id} on {today}."]
    header += [f"# note: {w}" for w in export.warnings]
    body = yaml.safe_dump(document, sort_keys=False, default_flow_style=False, allow_unicode=True, width=110)
    return "\n".join(header) + "\n" + body
