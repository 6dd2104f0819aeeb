"""The Node tools the tests drive, from tools/package.json (`npm ci --prefix tools`, which make test runs)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

TOOLS = Path(__file__).resolve().parents[1] / "tools"


def require(package: str) -> Path:
    """The installed package's directory; a missing tool fails the test (it is never skipped)."""
    path = TOOLS / "node_modules" / package
    if not path.is_dir():
        pytest.fail(f"{package} is not installed: run `npm ci --prefix tools` (make test does it)")
    return path


def sarif_multitool() -> str:
    """The Multitool executable for this platform (the npm package picks the native build)."""
    require("@microsoft/sarif-multitool")
    return subprocess.run(["node", "-p", "require('@microsoft/sarif-multitool')"], cwd=TOOLS, check=True,
                          capture_output=True, text=True, timeout=60).stdout.strip()
