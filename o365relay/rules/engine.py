"""Run the rule set over a spec: every rule, then the waivers, into one ordered list of findings."""

from __future__ import annotations

from o365relay.rules.base import REGISTRY, Finding, LintOptions, Rule, Violation
from o365relay.rules.waivers import WAIVER_UNMATCHED, active_waiver, unmatched_violations
from o365relay.spec.model import RelaySpec, Waiver


def lint(spec: RelaySpec, options: LintOptions | None = None) -> list[Finding]:
    """Every finding of every enabled rule, waived ones included, in spec order."""
    options = options or LintOptions()
    today = options.on()
    findings: list[Finding] = []
    used: list[Waiver] = []
    for current in REGISTRY.values():
        if current.check is None or options.level(current.id) == "disabled":
            continue
        for violation in current.check(spec, options):
            waiver = active_waiver(spec, current.id, violation.path, today) if current.waivable else None
            if waiver:
                used.append(waiver)
            findings.append(_finding(current, violation, options, waiver))
    if options.level(WAIVER_UNMATCHED) != "disabled":
        unmatched = REGISTRY[WAIVER_UNMATCHED]
        findings += [_finding(unmatched, v, options) for v in unmatched_violations(spec, options, used)]
    return sorted(findings, key=lambda f: (spec.position(f.path), f.rule, f.message))


def _finding(rule: Rule, violation: Violation, options: LintOptions, waiver: Waiver | None = None) -> Finding:
    level = options.level(rule.id)
    assert level != "disabled"
    return Finding(
        rule=rule.id,
        path=violation.path,
        message=violation.message,
        severity=options.severity.get(rule.id, rule.severity),
        enforcement=level,
        waiver=waiver,
    )


def exit_code(findings: list[Finding]) -> int:
    """``relayctl lint``'s exit status: 1 when a finding is mandatory and not waived, else 0."""
    return 1 if any(f.blocking for f in findings) else 0
