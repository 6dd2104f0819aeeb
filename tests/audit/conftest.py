"""Audit fixtures: a sandbox started from a seed, with the process environment pointing at it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from o365relay.sandbox.runner import Sandbox


@pytest.fixture
def tenant(sandbox_factory: Callable[..., Sandbox], monkeypatch: pytest.MonkeyPatch) -> Callable[[Path], Sandbox]:
    """Start a sandbox from a seed and point the environment (AZURE_*, RELAY_*) at it."""

    def start(seed: Path) -> Sandbox:
        sandbox = sandbox_factory(seed=seed)
        for key, value in sandbox.env().items():
            monkeypatch.setenv(key, value)
        return sandbox

    return start
