"""Tenant text (connector comments and names, DNS answers) prints as written on a terminal: Rich markup,
emoji codes and escape sequences in it neither style, link nor reach the terminal."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import pytest

from o365relay.cli.main import main
from o365relay.dnscheck.model import Check, DnsReport
from o365relay.reports.dns import render_text
from o365relay.reports.terminal import table

ROOT = Path(__file__).resolve().parents[2]
SGR = re.compile(r"\x1b\[[0-9;]*m")  # the table's own colours
MARKUP = "[bold]urgent[/bold] [link=https://evil.example]docs[/link] :warning:"


def on_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    monkeypatch.setenv("COLUMNS", "400")  # no folding: each value stays on one line


def shown(raw: str) -> str:
    """What the reader sees: the output without the table's own colour codes; no other escape may be left."""
    plain = SGR.sub("", raw)
    assert "\x1b" not in plain and "\a" not in plain, repr(plain)
    return plain


def test_audit_on_a_terminal_prints_tenant_text_as_written(sandbox_factory: Any, monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    sandbox = sandbox_factory(seed=Path(__file__).parent / "hostile.yaml")
    for key, value in sandbox.env().items():
        monkeypatch.setenv(key, value)
    on_terminal(monkeypatch)
    assert main(["audit", str(ROOT / "relay.prod.yaml")]) == 1
    out = shown(capsys.readouterr().out)
    assert MARKUP in out and "\\u001b]8;;https://evil.example\\u0007!\\u001b[2J" in out
    assert "[blink]rogue[/blink]" in out
    assert "⚠" not in out


def test_dns_report_on_a_terminal_prints_answers_as_written(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "400")
    check = Check("contoso.com", "dmarc", "finding", f"published rua={MARKUP}\x1b]8;;https://evil.example\a")
    out = shown(render_text(DnsReport((check,), ("127.0.0.1",)), rich=True))
    assert MARKUP in out and "\\u001b]8;;https://evil.example\\u0007" in out


@pytest.mark.parametrize("rich", [True, False])
def test_a_table_keeps_each_row_on_one_line(rich: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "400")
    out = shown(table("[red]title[/red]", ["status", "[i]name[/i]"], [["drift", "line one\nline two"]], rich=rich))
    assert "[red]title[/red]" in out and "[i]name[/i]" in out and "line one␤line two" in out
