"""Shared fixtures: a running sandbox tenant on free loopback ports (see o365relay/sandbox/runner.py).

- ``sandbox``: function scope, fresh state dir, default seed; yields a started ``Sandbox``.
- ``sandbox_env``: ``sandbox`` plus the process environment from ``sandbox.env()`` (AZURE_* and RELAY_*).
- ``sandbox_factory``: ``sandbox_factory(seed=..., faults=..., state_dir=...)`` starts more sandboxes
  (other seeds such as ``SEEDS / "brownfield.yaml"``, fault plans, restarts on the same state dir);
  all are stopped at teardown.
- an autouse guard that gives the main thread an event loop again after a test used ``asyncio.run()``
  (Pulumi's mock runtime and policy analyzer call ``asyncio.get_event_loop()``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from o365relay.sandbox.runner import Sandbox, start_sandbox
from o365relay.sandbox.seed import SEEDS_DIR

SEEDS = SEEDS_DIR


@pytest.fixture(autouse=True)
def _main_thread_event_loop() -> None:
    try:
        asyncio.get_event_loop_policy().get_event_loop()
    except RuntimeError:
        asyncio.set_event_loop(asyncio.new_event_loop())


@pytest.fixture
def sandbox_factory(tmp_path: Path) -> Iterator[Callable[..., Sandbox]]:
    started: list[Sandbox] = []
    counter = iter(range(1_000))

    def start(seed: Path | None = None, state_dir: Path | None = None, **kwargs: Any) -> Sandbox:
        directory = state_dir or tmp_path / f"sandbox-{next(counter)}"
        sandbox = start_sandbox(directory, seed=seed, **kwargs)
        started.append(sandbox)
        return sandbox

    yield start
    for sandbox in started:
        sandbox.stop()


@pytest.fixture
def sandbox(sandbox_factory: Callable[..., Sandbox]) -> Sandbox:
    return sandbox_factory()


@pytest.fixture
def sandbox_env(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    for key, value in sandbox.env().items():
        monkeypatch.setenv(key, value)
    return sandbox
