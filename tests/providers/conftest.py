"""Fixtures for driving the providers through the real dynamic-provider host against the sandbox."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from provider_support import Served, Tenant

from components.offline.host import DynamicHost
from o365relay.sandbox.runner import Sandbox

# The mock-rendering support of tests/components (the end-to-end test renders the program first).
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "components"))


@pytest.fixture
def host(sandbox: Sandbox) -> Iterator[DynamicHost]:
    """A host process with the sandbox's environment (AZURE_*, RELAY_*) and the stack config."""
    with DynamicHost(config={"o365-relay:tenantId": sandbox.tenant_id}, env=sandbox.env()) as h:
        yield h


@pytest.fixture
def tenant(sandbox: Sandbox) -> Tenant:
    return Tenant(sandbox)


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> Served:
    return Served(monkeypatch)
