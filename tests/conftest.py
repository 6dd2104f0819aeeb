"""Shared fixtures: a running sandbox tenant on free loopback ports (see o365relay/sandbox/runner.py).

- ``sandbox``: function scope, fresh state dir, default seed; yields a started ``Sandbox``.
- ``sandbox_env``: ``sandbox`` plus the process environment from ``sandbox.env()`` (AZURE_* and RELAY_*).
- ``sandbox_factory``: ``sandbox_factory(seed=..., faults=..., state_dir=...)`` starts more sandboxes
  (other seeds such as ``SEEDS / "brownfield.yaml"``, fault plans, restarts on the same state dir);
  all are stopped at teardown.
- ``readme_samples``: session scope; the README sample generator, ``scripts/readme_samples.py``.
- ``demo_run``: session scope; one ``relayctl demo`` run (``scripts/readme_samples.run_demo``) shared by the
  demo's test and the README's demo sample, as ``(completed process, the directory it wrote under)``.
- an autouse guard that gives the main thread an event loop again after a test used ``asyncio.run()``
  (Pulumi's mock runtime and policy analyzer call ``asyncio.get_event_loop()``).
"""

from __future__ import annotations

import asyncio
import importlib.util
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from o365relay.sandbox.runner import Sandbox, start_sandbox
from o365relay.sandbox.seed import SEEDS_DIR

SEEDS = SEEDS_DIR
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def readme_samples() -> ModuleType:
    """``scripts/readme_samples.py`` (scripts/ is not a package: loaded from its file)."""
    spec = importlib.util.spec_from_file_location("readme_samples", ROOT / "scripts" / "readme_samples.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def demo_run(readme_samples: ModuleType,
             tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], Path]:
    where = tmp_path_factory.mktemp("demo")
    return readme_samples.run_demo(where), where


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
