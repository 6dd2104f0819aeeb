"""The four audit formats are one report: same rows, same order, same words, desired → actual everywhere.
The HTML one is opened in Chromium and checked the way an auditor reads it."""

from __future__ import annotations

import json
import re
from pathlib import Path

from audit_helpers import PROD_SPEC, SEEDS, run_audit
from browser import rendered

from o365relay.cli.main import main
from o365relay.reports.audit_json import render_json
from o365relay.reports.audit_markdown import render_markdown
from o365relay.reports.audit_text import render_text
from o365relay.sandbox.seed import SEEDS_DIR

Row = tuple[str, str, str, str]  # status, kind, name, "field: desired → actual; …"


def _shown(v: object) -> str:
    if v is None:
        return "(none)"
    if isinstance(v, bool):
        return str(v).lower()
    return ", ".join(map(str, v)) or "(none)" if isinstance(v, list) else str(v)


def json_rows(doc: dict) -> list[Row]:
    rows = []
    for i in doc["items"]:
        absent = i["status"] == "missing" and i["fields"][0]["field"] != "exists"
        change = "; ".join(f"{f['field']}: {_shown(f['desired'])} → {'(absent)' if absent else _shown(f['actual'])}"
                           for f in i["fields"])
        rows.append((i["status"].replace("_", " "), i["kindLabel"], i["name"], change))
    return rows


def text_rows(text: str) -> list[Row]:
    lines = text.splitlines()
    header = next(n for n, line in enumerate(lines) if line.startswith("status "))
    rows = []
    for line in lines[header + 1:]:
        if not line.strip():
            break
        status, kind, name, _path, change = re.split(r"\s{2,}", line, maxsplit=4)
        rows.append((status, kind, name, change))
    return rows


def markdown_rows(markdown: str) -> list[Row]:
    rows = []
    for line in markdown.splitlines():
        if line.startswith("| ") and not line.startswith(("| Status", "|---")):
            status, kind, name, _path, change = line.strip("| ").split(" | ")
            values = [re.sub(r"`([^`]*)`", r"\1", v) for v in change.split("<br>")]
            rows.append((status, kind, name.strip("`"), "; ".join(values)))
    return rows


def test_text_markdown_and_json_list_the_same_rows_in_the_same_order_with_the_same_words(tenant):
    result = run_audit(tenant(SEEDS_DIR / "brownfield.yaml"))
    doc = json.loads(render_json(result))
    expected = json_rows(doc)
    assert len(expected) == len(result.items) > 22
    # findings first (grouped by kind), in sync after; nothing in sync comes before a finding
    statuses = [r[0] for r in expected]
    assert statuses.index("in sync") == 22 and set(statuses[22:]) == {"in sync"}
    notes = {(i["kindLabel"], i["name"]): i["reason"] for i in doc["items"] if i["reason"]}
    assert [r[:3] for r in text_rows(render_text(result))] == [r[:3] for r in expected]
    for (_status, kind, name, change), row in zip(expected, text_rows(render_text(result)), strict=True):
        note = notes.get((kind, name))
        assert row[3] == change + (f"; {note}" if note else ""), name
    md = markdown_rows(render_markdown(result))
    assert [r[:3] for r in md] == [r[:3] for r in expected]
    assert [r[3].split("; ")[: len(e[3].split("; "))] for r, e in zip(md, expected, strict=True)] == \
           [e[3].split("; ") for e in expected]


def test_hide_in_sync_on_a_tenant_in_sync_prints_a_sentence_not_an_empty_table(tenant, capsys):
    tenant(SEEDS / "applied.yaml")
    code = main(["audit", str(PROD_SPEC), "--hide-in-sync"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "status " not in out  # no header over nothing
    assert "Nothing to list: every object read is in sync." in out
    assert re.search(r"^In sync: all \d+ objects read match the spec\.", out, re.M)


def test_audit_html_as_rendered_names_kinds_states_scope_and_folds_raw_records(tenant, tmp_path: Path):
    tenant(SEEDS_DIR / "brownfield.yaml")
    report, raw = tmp_path / "audit.html", tmp_path / "audit.json"
    assert main(["audit", str(PROD_SPEC), "--format", "html", "--output", str(report)]) == 1
    assert main(["audit", str(PROD_SPEC), "--format", "json", "--output", str(raw)]) == 1
    doc = json.loads(raw.read_text())
    with rendered(report) as page:
        assert page.locator("table.rows").first.locator("th").all_inner_texts() == \
               ["Status", "Kind", "Name and spec path", "Desired → actual"]
        # the first thing under the verdict: what was read and what was not
        scope = page.locator("#scope")
        assert scope.is_visible() and scope.bounding_box()["y"] < 700  # type: ignore[index]
        assert "Not read:" in scope.inner_text() and "DNS records" in scope.inner_text()
        assert page.locator(".verdict").inner_text() == "22 findings: the tenant differs from the spec"
        # every row as seen: status, kind and name in the JSON's order
        seen = page.eval_on_selector_all("table.rows > tbody > tr", """trs => trs.map(tr => [
            tr.querySelector('td.s').innerText, tr.querySelector('td.k').innerText,
            tr.querySelector('code').innerText])""")
        assert seen == [[i["status"].replace("_", " "), i["kindLabel"], i["name"]] for i in doc["items"]]
        body = page.inner_text("body")
        assert "*****" not in body
        # the raw Exchange record is folded away until asked for
        record = page.locator("details").first
        assert not record.locator("pre").is_visible()
        record.locator("summary").click()
        assert record.locator("pre").is_visible() and "ConnectorType" not in body.split("Findings")[0]
        page.screenshot(path=str(tmp_path / "audit.png"), full_page=True)
        height = page.evaluate("document.documentElement.scrollHeight")
        assert height < 4600, f"the report runs {height}px"
