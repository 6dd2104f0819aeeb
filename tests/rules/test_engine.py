"""Enforcement, per-rule levels and severities, ordering, and the example spec."""

from __future__ import annotations

from pathlib import Path

from rule_fixtures import TODAY, build, clean_doc

from o365relay.rules import LintOptions, exit_code, lint
from o365relay.spec.loader import load_spec, load_text

REPO = Path(__file__).resolve().parents[2]


def two_problem_doc() -> dict:
    doc = clean_doc()
    doc["domains"]["contoso.com"]["dmarc"]["policy"] = "none"
    doc["tenant"]["smtpAuth"] = "enabled"
    return doc


def test_advisory_findings_do_not_fail_mandatory_ones_do() -> None:
    spec = build(two_problem_doc())
    advisory = lint(spec, LintOptions(today=TODAY))
    assert len(advisory) == 2 and exit_code(advisory) == 0
    assert all(f.enforcement == "advisory" and not f.blocking for f in advisory)
    mandatory = lint(spec, LintOptions(enforcement="mandatory", today=TODAY))
    assert all(f.blocking for f in mandatory) and exit_code(mandatory) == 1


def test_rule_levels_and_severity_override_the_stack() -> None:
    spec = build(two_problem_doc())
    options = LintOptions(enforcement="mandatory", rules={"dmarc-enforced": "advisory",
                                                          "org-smtp-auth-off": "disabled"},
                          severity={"dmarc-enforced": "low"}, today=TODAY)
    [finding] = lint(spec, options)
    assert (finding.rule, finding.enforcement, finding.severity) == ("dmarc-enforced", "advisory", "low")
    assert exit_code([finding]) == 0


def test_findings_come_in_spec_order() -> None:
    text = """\
version: 1
tenant:
  id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a
  initialDomain: contoso.onmicrosoft.com
  smtpAuth: enabled
domains:
  contoso.com:
    dmarc:
      policy: none
      rua: [mailto:d@contoso.com]
"""
    spec = load_text(text, "snippet.yaml")
    findings = lint(spec, LintOptions(today=TODAY))
    assert [(f.rule, spec.position(f.path)) for f in findings] == [
        ("org-smtp-auth-off", (5, 13)), ("dmarc-enforced", (9, 15))]


def test_example_spec_lints_clean_except_what_its_waiver_covers() -> None:
    spec = load_spec(REPO / "relay.prod.yaml")
    findings = lint(spec, LintOptions(enforcement="mandatory", today=TODAY))
    assert sorted((f.rule, f.target, f.status) for f in findings) == [
        ("dmarc-reject", "domains.notify.contoso.com.dmarc.policy", "waived"),
        ("no-basic-smtp-auth", "serviceAccounts.scanner-floor3", "waived"),
        ("spf-lookups-unverified", "domains.contoso.com.spf.include", "failing")]  # advisory: offline
    assert exit_code(findings) == 0
