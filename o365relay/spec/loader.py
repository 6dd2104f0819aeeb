"""Load a spec: YAML with positions, then the JSON Schema, then the semantic checks, then the model.

Every problem from every stage is collected and raised once, as one :class:`SpecError` whose
problems read ``file:line:col: spec.path: message``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from o365relay.errors import Problem, SpecError, UsageError
from o365relay.spec.certificate import read_public_certificate
from o365relay.spec.checks import semantic_issues
from o365relay.spec.document import from_document
from o365relay.spec.evidence_file import inline_evidence
from o365relay.spec.model import Position, RelaySpec, SpecPath, format_path
from o365relay.spec.schema import schema_issues
from o365relay.spec.yamlsource import Issue, Source, SourceError, parse_source, read_source

__all__ = ["load_spec", "load_text", "spec_from_document"]


def load_spec(path: str | Path) -> RelaySpec:
    """Read and validate the spec at ``path``; raise :class:`SpecError` listing every problem."""
    source = str(path)
    try:
        parsed = read_source(Path(path))
    except SourceError as error:
        raise SpecError(_problems(source, error.issues, Source(None))) from None
    return _validate(parsed, source, Path(path).parent)


def load_text(text: str, source: str = "<text>") -> RelaySpec:
    """Validate spec YAML given as a string (tests, stdin, editors)."""
    try:
        parsed = parse_source(text)
    except SourceError as error:
        raise SpecError(_problems(source, error.issues, Source(None))) from None
    return _validate(parsed, source)


def spec_from_document(doc: dict[str, Any], source: str = "<document>") -> RelaySpec:
    """Validate a plain mapping (e.g. from JSON or ``to_document``) exactly as a file is validated."""
    if not isinstance(doc, dict):
        raise SpecError([Problem(source, 1, 1, "spec", "the spec must be a mapping, got "
                                 f"{type(doc).__name__}")])
    return _validate(Source(doc), source)


def _validate(parsed: Source, source: str, spec_dir: Path | None = None) -> RelaySpec:
    evidence = inline_evidence(parsed.data, spec_dir)
    issues = [*parsed.issues, *evidence, *schema_issues(parsed.data), *semantic_issues(parsed.data)]
    if spec_dir is not None:
        issues += _certificate_issues(parsed.data, spec_dir)
    if issues:
        raise SpecError(_problems(source, issues, parsed))
    return from_document(parsed.data, source, parsed.positions, parsed.ends)


def _certificate_issues(doc: Any, spec_dir: Path) -> list[Issue]:
    """Each certificateFile must be one public certificate, inside the spec's folder, not expired."""
    from datetime import UTC, datetime

    accounts = doc.get("serviceAccounts") if isinstance(doc, dict) else None
    issues = []
    for name, account in (accounts.items() if isinstance(accounts, dict) else ()):
        credential = account.get("credential") if isinstance(account, dict) else None
        file = credential.get("certificateFile") if isinstance(credential, dict) else None
        if not isinstance(file, str):
            continue
        path: SpecPath = ("serviceAccounts", name, "credential", "certificateFile")
        try:
            certificate = read_public_certificate(spec_dir, file)
        except UsageError as error:
            issues.append(Issue(path, str(error)))
            continue
        if certificate.not_after <= datetime.now(UTC):
            issues.append(Issue(path, f"certificate {certificate.subject} expired on "
                                      f"{certificate.not_after:%Y-%m-%d}; give the device a new one"))
    return issues


def _problems(source: str, issues: list[Issue], parsed: Source) -> list[Problem]:
    unique = {(issue.path, issue.message): issue for issue in reversed(issues)}  # first one wins
    return [_problem(source, issue, parsed) for issue in unique.values()]


def _problem(source: str, issue: Issue, parsed: Source) -> Problem:
    line, column = issue.at or _locate(issue, parsed)
    return Problem(source, line, column, format_path(issue.path), issue.message)


def _locate(issue: Issue, parsed: Source) -> Position:
    """The issue's position: its key when asked, else its node, else the nearest ancestor's."""
    if issue.on_key and issue.path in parsed.key_positions:
        return parsed.key_positions[issue.path]
    path: SpecPath = issue.path
    while path:
        if path in parsed.positions:
            return parsed.positions[path]
        path = path[:-1]
    return parsed.positions.get((), (1, 1))
