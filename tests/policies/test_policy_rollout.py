"""A staged switch through the policy pack, driven over gRPC as the engine drives it, on the program's real
resources (mock runtime): observe leaves the switch alone and reports what enforcing would break; enforce
on evidence naming an undeclared sender is refused (mandatory even on an advisory stack) with the evidence;
enforce on clean evidence passes and the program sets the switch."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from policy_analyzer import Diagnostic, PolicyAnalyzer  # noqa: E402
from program_graph import program_resources  # noqa: E402

SWITCH = "pulumi-python:dynamic/exchange:OrgSmtpAuth"
PRINTER = "printer7@contoso.com"
SPEC = """\
version: 1
tenant:
  id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a
  initialDomain: contoso.onmicrosoft.com
  smtpAuth: {stage: STAGE, evidenceDays: 7}
  evidence: evidence.json
domains:
  contoso.com:
    dmarc: {policy: reject, rua: ["mailto:dmarc-reports@contoso.com"]}
"""
DECLARED = """\
serviceAccounts:
  printer7: {kind: mailbox, mailbox: printer7@contoso.com}
waivers:
  - {rule: no-basic-smtp-auth, target: serviceAccounts.printer7, reason: "to a connector, FAC-9", expires: EXPIRES}
"""


@pytest.fixture(scope="module")
def analyzer() -> Iterator[PolicyAnalyzer]:
    pack = PolicyAnalyzer({"o365-relay:enforcement": "advisory"})
    yield pack
    pack.close()


def stack(tmp_path: Path, stage: str, declared: bool = False) -> Path:
    end = datetime.now(UTC)
    seen = {"address": PRINTER, "count": 41, "first": (end - timedelta(days=6)).isoformat(),
            "last": (end - timedelta(hours=2)).isoformat(), "ips": ["198.51.100.40"]}
    evidence = {"tenant": "7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a", "start": (end - timedelta(days=7)).isoformat(),
                "end": end.isoformat(), "signInLog": "read", "basicSignIns": [seen], "senders": []}
    (tmp_path / "evidence.json").write_text(json.dumps(evidence))
    expires = (end + timedelta(days=60)).date().isoformat()
    spec = tmp_path / "relay.test.yaml"
    spec.write_text(SPEC.replace("STAGE", stage) + (DECLARED.replace("EXPIRES", expires) if declared else ""))
    return spec


def analyze(analyzer: PolicyAnalyzer, spec: Path) -> tuple[set[str], list[Diagnostic]]:
    resources = program_resources(spec)
    found = analyzer.analyze_stack([r.analyze_stack_resource() for r in resources])
    return {r.type for r in resources}, [d for d in found if d.policy.startswith("switch-")]


def test_observe_leaves_the_switch_and_names_what_would_break(analyzer: PolicyAnalyzer, tmp_path: Path) -> None:
    types, found = analyze(analyzer, stack(tmp_path, "observe"))
    assert SWITCH not in types
    [observed] = found
    assert (observed.policy, observed.enforcement) == ("switch-observe", "advisory")
    assert PRINTER in observed.message and "41 Basic sign-ins" in observed.message


def test_enforce_on_dirty_evidence_is_refused_with_the_evidence(analyzer: PolicyAnalyzer, tmp_path: Path) -> None:
    types, found = analyze(analyzer, stack(tmp_path, "enforce"))
    assert SWITCH in types
    [refused] = found
    assert (refused.policy, refused.enforcement) == ("switch-enforce-evidence", "mandatory")
    today = datetime.now(UTC)
    assert PRINTER in refused.message and "198.51.100.40" in refused.message
    assert f"evidence {(today - timedelta(days=7)):%Y-%m-%d}" in refused.message and " UTC" in refused.message


def test_enforce_on_clean_evidence_passes(analyzer: PolicyAnalyzer, tmp_path: Path) -> None:
    types, found = analyze(analyzer, stack(tmp_path, "enforce", declared=True))
    assert SWITCH in types and found == []
