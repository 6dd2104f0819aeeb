"""Write an exported spec: the canonical document (``to_document``), validated, as commented YAML."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml

from o365relay.export.builder import Export
from o365relay.spec.document import to_document
from o365relay.spec.loader import spec_from_document
from o365relay.spec.schema import modeline


def render_yaml(export: Export, tenant_id: str, target: Path) -> str:
    """The spec as YAML for the file ``target`` (its schema line is relative to that file's folder);
    raises SpecError if what was exported would not validate (a bug to report)."""
    document = to_document(export.spec)
    spec_from_document(document, source="<export>")
    today = dt.datetime.now(dt.UTC).date().isoformat()
    header = [modeline(target), f"# Exported by `relayctl export` from tenant {tenant_id} on {today}."]
    header += [f"# note: {w}" for w in export.warnings]
    body = yaml.safe_dump(document, sort_keys=False, default_flow_style=False, allow_unicode=True, width=110)
    return "\n".join(header) + "\n" + body
