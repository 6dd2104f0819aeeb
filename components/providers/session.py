"""Tenant clients for provider calls, built from the stack config and the host's environment.

Dynamic providers are pickled into Pulumi state, so they keep no client, credential or token. Each
CRUD call opens a :class:`TenantSession` here, in the provider host process: endpoints come from
``Endpoints.from_env()`` with the stack config (``o365-relay:tenantId`` and the optional endpoint
overrides below) taking precedence, and the credential from ``credential_for`` (azure-identity,
environment at call time).

What the host process keeps between calls is what a call would otherwise rebuild each time, so a
warm operation costs its HTTP round trips and little else: one event loop (the host calls providers
from several worker threads), and per endpoints and credential one token cache and one Exchange,
one Graph and one Resource Manager client (their connection pools stay open: no TLS handshake, no
msgraph-sdk construction per call). The host also limits itself: at most :data:`OPERATIONS` provider operations
run at once per process (``RELAY_PROVIDER_CONCURRENCY``), and the shared Exchange client keeps at
most 3 requests in flight, so an engine run with a high ``--parallel`` queues here instead of
tripping Exchange's per-tenant concurrency limit. That state lives in this module's process memory
only: providers are pickled by reference, so nothing here reaches state (the canary test checks
the blobs).
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


OPERATIONS = int(os.environ.get("RELAY_PROVIDER_CONCURRENCY", "8") or 8)


class _HostRuntime:
    """The host process's event loop thread and the per-process caches described above."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._slots: asyncio.Semaphore | None = None
        self._credentials: dict[tuple[Any, ...], Any] = {}
        self._clients: dict[tuple[str, tuple[Any, ...]], Any] = {}
        self._tls: dict[str | None, ssl.SSLContext] = {}
        os.register_at_fork(after_in_child=self._after_fork)

    def _after_fork(self) -> None:
        """Only the forking thread survives a fork: a child would wait forever on the parent's loop thread
        (and on clients and credentials opened on that loop), so it starts its own on first use."""
        self._lock = threading.Lock()
        self._loop = self._slots = None
        self._clients.clear()
        self._credentials.clear()

    def loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None or self._loop.is_closed():
                self._loop = asyncio.new_event_loop()
                self._slots = asyncio.Semaphore(max(1, OPERATIONS))
                self._clients.clear()  # clients belong to the loop they were opened on
                threading.Thread(target=self._loop.run_forever, name="o365relay-tenant", daemon=True).start()
            return self._loop

    async def limited(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run ``coro`` within the process's operation limit (on the host loop)."""
        assert self._slots is not None
        async with self._slots:
            return await coro

    def _key(self, endpoints: Any) -> tuple[Any, ...]:
        from o365relay.tenant.credentials import credential_kind

        # a digest of the sources, so a changed secret means another credential without keeping a copy
        sources = hashlib.sha256("\0".join(os.environ.get(k, "") for k in _CREDENTIAL_SOURCES).encode())
        return endpoints, credential_kind(), os.environ.get("AZURE_CLIENT_ID"), sources.hexdigest()

    def credential(self, endpoints: Any) -> Any:
        """The deploying identity's credential for these endpoints and this environment, behind one
        token cache for the process."""
        from o365relay.tenant.credentials import credential_for
        from o365relay.tenant.token_cache import TokenCache

        key = self._key(endpoints)
        with self._lock:
            if key not in self._credentials:
                self._credentials[key] = TokenCache(credential_for(endpoints))
            return self._credentials[key]

    async def client(self, kind: str, endpoints: Any) -> Any:
        """The process's open Exchange, Graph or ARM client for these endpoints and credential (on the host
        loop, so no other coroutine runs between the lookup and the insert)."""
        import httpx

        from o365relay.tenant.exchange import ExchangeClient
        from o365relay.tenant.graph import GraphClient

        key = (kind, self._key(endpoints))
        if key not in self._clients:
            credential = self.credential(endpoints)
            if kind == "arm":  # Azure Resource Manager (DNS backend ``azure``): plain HTTPS
                self._clients[key] = httpx.AsyncClient(verify=self.tls(endpoints), timeout=60)
                return self._clients[key]
            if kind == "exchange":
                transport = httpx.AsyncHTTPTransport(verify=self.tls(endpoints))
                client: Any = ExchangeClient(endpoints, credential, transport=transport)
            else:
                transport = httpx.AsyncHTTPTransport(verify=self.tls(endpoints), http2=True)
                client = GraphClient(endpoints, credential, transport=transport)
            self._clients[key] = await client.__aenter__()
        return self._clients[key]

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
    """The process's Exchange and Graph clients for one provider call (opened on first use, kept
    open for the next call)."""

    def __init__(self, config: Mapping[str, str]):
        self._config = dict(config)
        self._endpoints: Any = None

    def _setup(self) -> Any:
        if self._endpoints is None:
            self._endpoints = endpoints_for(self._config)
        return self._endpoints

    async def exchange(self) -> Any:
        """The Exchange admin client (``invoke`` / ``invoke_batch``)."""
        return await _RUNTIME.client("exchange", self._setup())

    async def graph(self) -> Any:
        """The Microsoft Graph client (msgraph-sdk underneath)."""
        return await _RUNTIME.client("graph", self._setup())

    async def azure_txt_sets(self) -> Any:
        """Azure DNS TXT record sets through Resource Manager (the DNS backend ``azure``)."""
        from o365relay.dns import azure

        endpoints = self._setup()
        credential = _RUNTIME.credential(endpoints)
        arm = await _RUNTIME.client("arm", endpoints)

        async def token() -> str:
            return str((await credential.get_token(azure.ARM_SCOPE)).token)
        return azure.AzureTxtSets(arm, token, self._config.get(ARM_BASE) or azure.ARM_BASE)

    async def __aenter__(self) -> TenantSession:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine on the host's tenant loop from one of the host's worker threads, within the
    process's operation limit."""
    loop = _RUNTIME.loop()
    return asyncio.run_coroutine_threadsafe(_RUNTIME.limited(coro), loop).result()
