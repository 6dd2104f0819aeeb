"""Lint findings as SARIF 2.1.0, the format GitHub code scanning reads.

Each finding that is not waived becomes a result located at the spec text it is about (a region
with start and end, the artifact URI relative to the repository root, as code scanning requires).
Waived findings are not results: code scanning reads no ``suppressions``, so a suppressed result
would still be an open alert (at any ``level``); they are listed in the run's ``properties.waived``
instead, which code scanning ignores, so an alert whose finding gets waived is closed by the next
upload (docs/code-scanning.md). ``level`` follows enforcement (mandatory: error, advisory: warning);
the rule's severity travels as ``properties.security-severity``, which code scanning uses to rank alerts.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from o365relay import HOMEPAGE, __version__
from o365relay.rules.base import Finding, Rule
from o365relay.spec.model import RelaySpec, format_path

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
# Code scanning's ranking scale (CVSS-like): critical >= 9.0, high >= 7.0, medium >= 4.0, low > 0.
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0"}
LEVEL = {"mandatory": "error", "advisory": "warning"}


def repo_relative_uri(spec_file: Path) -> str:
    """The spec's path relative to the enclosing Git work tree (else to the current directory)."""
    path = spec_file.resolve()
    for parent in path.parents:
        if (parent / ".git").exists():
            return path.relative_to(parent).as_posix()
    try:
        return path.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_uri()


def sarif_log(
    findings: Sequence[Finding], rules: Iterable[Rule], spec: RelaySpec, uri: str
) -> dict[str, Any]:
    """A complete SARIF log with one run: every rule's metadata, one result per open finding, and the
    waived findings in the run's properties."""
    rule_list = list(rules)
    index = {r.id: i for i, r in enumerate(rule_list)}
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "relayctl",
                "version": __version__,
                "informationUri": HOMEPAGE,
                "rules": [_rule(r) for r in rule_list],
            }},
            "artifacts": [{"location": {"uri": uri}, "roles": ["analysisTarget"]}],
            "results": [_result(f, index[f.rule], spec, uri) for f in findings if f.waiver is None],
            "properties": {"waived": [_waived(f, spec) for f in findings if f.waiver is not None]},
        }],
    }


def _rule(rule: Rule) -> dict[str, Any]:
    baselines = list(rule.baselines)
    return {
        "id": rule.id,
        "name": "".join(part.capitalize() for part in rule.id.split("-")),
        "shortDescription": {"text": _first_sentence(rule.rationale)},
        "fullDescription": {"text": rule.rationale},
        "help": {"text": rule.fix, "markdown": _help_markdown(rule)},
        "defaultConfiguration": {"level": "error" if rule.severity in ("critical", "high") else "warning"},
        "properties": {
            "baselines": baselines,
            "severity": rule.severity,
            "waivable": rule.waivable,
            "security-severity": SECURITY_SEVERITY[rule.severity],
            "tags": ["security", "o365-relay", *baselines],
        },
    }


def _first_sentence(text: str) -> str:
    head, dot, _ = text.partition(". ")
    return head + "." if dot else text


def _help_markdown(rule: Rule) -> str:
    lines = [f"**{rule.id}**: {rule.rationale}", "", f"**Fix:** {rule.fix}"]
    if rule.baselines:
        lines += ["", "**Baselines:** " + ", ".join(rule.baselines)]
    if not rule.waivable:
        lines += ["", "This rule cannot be waived."]
    return "\n".join(lines)


def _result(finding: Finding, rule_index: int, spec: RelaySpec, uri: str) -> dict[str, Any]:
    (line, column), (end_line, end_column) = spec.region(finding.path)
    return {
        "ruleId": finding.rule,
        "ruleIndex": rule_index,
        "level": LEVEL[finding.enforcement],
        "message": {"text": f"{finding.message} ({format_path(finding.path)})"},
        "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": uri, "index": 0},
            "region": {"startLine": line, "startColumn": column, "endLine": end_line, "endColumn": end_column},
        }}],
        "partialFingerprints": {"relayFinding/v1": _fingerprint(finding)},
        "properties": {"severity": finding.severity, "enforcement": finding.enforcement,
                       "specPath": format_path(finding.path)},
    }


def _waived(finding: Finding, spec: RelaySpec) -> dict[str, Any]:
    """A waived finding as evidence for auditors: which rule, where, why, until when."""
    assert finding.waiver is not None
    line, _ = spec.position(finding.path)
    return {"ruleId": finding.rule, "specPath": format_path(finding.path), "line": line,
            "reason": finding.waiver.reason, "expires": finding.waiver.expires.isoformat()}


def _fingerprint(finding: Finding) -> str:
    """Stable across edits that move lines: the rule, the spec path and the message."""
    return hashlib.sha256(f"{finding.rule}\0{finding.target}\0{finding.message}".encode()).hexdigest()[:32]
