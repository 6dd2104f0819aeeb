"""The hash-pinned lock that make and CI install from must match pyproject.toml (`scripts/lock.sh check`)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UV = Path(sys.executable).parent / "uv"


def check(project: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", "scripts/lock.sh", "check"], cwd=project, capture_output=True, text=True,
                          env={"UV": str(UV), "PATH": "/usr/bin:/bin"}, timeout=300, check=False)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of what the lock is made from, to make stale."""
    for name in ("pyproject.toml", "uv.lock", "README.md", "scripts/lock.sh", "requirements/runtime.lock",
                 "requirements/dev.lock"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, tmp_path / name)
    return tmp_path


def test_the_committed_lock_is_current() -> None:
    result = check(ROOT)
    assert result.returncode == 0, result.stderr


def test_every_locked_requirement_carries_hashes() -> None:
    for lock in ("runtime", "dev"):
        text = (ROOT / "requirements" / f"{lock}.lock").read_text()
        pins = [line for line in text.splitlines() if line and not line.startswith((" ", "#"))]
        assert pins and all("==" in pin and pin.endswith("\\") for pin in pins), lock  # `\` continues to --hash


def test_a_changed_dependency_in_pyproject_makes_the_check_fail(project: Path) -> None:
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('"PyYAML>=6.0,<7"', '"PyYAML>=6.0.1,<7"'))
    result = check(project)
    assert result.returncode == 1
    assert "uv.lock is stale" in result.stderr


def test_a_hand_edited_requirements_lock_makes_the_check_fail(project: Path) -> None:
    lock = project / "requirements" / "runtime.lock"
    lock.write_text(lock.read_text() + f"not-in-pyproject==1.0 --hash=sha256:{'0' * 64}\n")
    result = check(project)
    assert result.returncode == 1
    assert "requirements/runtime.lock is stale" in result.stderr
