"""Waivers: active ones waive, expired ones stop working and are findings, unmatched ones are findings."""

from __future__ import annotations

from datetime import date
from typing import Any

from rule_fixtures import build, clean_doc

from o365relay.rules import LintOptions, exit_code, lint


def scanner_doc(expires: str, target: str = "serviceAccounts.scanner", rule: str = "no-basic-smtp-auth"
                ) -> dict[str, Any]:
    doc = clean_doc()
    doc["serviceAccounts"]["scanner"] = {"kind": "mailbox", "mailbox": "scanner@contoso.com"}
    doc["waivers"] = [{"rule": rule, "target": target, "reason": "firmware without OAuth; FAC-1182",
                       "expires": expires}]
    return doc


MANDATORY = LintOptions(enforcement="mandatory", today=date(2027, 3, 31))


def test_active_waiver_reports_the_finding_as_waived_and_does_not_fail() -> None:
    findings = lint(build(scanner_doc("2027-03-31")), MANDATORY)  # the expiry day itself still counts
    [finding] = findings
    assert finding.rule == "no-basic-smtp-auth" and finding.status == "waived" and not finding.blocking
    assert finding.waiver is not None and finding.waiver.reason.startswith("firmware")
    assert exit_code(findings) == 0


def test_expired_waiver_stops_working_and_is_itself_a_finding() -> None:
    findings = lint(build(scanner_doc("2027-03-30")), MANDATORY)
    assert [(f.rule, f.status, f.target) for f in findings] == [
        ("no-basic-smtp-auth", "failing", "serviceAccounts.scanner"),
        ("waiver-expired", "failing", "waivers[0].expires"),
    ]
    assert "expired on 2027-03-30" in findings[1].message
    assert exit_code(findings) == 1


def test_waiver_that_matches_nothing_is_a_finding() -> None:
    doc = scanner_doc("2027-12-31", target="serviceAccounts.erp-mailer")
    findings = lint(build(doc), MANDATORY)
    assert [(f.rule, f.status) for f in findings] == [
        ("no-basic-smtp-auth", "failing"), ("waiver-unmatched", "failing")]
    assert "covers no finding" in findings[1].message


def test_waiver_for_a_rule_that_cannot_be_waived_is_reported_and_does_not_apply() -> None:
    doc = clean_doc()
    doc["domains"]["contoso.com"]["dkim"] = {"keySize": 1024}
    doc["waivers"] = [{"rule": "dkim-2048", "target": "domains.contoso.com", "reason": "r",
                       "expires": "2027-12-31"}]
    findings = lint(build(doc), MANDATORY)
    assert [(f.rule, f.status) for f in findings] == [
        ("dkim-2048", "failing"), ("waiver-unmatched", "failing")]
    assert "cannot be waived" in findings[1].message


def test_waiver_for_an_unknown_rule_is_reported() -> None:
    doc = scanner_doc("2027-12-31", rule="no-basic-smtp")
    findings = lint(build(doc), MANDATORY)
    assert findings[-1].rule == "waiver-unmatched" and "unknown rule no-basic-smtp" in findings[-1].message


def test_waiver_covers_everything_under_its_target_but_not_a_longer_name() -> None:
    doc = clean_doc()
    doc["domains"]["contoso.com"]["dmarc"] = {"policy": "none", "rua": ["mailto:d@contoso.com"]}
    doc["domains"]["contoso.com.au"] = {"dmarc": {"policy": "none", "rua": ["mailto:d@contoso.com"]}}
    doc["waivers"] = [{"rule": "dmarc-enforced", "target": "domains.contoso.com", "reason": "rollout",
                       "expires": "2027-12-31"}]
    findings = lint(build(doc), MANDATORY)
    assert [(f.target, f.status) for f in findings] == [
        ("domains.contoso.com.dmarc.policy", "waived"),
        ("domains.contoso.com.au.dmarc.policy", "failing"),
    ]


def test_waiver_of_a_disabled_rule_is_not_reported_as_unmatched() -> None:
    options = LintOptions(rules={"no-basic-smtp-auth": "disabled"}, today=date(2027, 1, 1))
    assert lint(build(scanner_doc("2027-12-31")), options) == []
