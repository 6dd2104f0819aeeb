"""relayctl usage end to end: traces seeded into the sandbox's store, read back through the real
Graph client (msgraph-sdk over HTTPS, two 10-day windows, paged) and analysed."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from usage_traces import story, window_end

from o365relay.cli.main import main
from o365relay.sandbox import trace

PROD = str(Path(__file__).resolve().parents[2] / "relay.prod.yaml")


def seed(sandbox, end):
    for m in story(end):
        trace.record(sandbox.store, sender=m.sender, message_id=m.ident, subject="seeded", size=2048,
                     outcomes=[trace.Outcome(r, trace.DELIVERED, "250 2.0.0 OK") for r in m.recipients],
                     from_ip=m.from_ip, to_ip="", endpoint="submission", received=m.at)


def test_usage_reads_seeded_traces_through_graph(sandbox_env, capsys):
    end = window_end()
    seed(sandbox_env, end)
    start = end - timedelta(days=12)
    code = main(["usage", PROD, "--start", start.isoformat(), "--end", end.isoformat(), "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 1
    kinds = {(f["kind"], f["subject"]) for f in report["flags"]}
    assert kinds == {("near-message-rate", "erp-mailer"), ("sudden-rise", "erp@contoso.com"),
                     ("near-recipient-limit", "monitoring-alerts"), ("undeclared-sender", "printer7@contoso.com")}
    senders = {s["sender"]: s for s in report["senders"]}
    assert senders["noc@notify.contoso.com"]["recipients"] == 3600  # every page was read
    assert senders["erp@contoso.com"]["peakMinute"] == 27


def test_usage_with_nothing_flagged_exits_0(sandbox_env, capsys):
    assert main(["usage", PROD, "--days", "1"]) == 0
    assert "0 senders, 0 flags" in capsys.readouterr().out


def test_usage_without_trace_permission_is_a_tenant_error(sandbox_env, monkeypatch, capsys):
    monkeypatch.setenv("AZURE_CLIENT_SECRET", "not-the-secret")
    assert main(["usage", PROD, "--days", "1"]) == 3
    err = capsys.readouterr().err
    assert "AADSTS7000215" in err and "not-the-secret" not in err
