"""``tenant.evidence``: read the evidence file a spec names and put its content in the document.

The file is what ``relayctl smtp-auth-report --evidence`` wrote: JSON observations of the tenant's logs.
Inlining it before the schema runs means the schema checks its shape, the model holds its content, and the
canonical document (``to_document``) carries it to the policy pack, which has no spec folder to read from.
Like ``certificateFile`` it must stay inside the spec's folder: it is reviewed with the spec.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from o365relay import fileio
from o365relay.errors import UsageError
from o365relay.spec.yamlsource import Issue

LIMIT = 8 * 1024 * 1024
PATH = ("tenant", "evidence")


def inline_evidence(doc: Any, spec_dir: Path | None) -> list[Issue]:
    """Replace a ``tenant.evidence`` path in ``doc`` by the file's JSON; the problems reading it."""
    tenant = doc.get("tenant") if isinstance(doc, dict) else None
    if not isinstance(tenant, dict):
        return []
    name = tenant.get("evidence")
    if not isinstance(name, str) or not name:
        return []
    if spec_dir is None:
        return [Issue(PATH, "an evidence file can be read only beside a spec loaded from a file")]
    try:
        tenant["evidence"] = _read(spec_dir, name)
    except UsageError as error:
        return [Issue(PATH, str(error))]
    return []


def _read(spec_dir: Path, name: str) -> Any:
    root = spec_dir.resolve()
    path = (spec_dir / name).resolve()
    if not path.is_relative_to(root):
        raise UsageError(f"evidence file {name} is outside the spec's folder {root}; keep it beside the spec")
    text = fileio.read_text(path, LIMIT, "the evidence file")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise UsageError(f"evidence file {name} is not JSON ({error.msg} at line {error.lineno}); "
                         "write it again with relayctl smtp-auth-report --evidence") from None
    if not isinstance(data, dict):
        raise UsageError(f"evidence file {name} must hold a JSON object")
    return data
