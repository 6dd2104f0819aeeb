"""``relayctl lint --format json``: the document CI and reviewers' tools read (o365relay/rules/report.py)."""

from __future__ import annotations

from datetime import date

from rule_fixtures import build, clean_doc

from o365relay.rules import LintOptions, lint
from o365relay.rules.base import REGISTRY
from o365relay.rules.report import as_json, as_text


def scanner_spec(waiver_expires: str | None = None):  # noqa: ANN201
    doc = clean_doc()
    doc["serviceAccounts"]["scanner"] = {"kind": "mailbox", "mailbox": "scanner@contoso.com"}
    if waiver_expires:
        doc["waivers"] = [{"rule": "no-basic-smtp-auth", "target": "serviceAccounts.scanner",
                           "reason": "firmware without OAuth; FAC-1182", "expires": waiver_expires}]
    return build(doc)


def test_json_names_every_field_of_a_failing_finding() -> None:
    spec = scanner_spec()
    options = LintOptions(enforcement="mandatory", today=date(2027, 3, 31))
    findings = lint(spec, options)
    report = as_json(findings, spec, options)
    rule = REGISTRY["no-basic-smtp-auth"]
    [finding] = report["findings"]
    line, column = spec.position(findings[0].path)
    assert report == {
        "spec": "fixture.yaml", "enforcement": "mandatory",
        "summary": {"mandatory": 1, "advisory": 0, "waived": 0},
        "findings": [finding],
    }
    assert finding == {
        "rule": "no-basic-smtp-auth", "status": "failing", "blocking": True, "severity": rule.severity,
        "enforcement": "mandatory", "path": "spec.serviceAccounts.scanner", "target": "serviceAccounts.scanner",
        "line": line, "column": column, "message": findings[0].message, "fix": rule.fix,
        "baselines": list(rule.baselines), "waiver": None,
    }


def test_json_of_a_waived_finding_carries_the_waiver() -> None:
    spec = scanner_spec("2027-03-31")
    options = LintOptions(enforcement="advisory", today=date(2027, 3, 31))
    report = as_json(lint(spec, options), spec, options)
    [finding] = report["findings"]
    assert report["enforcement"] == "advisory" and report["summary"] == {"mandatory": 0, "advisory": 0, "waived": 1}
    assert (finding["status"], finding["blocking"], finding["enforcement"]) == ("waived", False, "advisory")
    assert finding["waiver"] == {"reason": "firmware without OAuth; FAC-1182", "expires": "2027-03-31"}


def test_text_shows_the_waiver_instead_of_the_fix() -> None:
    spec = scanner_spec("2027-03-31")
    options = LintOptions(enforcement="mandatory", today=date(2027, 3, 31))
    lines = as_text(lint(spec, options), spec).splitlines()
    assert lines[0].startswith("fixture.yaml:") and " waived [no-basic-smtp-auth, " in lines[0]
    assert lines[1:] == ["    waived until 2027-03-31: firmware without OAuth; FAC-1182",
                         "1 finding: 0 mandatory, 0 advisory, 1 waived"]

