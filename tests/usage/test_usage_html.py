"""`relayctl usage --format html`: the volume picture, rendered in Chromium and looked at: one series per
sender, the per-mailbox limits drawn in, the flags of the text report ringed on the chart."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from browser import rendered
from test_usage_sandbox import PROD, seed
from usage_traces import window_end

from o365relay.cli.main import main


def test_usage_html_draws_each_sender_against_the_limits_with_the_flags_marked(sandbox_env, tmp_path: Path, capsys):
    end = window_end()
    seed(sandbox_env, end)
    window = ["--start", (end - timedelta(days=12)).isoformat(), "--end", end.isoformat()]
    report = tmp_path / "usage.html"
    assert main(["usage", PROD, *window, "--format", "html", "--output", str(report)]) == 1
    assert main(["usage", PROD, *window, "--format", "json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    senders = [s["sender"] for s in doc["senders"]]
    with rendered(report) as page:
        for chart in ("#recipients", "#per-minute"):
            svg = page.locator(f"{chart} svg")
            assert svg.is_visible() and svg.bounding_box()["width"] > 600  # type: ignore[index]
            labels = page.eval_on_selector_all(f"{chart} svg g.series", "gs => gs.map(g => g.dataset.label)")
            assert [label.split(" (")[0] for label in labels] == senders  # one series per sender
            assert page.locator(f"{chart} ul.legend li").all_inner_texts() == labels
        limits = page.locator("#recipients g.limit text").all_text_contents()
        assert limits == ["recipient rate limit 10,000/day per mailbox"]
        assert page.locator("#per-minute g.limit text").all_text_contents() == ["30 messages/min per mailbox"]
        # the marks are the report's own flags: the burst hour's rise on erp@, the 27-a-minute peak
        rings = page.eval_on_selector_all("svg circle.flag", "cs => cs.map(c => c.textContent)")
        flagged = {f["message"] for f in doc["flags"] if f["at"]}
        assert set(rings) == flagged and len(rings) >= 3
        assert "UNDECLARED" in page.inner_text("#recipients")
        page.screenshot(path=str(tmp_path / "usage.png"), full_page=True)


def test_usage_with_a_zero_day_window_says_why(sandbox_env, capsys):
    assert main(["usage", PROD, "--days", "0"]) == 2
    err = capsys.readouterr().err
    assert "--days 0 gives an empty window" in err and "before it starts" not in err


def test_usage_text_counts_in_words_and_says_when_there_is_nothing(sandbox_env, capsys):
    assert main(["usage", PROD, "--days", "1"]) == 0
    out = capsys.readouterr().out
    assert "0 senders, 0 flags" in out and "No mail from the spec's senders in this window." in out
    assert "sender  " not in out  # no table header over nothing
