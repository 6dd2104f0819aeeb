"""Fixtures for driving the providers through the real dynamic-provider host against the sandbox.

What these host-over-gRPC tests check that the engine tests (tests/engine) cannot, at a cost of one
call per case rather than one ``pulumi up``: each kind's edge cases (adopting an identical object,
refusing a conflicting one with its guidance, Exchange's value normalisation in diff, "already gone"
on delete, refresh of a vanished object, tenant faults and their error text).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from dynamic_host import DynamicHost
from provider_support import Served, Tenant

from o365relay.sandbox.runner import Sandbox

# The mock-rendering support of tests/components (strip_secrets, as the engine strips them).
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
