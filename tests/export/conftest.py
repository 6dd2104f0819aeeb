"""Export fixtures: a seeded sandbox with the environment pointing at it, and dnsmasq for SPF/DMARC."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from o365relay.sandbox.runner import Sandbox

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "dnscheck"))
from dns_server import DnsServer  # noqa: E402  (the dnsmasq helper the DNS tests use)


@pytest.fixture
def tenant(sandbox_factory: Callable[..., Sandbox], monkeypatch: pytest.MonkeyPatch) -> Callable[[Path], Sandbox]:
    def start(seed: Path) -> Sandbox:
        sandbox = sandbox_factory(seed=seed)
        for key, value in sandbox.env().items():
            monkeypatch.setenv(key, value)
        return sandbox

    return start


@pytest.fixture
def dns_server(tmp_path: Path) -> Iterator[DnsServer]:
    server = DnsServer(tmp_path)
    yield server
    server.stop()
