"""Tenant clients for one provider call, built from the stack config and the host's environment.

Dynamic providers are pickled into Pulumi state, so they keep no client, credential or token. Each
CRUD call opens a :class:`TenantSession` here, in the provider host process: endpoints come from
``Endpoints.from_env()`` with the stack config (``o365-relay:tenantId`` and the optional endpoint
overrides below) taking precedence, and the credential from ``credential_for`` (azure-identity,
environment at call time). Nothing in this module is ever serialized.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Coroutine, Mapping
from typing import Any, TypeVar

from o365relay.errors import UsageError

T = TypeVar("T")

PROJECT = "o365-relay"
# Stack config key -> Endpoints field. tenantId is required (here or in the environment).
CONFIG_FIELDS: dict[str, str] = {
    "tenantId": "tenant_id",
    "loginAuthority": "login_authority",
    "graphBase": "graph_base",
    "exchangeBase": "exchange_base",
    "caFile": "ca_file",
}


# Stack config key of the DNS server record checks ask (IP[:PORT]); else RELAY_NAMESERVER, else the system's.
NAMESERVER = "nameserver"


def read_config(config: Any) -> dict[str, str]:
    """Pick the keys this project's providers use out of a ``pulumi.dynamic.Config``."""
    out: dict[str, str] = {}
    for key in (*CONFIG_FIELDS, NAMESERVER):
        value = config.get(f"{PROJECT}:{key}")
        if value:
            out[key] = str(value)
    return out


def endpoints_for(config: Mapping[str, str]) -> Any:
    """The tenant endpoints: the environment first, overridden by the stack config."""
    from o365relay.tenant.settings import Endpoints

    overrides = {CONFIG_FIELDS[k]: v for k, v in config.items() if k in CONFIG_FIELDS}
    try:
        base = Endpoints.from_env()
    except (KeyError, ValueError, UsageError):
        if "tenant_id" not in overrides:
            raise UsageError(
                "no tenant id: set the stack config o365-relay:tenantId "
                "(pulumi config set o365-relay:tenantId <guid>) or AZURE_TENANT_ID"
            ) from None
        base = Endpoints.global_cloud(overrides["tenant_id"])
    return dataclasses.replace(base, **overrides)


class TenantSession:
    """Lazily opened Exchange and Graph clients sharing one credential, for one provider call."""

    def __init__(self, config: Mapping[str, str]):
        self._config = dict(config)
        self._endpoints: Any = None
        self._credential: Any = None
        self._exchange: Any = None
        self._graph: Any = None

    def _setup(self) -> None:
        if self._endpoints is None:
            from o365relay.tenant.credentials import credential_for

            self._endpoints = endpoints_for(self._config)
            self._credential = credential_for(self._endpoints)

    async def exchange(self) -> Any:
        """The Exchange admin client (``invoke`` / ``invoke_batch``)."""
        if self._exchange is None:
            from o365relay.tenant.exchange import ExchangeClient

            self._setup()
            self._exchange = await ExchangeClient(self._endpoints, self._credential).__aenter__()
        return self._exchange

    async def graph(self) -> Any:
        """The Microsoft Graph client (msgraph-sdk underneath)."""
        if self._graph is None:
            from o365relay.tenant.graph import GraphClient

            self._setup()
            self._graph = await GraphClient(self._endpoints, self._credential).__aenter__()
        return self._graph

    async def __aenter__(self) -> TenantSession:
        return self

    async def __aexit__(self, *exc: object) -> None:
        for client in (self._exchange, self._graph):
            if client is not None:
                await client.aclose()
        if self._credential is not None:
            await self._credential.close()


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine from the provider host's worker thread."""
    from o365relay.tenant.sync import run_sync

    return run_sync(coro)
