"""relayctl lint's SARIF passes Microsoft's SARIF Multitool with GitHub's ingestion rules (rule kind Gh).

The Multitool is the validator GitHub's SARIF documentation points to; its ``Gh`` rules are what code
scanning requires of an upload (fullDescription on every rule, end positions, ...).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from node_tools import sarif_multitool

from o365relay.cli.main import main

REPO = Path(__file__).resolve().parents[2]

# An active waiver (the Basic-auth sender) next to open findings (DMARC p=none, no TLS required).
WAIVED_AND_OPEN = """\
version: 1
tenant:
  id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a
  initialDomain: contoso.onmicrosoft.com
domains:
  contoso.com:
    dmarc: {policy: none, rua: [mailto:dmarc@contoso.com]}
connectors:
  dc1-relay:
    senderIPs: [203.0.113.0/28]
    requireTls: false
serviceAccounts:
  scanner:
    kind: mailbox
    mailbox: scanner@contoso.com
waivers:
  - rule: no-basic-smtp-auth
    target: serviceAccounts.scanner
    reason: the MFP is replaced in Q3, ticket FAC-7
    expires: 2099-12-31
"""


def lint_sarif(spec: Path, output: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    main(["lint", str(spec), "--format", "sarif", "--enforcement", "mandatory", "--output", str(output)])
    capsys.readouterr()
    log: dict[str, Any] = json.loads(output.read_text())
    return log


def multitool_problems(tmp_path: Path, *logs: Path) -> list[str]:
    """Errors and warnings of the Multitool's SARIF and GitHub rules over ``logs``, one line each."""
    report = tmp_path / "multitool.sarif"
    proc = subprocess.run([sarif_multitool(), "validate", *map(str, logs), "--rule-kind", "Sarif;Gh",
                           "--output", str(report), "--log", "ForceOverwrite", "--quiet"],
                          capture_output=True, text=True, timeout=300, check=False,
                          env={"DOTNET_CLI_TELEMETRY_OPTOUT": "1", "HOME": str(tmp_path)})
    assert report.is_file(), proc.stdout + proc.stderr
    results = json.loads(report.read_text())["runs"][0]["results"]
    return [f"{r['ruleId']} {r.get('level', 'warning')}: {r['message']}" for r in results
            if r.get("level", "warning") in ("error", "warning")]


def test_multitool_accepts_the_example_and_a_spec_with_waived_and_open_findings(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "relay.dev.yaml"
    spec.write_text(WAIVED_AND_OPEN)
    example = lint_sarif(REPO / "relay.prod.yaml", tmp_path / "example.sarif", capsys)
    mixed = lint_sarif(spec, tmp_path / "mixed.sarif", capsys)
    assert example["runs"][0]["properties"]["waived"] and mixed["runs"][0]["properties"]["waived"]
    assert {r["ruleId"] for r in mixed["runs"][0]["results"]} == {"dmarc-enforced", "connector-tls"}
    assert multitool_problems(tmp_path, tmp_path / "example.sarif", tmp_path / "mixed.sarif") == []


def test_multitool_reports_what_github_would_reject(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The check above can fail: a rule without fullDescription, a result without end position."""
    log = lint_sarif(REPO / "relay.prod.yaml", tmp_path / "example.sarif", capsys)
    del log["runs"][0]["tool"]["driver"]["rules"][0]["fullDescription"]
    broken = tmp_path / "broken.sarif"
    broken.write_text(json.dumps(log))
    problems = multitool_problems(tmp_path, broken)
    assert len(problems) == 1 and problems[0].startswith("GH2012 error"), problems
