"""Docs that are generated or that name files must not go stale."""

from __future__ import annotations

import json
import re
from pathlib import Path

from o365relay.spec.reference import render
from o365relay.spec.schema import schema_path

ROOT = Path(__file__).resolve().parents[2]


def test_spec_reference_matches_the_schema() -> None:
    expected = render(json.loads(schema_path().read_text(encoding="utf-8")))
    committed = (ROOT / "docs" / "spec-reference.md").read_text(encoding="utf-8")
    regenerate = "python -m o365relay.spec.reference > docs/spec-reference.md"
    assert committed == expected, f"docs/spec-reference.md is stale: {regenerate}"


def test_spec_reference_documents_every_fixed_field() -> None:
    text = (ROOT / "docs" / "spec-reference.md").read_text(encoding="utf-8")
    for field in ("connectors.<name>.senderIPs", "serviceAccounts.<name>.kind", "serviceAccounts.<name>.mailbox",
                  "sendAs[].trustee", "sendAs[].mailbox", "waivers[].expires"):
        assert f"`{field}`" in text


def test_relative_links_in_readme_and_docs_resolve() -> None:
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for target in re.findall(r"\]\(([^)#]+)\)", page.read_text(encoding="utf-8")):
            if "://" in target:
                continue
            assert (page.parent / target).exists(), f"{page.name} links to missing {target}"


def test_reply_codes_page_lists_every_smtp_code_explain_knows() -> None:
    from o365relay.smtp.table import TABLE

    page = (ROOT / "docs" / "reply-codes.md").read_text(encoding="utf-8")
    rows = [line for line in page.splitlines() if line.startswith("| ") and not line.startswith("| Code")]
    listed = {code.strip() for row in rows for code in row.split("|")[1].split(",")}
    for entry in TABLE:
        if entry.code[0].isdigit():
            assert entry.code in listed, f"docs/reply-codes.md has no source for {entry.code} ({entry.key})"
            assert any(entry.key in row for row in rows), f"docs/reply-codes.md does not name {entry.key}"
