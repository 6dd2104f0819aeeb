"""Fixtures for the sandbox's own tests: real HTTPS calls (httpx, trusting the sandbox CA only)."""

from __future__ import annotations

import ssl
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from exo_client import ExoCaller

from o365relay.sandbox.runner import Sandbox


@pytest.fixture
def exo_for() -> Iterator[Callable[[Sandbox], ExoCaller]]:
    """``exo_for(sandbox)``: an ExoCaller for a sandbox started by ``sandbox_factory``."""
    callers: list[ExoCaller] = []

    def make(sandbox: Sandbox) -> ExoCaller:
        callers.append(ExoCaller(sandbox))
        return callers[-1]

    yield make
    for caller in callers:
        caller.http.close()


@pytest.fixture
def exo(sandbox: Sandbox, exo_for: Callable[[Sandbox], ExoCaller]) -> ExoCaller:
    return exo_for(sandbox)


# msgraph-sdk pointed at the sandbox (tests/sandbox/test_graph*.py)


@pytest.fixture
def graph_session(sandbox: Sandbox) -> Any:
    """``async with graph_session(client_id=None, secret=None) as client:`` a real GraphServiceClient.

    The token comes from the sandbox token endpoint through azure-identity (deployer by default); the
    httpx client trusts the sandbox CA only and keeps Graph's default middleware (retry included).
    """
    from contextlib import asynccontextmanager

    from azure.identity import ClientSecretCredential
    from kiota_authentication_azure.azure_identity_authentication_provider import (
        AzureIdentityAuthenticationProvider,
    )
    from msgraph import GraphRequestAdapter, GraphServiceClient
    from msgraph_core import GraphClientFactory

    from o365relay.sandbox.tokens import GRAPH_RESOURCE

    @asynccontextmanager
    async def session(client_id: str | None = None, secret: str | None = None) -> Any:
        ca = str(sandbox.ca_file)
        credential = ClientSecretCredential(
            sandbox.tenant_id,
            client_id or sandbox.deployer_client_id,
            secret or sandbox.deployer_client_secret,
            authority=sandbox.base_url,
            disable_instance_discovery=True,
            connection_verify=ca,
        )
        auth = AzureIdentityAuthenticationProvider(credential, scopes=[f"{GRAPH_RESOURCE}/.default"])
        http = GraphClientFactory.create_with_default_middleware(
            client=httpx.AsyncClient(verify=ssl.create_default_context(cafile=ca), timeout=30)
        )
        adapter = GraphRequestAdapter(auth, client=http)
        adapter.base_url = f"{sandbox.base_url}/v1.0"
        try:
            yield GraphServiceClient(request_adapter=adapter)
        finally:
            await http.aclose()
            credential.close()

    return session
