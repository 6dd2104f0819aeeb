"""The usage analysis over seeded rows: limits, sudden rises, undeclared senders, the method's edges."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from usage_traces import story, window_end

from o365relay.spec.loader import load_spec
from o365relay.usage.analysis import TraceRow, _peak, analyze_usage, dedupe
from o365relay.usage.render import render
from o365relay.usage.trace import windows

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def spec():
    return load_spec(ROOT / "relay.prod.yaml")


def rows_of(messages):
    return [TraceRow(m.ident, m.sender, r, m.ident, m.at, "delivered", m.from_ip)
            for m in messages for r in m.recipients]


@pytest.fixture(scope="module")
def report(spec):
    end = window_end()
    return analyze_usage(rows_of(story(end)), spec, end - timedelta(days=12), end)


def flags(report, kind):
    return {f.subject: f for f in report.flags if f.kind == kind}


def test_burst_is_near_the_message_rate_and_a_sudden_rise(report):
    assert "erp-mailer" in flags(report, "near-message-rate")
    assert "27 messages in one minute" in flags(report, "near-message-rate")["erp-mailer"].message
    rise = flags(report, "sudden-rise")
    assert list(rise) == ["erp@contoso.com"] and "40 messages" in rise["erp@contoso.com"].message
    erp = next(u for u in report.senders if u.sender == "erp@contoso.com")
    assert erp.peak_minute == 27 and erp.declared_as == "serviceAccounts.erp-mailer"


def test_daily_recipient_limit_counts_the_account_with_its_send_as_mailboxes(report):
    near = flags(report, "near-recipient-limit")
    assert list(near) == ["monitoring-alerts"] and "8,600 recipients" in near["monitoring-alerts"].message
    alerts = next(u for u in report.senders if u.sender == "alerts@notify.contoso.com")
    assert alerts.peak_day_recipients == 5000  # alone it would not be flagged


def test_undeclared_sender_is_flagged_but_connector_and_inbound_mail_are_not(report):
    assert list(flags(report, "undeclared-sender")) == ["printer7@contoso.com"]
    by_sender = {u.sender: u for u in report.senders}
    assert by_sender["copier@contoso.com"].declared_as == "connector dc1-relay"
    assert "news@fabrikam.example" not in by_sender


def test_per_hour_and_per_day_counts(report):
    noc = next(u for u in report.senders if u.sender == "noc@notify.contoso.com")
    assert sum(m for m, _ in noc.per_day.values()) == 36 and sum(r for _, r in noc.per_day.values()) == 3600
    assert sum(m for m, _ in noc.per_hour.values()) == 36


def test_steady_volume_is_not_a_rise(spec):
    end = datetime(2026, 7, 20, tzinfo=UTC)
    rows = [TraceRow(f"m{h}-{k}", "erp@contoso.com", "x@fabrikam.example", "", end - timedelta(hours=h, minutes=k),
                     "delivered") for h in range(1, 72) for k in range(20)]
    report = analyze_usage(rows, spec, end - timedelta(days=3), end)
    assert not report.flags


def test_a_rise_without_enough_history_is_not_judged(spec):
    end = datetime(2026, 7, 20, tzinfo=UTC)
    rows = [TraceRow(f"m{k}", "erp@contoso.com", "x@fabrikam.example", "", end - timedelta(hours=1, seconds=90 * k),
                     "delivered") for k in range(30)]
    report = analyze_usage(rows, spec, end - timedelta(hours=3), end)
    assert not flags(report, "sudden-rise")


def test_duplicate_trace_rows_count_once():
    at = datetime(2026, 7, 20, tzinfo=UTC)
    row = TraceRow("t1", "erp@contoso.com", "x@fabrikam.example", "<a>", at, "delivered")
    assert dedupe([row, row]) == [row]


def test_peak_uses_a_sliding_window():
    t0 = datetime(2026, 7, 20, tzinfo=UTC)
    assert _peak([t0 + timedelta(seconds=2 * k) for k in range(30)], timedelta(minutes=1)) == (30, t0)
    assert _peak([t0 + timedelta(seconds=3 * k) for k in range(30)], timedelta(minutes=1))[0] == 20


def test_windows_are_at_most_ten_days():
    end = window_end()
    spans = windows(end - timedelta(days=25), end)
    assert len(spans) == 3 and all(b - a <= timedelta(days=10) for a, b in spans)
    assert spans[0][0] == end - timedelta(days=25) and spans[-1][1] == end


def test_render_states_the_method(report):
    for fmt in ("text", "markdown", "json"):
        assert "Sudden rise" in render(report, fmt)
    assert "UNDECLARED" in render(report, "text")


def test_a_saas_sending_as_our_domain_through_its_partner_connector_is_declared(spec):
    import dataclasses

    from o365relay.spec.model import PartnerConnector

    at = window_end() - timedelta(hours=3)
    rows = [TraceRow("t1", "support@contoso.com", "erp@contoso.com", "t1", at, "delivered", "192.0.2.25")]
    start = at - timedelta(days=1)
    bare = analyze_usage(rows, spec, start, window_end())
    assert list(flags(bare, "undeclared-sender")) == ["support@contoso.com"]
    partner = PartnerConnector("ticketing", ("contoso.com",), ("192.0.2.0/24",))
    declared = analyze_usage(rows, dataclasses.replace(spec, partner_connectors={"ticketing": partner}),
                             start, window_end())
    assert not flags(declared, "undeclared-sender")
    assert [u.declared_as for u in declared.senders] == ["connector ticketing"]
    elsewhere = dataclasses.replace(partner, sender_domains=("notify.contoso.com",))  # not its domain
    other = analyze_usage(rows, dataclasses.replace(spec, partner_connectors={"ticketing": elsewhere}),
                          start, window_end())
    assert list(flags(other, "undeclared-sender")) == ["support@contoso.com"]


def test_a_partner_scoped_to_a_wildcard_takes_the_domain_itself(spec):
    """``*.contoso.com`` is contoso.com and all its subdomains (New-InboundConnector -SenderDomains)."""
    import dataclasses

    from o365relay.spec.model import PartnerConnector

    at = window_end() - timedelta(hours=3)
    rows = [TraceRow(f"t{n}", sender, "erp@contoso.com", f"t{n}", at, "delivered", "192.0.2.25")
            for n, sender in enumerate(("support@contoso.com", "tickets@notify.contoso.com"))]
    partner = PartnerConnector("ticketing", ("*.contoso.com",), ("192.0.2.0/24",))
    report = analyze_usage(rows, dataclasses.replace(spec, partner_connectors={"ticketing": partner}),
                           at - timedelta(days=1), window_end())
    assert not flags(report, "undeclared-sender")
    assert {u.sender: u.declared_as for u in report.senders} == {
        "support@contoso.com": "connector ticketing", "tickets@notify.contoso.com": "connector ticketing"}
