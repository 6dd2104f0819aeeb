"""Where the tenant lives: login authority, Graph and Exchange bases, tenant id and trusted CA.

One frozen value object carries every URL the clients use, so the same code talks to Microsoft's
global cloud, a national cloud or the offline sandbox. Token audiences (the ``.default`` scopes)
stay the real resource URIs of the cloud even against the sandbox, which checks them.
"""

from __future__ import annotations

import os
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from o365relay.errors import UsageError

GRAPH_SCOPE = "https://graph.microsoft.com/.default"
EXCHANGE_SCOPE = "https://outlook.office365.com/.default"

# Graph / Exchange hosts of the national clouds -> their own token audiences.
_NATIONAL_SCOPES = {
    "graph.microsoft.us": "https://graph.microsoft.us/.default",
    "dod-graph.microsoft.us": "https://dod-graph.microsoft.us/.default",
    "microsoftgraph.chinacloudapi.cn": "https://microsoftgraph.chinacloudapi.cn/.default",
    "outlook.office365.us": "https://outlook.office365.us/.default",
    "outlook-dod.office365.us": "https://outlook-dod.office365.us/.default",
    "partner.outlook.cn": "https://partner.outlook.cn/.default",
}
_MICROSOFT_AUTHORITIES = frozenset({
    "login.microsoftonline.com", "login.microsoftonline.us", "login.chinacloudapi.cn",
    "login.partner.microsoftonline.cn",
})


@dataclass(frozen=True)
class Endpoints:
    """The tenant and the base URLs of its login authority, Graph and Exchange admin endpoint.

    ``ca_file`` is an extra CA bundle to trust (the sandbox's own CA); ``None`` means the system
    store. Every base must be ``https://``: TLS verification is never turned off.
    """

    tenant_id: str
    login_authority: str = "https://login.microsoftonline.com"
    graph_base: str = "https://graph.microsoft.com/v1.0"
    exchange_base: str = "https://outlook.office365.com"
    ca_file: str | None = None

    def __post_init__(self) -> None:
        if not self.tenant_id or "/" in self.tenant_id:
            raise UsageError(f"tenant id {self.tenant_id!r} is not a tenant GUID or domain name")
        for name in ("login_authority", "graph_base", "exchange_base"):
            value = getattr(self, name)
            parts = urlsplit(value)
            if parts.scheme != "https" or not parts.hostname:
                raise UsageError(f"{name} {value!r} must be an https:// URL (TLS is never turned off)")
            object.__setattr__(self, name, value.rstrip("/"))
        if self.ca_file is not None and not os.path.isfile(self.ca_file):
            raise UsageError(f"CA file {self.ca_file!r} does not exist")

    @classmethod
    def global_cloud(cls, tenant_id: str) -> Endpoints:
        """Microsoft's worldwide cloud (also GCC)."""
        return cls(tenant_id)

    @classmethod
    def us_gov_high(cls, tenant_id: str) -> Endpoints:
        """Microsoft 365 GCC High (Azure US Government)."""
        return cls(tenant_id, "https://login.microsoftonline.us", "https://graph.microsoft.us/v1.0",
                   "https://outlook.office365.us")

    @classmethod
    def china(cls, tenant_id: str) -> Endpoints:
        """Microsoft 365 operated by 21Vianet."""
        return cls(tenant_id, "https://login.chinacloudapi.cn",
                   "https://microsoftgraph.chinacloudapi.cn/v1.0", "https://partner.outlook.cn")

    @classmethod
    def sandbox(cls, base_url: str, tenant_id: str, ca_file: str | None) -> Endpoints:
        """The offline sandbox: login, Graph and Exchange all served from ``base_url``."""
        base = base_url.rstrip("/")
        return cls(tenant_id, base, base + "/v1.0", base, ca_file)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Endpoints:
        """Read RELAY_TENANT_ID (or AZURE_TENANT_ID), RELAY_LOGIN_AUTHORITY, RELAY_GRAPH_BASE,
        RELAY_EXCHANGE_BASE and RELAY_CA_FILE; unset values fall back to the global cloud."""
        env = os.environ if environ is None else environ
        tenant = env.get("RELAY_TENANT_ID") or env.get("AZURE_TENANT_ID")
        if not tenant:
            raise UsageError("no tenant: set RELAY_TENANT_ID (or AZURE_TENANT_ID) to the tenant GUID")
        defaults = cls(tenant)
        return cls(
            tenant,
            env.get("RELAY_LOGIN_AUTHORITY") or defaults.login_authority,
            env.get("RELAY_GRAPH_BASE") or defaults.graph_base,
            env.get("RELAY_EXCHANGE_BASE") or defaults.exchange_base,
            env.get("RELAY_CA_FILE") or None,
        )

    @property
    def graph_scope(self) -> str:
        """Token scope for Graph: the cloud's Graph resource (the global one for the sandbox)."""
        return _NATIONAL_SCOPES.get(urlsplit(self.graph_base).hostname or "", GRAPH_SCOPE)

    @property
    def exchange_scope(self) -> str:
        """Token scope for the Exchange admin endpoint (the global one for the sandbox)."""
        return _NATIONAL_SCOPES.get(urlsplit(self.exchange_base).hostname or "", EXCHANGE_SCOPE)

    def ssl_context(self) -> ssl.SSLContext:
        """TLS verification for httpx: ``ca_file`` if set, else the system trust store."""
        return ssl.create_default_context(cafile=self.ca_file)

    @property
    def graph_host(self) -> str:
        return urlsplit(self.graph_base).hostname or ""

    @property
    def is_microsoft_cloud(self) -> bool:
        """False for a private authority such as the sandbox (no instance discovery there)."""
        return (urlsplit(self.login_authority).hostname or "") in _MICROSOFT_AUTHORITIES
