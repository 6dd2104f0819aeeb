"""The sandbox side of the offline apply: refuse anything but a loopback sandbox, stand in for the
DNS team, and run the Graph calls that simulate azuread.

This path simulates Entra (azuread) objects and publishes DNS through sandbox-only admin routes, so
it must never reach a real tenant: :func:`sandbox_endpoints` accepts only endpoints on loopback, and
:func:`confirm_sandbox` only a server that answers the sandbox's health route for the same tenant.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from components.offline.dns import CnameServer
from components.providers import session
from o365relay.errors import TenantError, UsageError
from o365relay.tenant.settings import Endpoints

RECORD_CHECK = "pulumi-python:dynamic/dns:RecordCheck"


def _is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def sandbox_endpoints(environ: dict[str, str]) -> Endpoints:
    """The endpoints of the environment (RELAY_*, AZURE_*), if every one is on loopback; else UsageError."""
    endpoints = Endpoints.from_env(environ)
    urls = {"RELAY_LOGIN_AUTHORITY": endpoints.login_authority, "RELAY_GRAPH_BASE": endpoints.graph_base,
            "RELAY_EXCHANGE_BASE": endpoints.exchange_base}
    if environ.get("AZURE_AUTHORITY_HOST"):
        urls["AZURE_AUTHORITY_HOST"] = environ["AZURE_AUTHORITY_HOST"]
    remote = [f"{name}={url}" for name, url in urls.items() if not _is_loopback(url)]
    if remote:
        raise UsageError("refusing to apply: this command simulates Entra (azuread) objects and only targets "
                         f"the loopback sandbox, but {', '.join(remote)} is not on loopback; for a real tenant "
                         "use `pulumi up`, for the sandbox use the environment of `relayctl sandbox`")
    return endpoints


def sandbox_base(endpoints: Endpoints) -> str:
    """The sandbox serves login, Graph and Exchange from one base URL (the Exchange base)."""
    return endpoints.exchange_base


def confirm_sandbox(client: Any, endpoints: Endpoints) -> None:
    """Ask the sandbox's health route (sandbox-only) that it is the sandbox of ``endpoints.tenant_id``."""
    import httpx

    url = f"{sandbox_base(endpoints)}/_sandbox/health"
    try:
        response = client.get(url)
    except httpx.HTTPError as error:
        raise TenantError(f"the sandbox at {url} does not answer: {error}; is `relayctl sandbox` running?") from None
    body = response.json() if response.headers.get("content-type", "").startswith("application/json") else {}
    if response.status_code != 200 or body.get("status") != "ok":
        raise UsageError(f"refusing to apply: {url} is not a sandbox tenant (HTTP {response.status_code})")
    if str(body.get("tenantId", "")).lower() != endpoints.tenant_id.lower():
        raise UsageError(f"refusing to apply: the sandbox serves tenant {body.get('tenantId')}, "
                         f"the environment names {endpoints.tenant_id}")


class DnsTeam:
    """Publishes each DKIM CNAME a record check asks for, as the DNS team would from the zone snippet.

    The record goes to the sandbox's DNS view (what Set-DkimSigningConfig -Enabled checks) and to the
    loopback DNS server the record checks resolve through. The values are the stack's own: the
    selector targets the tenant reported for the DKIM config, never computed here.
    """

    def __init__(self, client: Any, endpoints: Endpoints, server: CnameServer):
        self._client = client
        self._url = f"{sandbox_base(endpoints)}/_sandbox/dns"
        self.server = server

    def __call__(self, type_token: str, inputs: dict[str, Any]) -> None:
        if type_token != RECORD_CHECK or inputs.get("type") != "CNAME":
            return
        name = str(inputs["fqdn"]).rstrip(".").lower()
        value = str(inputs["value"]).rstrip(".").lower()
        record = {"name": name, "type": "CNAME", "value": value}
        response = self._client.post(self._url, json={"records": [record]})
        if response.status_code != 200:
            raise TenantError(f"the sandbox refused to publish {name} CNAME {value}: {response.text[:200]}")
        self.server.records[name] = value


class EntraGraph:
    """One GraphClient for the whole apply, on the tenant loop the providers' session module keeps,
    so the deployer's token is fetched once per run rather than once per Entra object."""

    def __init__(self, endpoints: Endpoints):
        self._endpoints = endpoints
        self._client: Any = None

    def __call__(self, call: Callable[[Any], Awaitable[Any]]) -> Any:
        return session.run(self._call(call))

    async def _call(self, call: Callable[[Any], Awaitable[Any]]) -> Any:
        if self._client is None:
            from o365relay.tenant.graph import GraphClient

            self._client = await GraphClient(self._endpoints).__aenter__()
        return await call(self._client)

    def close(self) -> None:
        if self._client is not None:
            session.run(self._client.aclose())
            self._client = None
