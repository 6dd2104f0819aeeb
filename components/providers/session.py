"""Tenant clients for one provider call, built from the stack config and the host's environment.

Dynamic providers are pickled into Pulumi state, so they keep no client, credential or token. Each
CRUD call opens a :class:`TenantSession` here, in the provider host process: endpoints come from
``Endpoints.from_env()`` with the stack config (``o365-relay:tenantId`` and the optional endpoint
overrides below) taking precedence, and the credential from ``credential_for`` (azure-identity,
environment at call time); the Exchange and Graph clients are built per call.

What the host process keeps between calls is the plumbing a client would otherwise rebuild each
time: one event loop (the host calls providers from several worker threads), the TLS context per
CA file, and the credential per endpoints and environment, so its token is fetched once an hour
rather than once per operation (one round trip less per resource). That state lives in this
module's process memory only: providers are pickled by reference, so nothing here reaches state
(the canary test checks the blobs).
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import os
import ssl
import threading
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
# Stack config key of the Azure Resource Manager base URL (DNS backend azure) in another cloud; else the public one.
ARM_BASE = "armBase"


def read_config(config: Any) -> dict[str, str]:
    """Pick the keys this project's providers use out of a ``pulumi.dynamic.Config``."""
    out: dict[str, str] = {}
    for key in (*CONFIG_FIELDS, NAMESERVER, ARM_BASE):
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


class _HostRuntime:
    """The host process's event loop thread and the per-process caches described above."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._credentials: dict[tuple[Any, ...], Any] = {}
        self._tls: dict[str | None, ssl.SSLContext] = {}

    def loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None or self._loop.is_closed():
                self._loop = asyncio.new_event_loop()
                threading.Thread(target=self._loop.run_forever, name="o365relay-tenant", daemon=True).start()
            return self._loop

    def credential(self, endpoints: Any) -> Any:
        """The deploying identity's credential for these endpoints and this environment."""
        from o365relay.tenant.credentials import credential_for, credential_kind

        # a digest of the sources, so a changed secret means another credential without keeping a copy
        sources = hashlib.sha256("\0".join(os.environ.get(k, "") for k in _CREDENTIAL_SOURCES).encode())
        key = (endpoints, credential_kind(), os.environ.get("AZURE_CLIENT_ID"), sources.hexdigest())
        with self._lock:
            if key not in self._credentials:
                self._credentials[key] = credential_for(endpoints)
            return self._credentials[key]

    def tls(self, endpoints: Any) -> ssl.SSLContext:
        with self._lock:
            if endpoints.ca_file not in self._tls:
                self._tls[endpoints.ca_file] = endpoints.ssl_context()
            return self._tls[endpoints.ca_file]


# Environment variables whose change means another credential.
_CREDENTIAL_SOURCES = ("AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PATH", "AZURE_FEDERATED_TOKEN_FILE",
                       "ACTIONS_ID_TOKEN_REQUEST_URL")
_RUNTIME = _HostRuntime()


class TenantSession:
    """Exchange and Graph clients for one provider call, opened on first use and closed at exit."""

    def __init__(self, config: Mapping[str, str]):
        self._config = dict(config)
        self._endpoints: Any = None
        self._exchange: Any = None
        self._graph: Any = None
        self._arm: Any = None

    def _setup(self) -> tuple[Any, Any]:
        if self._endpoints is None:
            self._endpoints = endpoints_for(self._config)
        return self._endpoints, _RUNTIME.credential(self._endpoints)

    async def exchange(self) -> Any:
        """The Exchange admin client (``invoke`` / ``invoke_batch``)."""
        if self._exchange is None:
            import httpx

            from o365relay.tenant.exchange import ExchangeClient

            endpoints, credential = self._setup()
            transport = httpx.AsyncHTTPTransport(verify=_RUNTIME.tls(endpoints))
            self._exchange = await ExchangeClient(endpoints, credential, transport=transport).__aenter__()
        return self._exchange

    async def graph(self) -> Any:
        """The Microsoft Graph client (msgraph-sdk underneath)."""
        if self._graph is None:
            import httpx

            from o365relay.tenant.graph import GraphClient

            endpoints, credential = self._setup()
            transport = httpx.AsyncHTTPTransport(verify=_RUNTIME.tls(endpoints), http2=True)
            self._graph = await GraphClient(endpoints, credential, transport=transport).__aenter__()
        return self._graph

    async def azure_txt_sets(self) -> Any:
        """Azure DNS TXT record sets through Resource Manager (the DNS backend ``azure``)."""
        import httpx

        from o365relay.dns import azure

        endpoints, credential = self._setup()
        if self._arm is None:
            self._arm = httpx.AsyncClient(verify=_RUNTIME.tls(endpoints), timeout=60)

        async def token() -> str:
            return str((await credential.get_token(azure.ARM_SCOPE)).token)
        return azure.AzureTxtSets(self._arm, token, self._config.get(ARM_BASE) or azure.ARM_BASE)

    async def __aenter__(self) -> TenantSession:
        return self

    async def __aexit__(self, *exc: object) -> None:
        for client in (self._exchange, self._graph, self._arm):
            if client is not None:
                await client.aclose()


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine on the host's tenant loop from one of the host's worker threads."""
    return asyncio.run_coroutine_threadsafe(coro, _RUNTIME.loop()).result()
