"""relayctl headers over realistic samples written from Microsoft's documented header formats."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from o365relay.cli.main import main
from o365relay.errors import UsageError
from o365relay.headers import analyze, parse_headers, render
from o365relay.spec.loader import load_spec

SAMPLES = Path(__file__).parent / "samples"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def spec():
    return load_spec(ROOT / "relay.prod.yaml")


def report_of(name, spec=None):
    path = SAMPLES / name
    return analyze(parse_headers(path.read_text(), str(path)), spec)


def findings(report, topic, status=None):
    return [f for f in report.findings if f.topic == topic and (status is None or f.status == status)]


def test_clean_pass(spec):
    report = report_of("clean-pass.eml", spec)
    assert report.verdict == "PASS"
    assert {f.topic for f in report.findings if f.status == "pass"} >= {"SPF", "DKIM", "DMARC", "compauth", "spam"}
    h = report.headers
    assert [(s.domain, s.selector) for s in h.dkim] == [("contoso.com", "selector1")]
    assert h.arc[0].chain == "none" and {v.method for v in h.arc[0].results} == {"spf", "dkim", "dmarc", "arc"}
    assert [hop.from_ip for hop in h.hops][:2] == ["198.51.100.77", "40.107.220.61"]  # oldest first
    assert h.antispam["SFV"] == "NSPM" and h.scl == 1


def test_spf_fail_from_an_undeclared_ip(spec):
    report = report_of("spf-fail-undeclared-ip.eml", spec)
    [spf] = findings(report, "SPF", "fail")
    assert "192.0.2.77" in spf.message and "no declared connector has it" in spf.message
    assert spf.explanation == "spf-fail"
    assert report.connector is None
    assert findings(report, "compauth", "fail")[0].explanation == "compauth-intra-org"  # reason=010


def test_spf_fail_from_a_declared_ip_points_at_the_published_record(spec):
    connector = spec.connectors["dc1-relay"]
    widened = dataclasses.replace(spec, connectors={"dc1-relay": dataclasses.replace(
        connector, sender_ips=connector.sender_ips + ("192.0.2.77",))})
    report = report_of("spf-fail-undeclared-ip.eml", widened)
    [spf] = findings(report, "SPF", "fail")
    assert "published record is not the declared one" in spf.message
    assert report.connector == "dc1-relay"


def test_spf_fail_without_a_spec_still_explains():
    [spf] = findings(report_of("spf-fail-undeclared-ip.eml"), "SPF", "fail")
    assert "192.0.2.77" in spf.message and "connectors.<name>" not in spf.message


def test_dkim_fail_with_a_wrong_selector(spec):
    report = report_of("dkim-wrong-selector.eml", spec)
    [dkim] = findings(report, "DKIM", "fail")
    assert "'s2026q3'" in dkim.message and "selector1/selector2" in dkim.message
    assert findings(report, "DMARC", "pass")  # SPF still aligned, so DMARC passed
    assert "selector CNAMEs" in render(report)  # the fix comes from the explanation table


def test_dmarc_fail_with_compauth_fail(spec):
    report = report_of("dmarc-compauth-fail.eml", spec)
    [dmarc] = findings(report, "DMARC", "fail")
    assert "p=quarantine pct=50" in dmarc.message and "third party" in dmarc.message
    [compauth] = findings(report, "compauth", "fail")
    assert compauth.explanation == "compauth-explicit" and "reason=000" in compauth.message


def test_routed_through_the_relay_connector(spec):
    report = report_of("relay-connector.eml", spec)
    assert report.origin_ip == "203.0.113.5" and report.connector == "dc1-relay"
    assert report.connecting_ip == "40.107.244.55"
    [route] = findings(report, "route", "pass")
    assert "dc1-relay" in route.message
    [slow] = findings(report, "hops", "warn")
    assert "12.7 minutes" in slow.message
    assert not report.failed


def test_marked_as_spam(spec):
    report = report_of("spam-scl.eml", spec)
    [spam] = findings(report, "spam", "fail")
    assert "SCL 6" in spam.message and spam.explanation == "spam-verdict"
    assert findings(report, "DMARC", "pass")


def test_malformed_headers_are_located_problems_not_exceptions(spec):
    report = report_of("malformed.eml", spec)
    problems = [f.message for f in findings(report, "parse")]
    for line, what in [(1, "Received has no readable date"), (2, "Authentication-Results is malformed"),
                       (3, "not a header line"), (4, "DKIM-Signature is malformed"),
                       (5, "X-MS-Exchange-Organization-SCL is 'high'")]:
        assert any(f"malformed.eml:{line}: {what}" in p for p in problems), (line, problems)
    assert report.headers.from_address == "printer@contoso.com"  # the good headers still count


def test_no_headers_is_a_clear_usage_error():
    with pytest.raises(UsageError, match="no message headers found"):
        parse_headers((SAMPLES / "no-headers.txt").read_text(), "no-headers.txt")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=400))
def test_arbitrary_input_never_raises_anything_but_usage_error(text):
    try:
        report = analyze(parse_headers(text, "fuzz"))
    except UsageError:
        return
    render(report, "text"), render(report, "markdown"), json.loads(render(report, "json"))


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["Authentication-Results", "DKIM-Signature", "Received", "ARC-Seal",
                        "ARC-Authentication-Results", "X-Forefront-Antispam-Report",
                        "X-MS-Exchange-Organization-SCL",
                        "X-MS-Exchange-CrossTenant-OriginalAttributedTenantConnectingIp"]),
       st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=120))
def test_any_value_of_a_parsed_header_is_survivable(name, value):
    report = analyze(parse_headers(f"From: a@contoso.com\n{name}: {value}\n", "fuzz"))
    json.loads(render(report, "json"))


def test_cli_exit_codes_and_formats(spec, capsys):
    prod = str(ROOT / "relay.prod.yaml")
    assert main(["headers", str(SAMPLES / "clean-pass.eml"), "--spec", prod]) == 0
    assert main(["headers", str(SAMPLES / "spf-fail-undeclared-ip.eml"), "--spec", prod]) == 1
    capsys.readouterr()
    assert main(["headers", str(SAMPLES / "relay-connector.eml"), "--spec", prod, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["connector"] == "dc1-relay" and data["hops"][1]["delaySeconds"] == 761.0
    main(["headers", str(SAMPLES / "dmarc-compauth-fail.eml"), "--format", "markdown"])
    assert "| FAIL | DMARC |" in capsys.readouterr().out
    assert main(["headers", str(SAMPLES / "no-headers.txt")]) == 2
    assert main(["headers", str(SAMPLES / "missing.eml")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_cli_reads_standard_input(monkeypatch, capsys):
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO((SAMPLES / "spam-scl.eml").read_text()))
    assert main(["headers", "-"]) == 1
    assert "marked as spam" in capsys.readouterr().out
