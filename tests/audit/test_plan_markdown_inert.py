"""The Markdown plan is a PR comment: hostile values from the spec or the tenant must render inert.

Rendered with markdown-it (CommonMark + GFM tables, what GitHub's renderer implements) and checked
on the HTML: no active element, every hostile value shown literally, no mention outside code, and
every table row keeps its cells.
"""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from audit_helpers import PROD_SPEC, run_audit
from markdown_it import MarkdownIt

from o365relay.audit.model import AuditResult, FieldDiff, Item
from o365relay.reports.audit_markdown import render_markdown
from o365relay.reports.markdown import code, text
from o365relay.sandbox.seed import SEEDS_DIR

HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(document.cookie)">',
    "@contoso/platform-admins please approve",
    "![pixel](https://tracker.example/p.png)",
    "[click](javascript:alert(1))",
    "a ``` b ` c",
    "`leading and trailing`",
    "cell | break | out",
    "line one\n| injected | row |\n## heading",
    "&lt;b&gt; entity",
    "right\u202eleft override",
]
ACTIVE_TAGS = {"script", "img", "a", "iframe", "style", "svg", "h1", "h2", "h3", "h4", "h5", "h6", "b"}
MENTION = re.compile(r"(?<!\w)@[A-Za-z0-9-]")


class _Html(HTMLParser):
    """The tags, the text outside <code>, the text inside <code> and the cells per table row."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.outside: list[str] = []
        self.inside: list[str] = []
        self.rows: list[int] = []
        self._code = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))
        if tag == "code":
            self._code += 1
        elif tag == "tr":
            self.rows.append(0)
        elif tag in ("td", "th"):
            self.rows[-1] += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "code":
            self._code -= 1

    def handle_data(self, data: str) -> None:
        (self.inside if self._code else self.outside).append(data)


def _render(markdown: str) -> _Html:
    html = MarkdownIt("commonmark", {"html": True}).enable("table").render(markdown)
    parsed = _Html()
    parsed.feed(html)
    return parsed


def _assert_inert(markdown: str, values: list[str], *, table_cells: int | None = None) -> _Html:
    html = _render(markdown)
    active = [(tag, attrs) for tag, attrs in html.tags if tag in ACTIVE_TAGS or any(
        name.startswith("on") or name in ("src", "href") for name, _ in attrs)]
    # the renderer's own headings are ##/### lines we wrote; count them to tell them from injected ones
    ours = markdown.count("\n## ") + markdown.count("\n### ") + markdown.startswith("## ")
    assert len([t for t, _ in active if t in ("h2", "h3")]) == ours
    assert [t for t in active if t[0] not in ("h2", "h3")] == []
    assert not any(MENTION.search(chunk) for chunk in html.outside), html.outside
    shown = "".join(html.inside) + "".join(html.outside)
    for value in values:
        visible = value.replace("\n", "␤").replace("\u202e", "\\u202e")
        assert visible in shown or visible.replace("|", "\\|") in shown, value
    if table_cells is not None:
        assert html.rows and set(html.rows) == {table_cells}, html.rows
    return html


def test_helpers_keep_each_hostile_value_literal_and_inert() -> None:
    for value in HOSTILE:
        _assert_inert(f"| a | b |\n|---|---|\n| {code(value, table=True)} | {text(value)} |\n", [value],
                      table_cells=2)
        _assert_inert(f"- {code(value)}\n- {text(value)}\n", [value])


def test_mention_guard_leaves_email_addresses_alone() -> None:
    assert text("invoices@contoso.com") == "invoices@contoso.com"
    assert "\u2060" in text("ping @contoso/admins")


def test_plan_with_hostile_tenant_and_spec_values_renders_inert() -> None:
    items = tuple(
        item
        for n, value in enumerate(HOSTILE)
        for item in (
            Item("connector", value, "unexpected", reason=f"found in the tenant: {value}"),
            Item("connector", f"declared-{n}", "drift", diffs=(FieldDiff(value, value, "actual " + value),)),
            Item("connector", f"new-{n}", "missing", evidence={"desired": {"Comment": value}}),
            Item("send_as", value, "in_sync"),
        )
    )
    result = AuditResult(items, "7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a", "relay <b>prod</b>.yaml", "", "t0", "t1")
    _assert_inert(render_markdown(result), HOSTILE, table_cells=5)


@pytest.mark.parametrize("comment", HOSTILE[:4] + HOSTILE[8:9])
def test_plan_of_a_hostile_spec_against_the_sandbox_renders_inert(
    comment: str, tenant, tmp_path: Path
) -> None:
    sandbox = tenant(SEEDS_DIR / "brownfield.yaml")
    spec = yaml.safe_load(PROD_SPEC.read_text())
    spec["connectors"]["dc1-relay"]["comment"] = comment
    hostile = tmp_path / "relay.prod.yaml"
    hostile.write_text(yaml.safe_dump(spec))
    shutil.copytree(PROD_SPEC.parent / "certs", tmp_path / "certs")  # the certificate the spec names
    markdown = render_markdown(run_audit(sandbox, hostile))
    assert "dc1-relay" in markdown
    _assert_inert(markdown, [comment], table_cells=5)
