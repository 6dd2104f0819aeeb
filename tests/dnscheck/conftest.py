"""DNS test fixture: a dnsmasq on loopback (see dns_server.py), stopped after the test."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from dns_server import DnsServer


@pytest.fixture
def dns_server(tmp_path: Path) -> Iterator[DnsServer]:
    if shutil.which("dnsmasq") is None:
        pytest.fail("dnsmasq is not installed: apt-get install dnsmasq-base")
    server = DnsServer(tmp_path)
    yield server
    server.stop()
