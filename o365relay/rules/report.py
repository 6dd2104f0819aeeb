"""Lint findings as text (compiler-style lines an editor or CI log can jump to) and as JSON."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from o365relay.reports.wording import plural
from o365relay.rules.base import REGISTRY, Finding, LintOptions
from o365relay.spec.model import RelaySpec, format_path


def summary(findings: Sequence[Finding]) -> dict[str, int]:
    return {
        "mandatory": sum(f.blocking for f in findings),
        "advisory": sum(f.waiver is None and f.enforcement == "advisory" for f in findings),
        "waived": sum(f.waiver is not None for f in findings),
    }


def as_text(findings: Sequence[Finding], spec: RelaySpec) -> str:
    lines = []
    for f in findings:
        line, column = spec.position(f.path)
        label = "waived" if f.waiver else ("error" if f.blocking else "warning")
        lines.append(f"{spec.source}:{line}:{column}: {label} [{f.rule}, {f.severity}] "
                     f"{format_path(f.path)}: {f.message}")
        if f.waiver:
            lines.append(f"    waived until {f.waiver.expires.isoformat()}: {f.waiver.reason}")
        else:
            lines.append(f"    fix: {REGISTRY[f.rule].fix}")
    counts = summary(findings)
    if findings:
        lines.append(f"{plural(len(findings), 'finding')}: "
                     + ", ".join(f"{n} {kind}" for kind, n in counts.items()))
    else:
        lines.append(f"{spec.source}: no findings")
    return "\n".join(lines) + "\n"


def as_json(findings: Sequence[Finding], spec: RelaySpec, options: LintOptions) -> dict[str, Any]:
    return {
        "spec": spec.source,
        "enforcement": options.enforcement,
        "summary": summary(findings),
        "findings": [_finding(f, spec) for f in findings],
    }


def _finding(f: Finding, spec: RelaySpec) -> dict[str, Any]:
    line, column = spec.position(f.path)
    rule = REGISTRY[f.rule]
    return {
        "rule": f.rule,
        "status": f.status,
        "blocking": f.blocking,
        "severity": f.severity,
        "enforcement": f.enforcement,
        "path": format_path(f.path),
        "target": f.target,
        "line": line,
        "column": column,
        "message": f.message,
        "fix": rule.fix,
        "baselines": list(rule.baselines),
        "waiver": {"reason": f.waiver.reason, "expires": f.waiver.expires.isoformat()} if f.waiver else None,
    }
