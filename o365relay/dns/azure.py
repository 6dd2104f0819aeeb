"""One TXT record set in Azure DNS, read and written whole through Azure Resource Manager.

Azure DNS has no "add a value" call: a record set is one object, replaced by every PUT. So the relay
reads the set with its ETag, merges its SPF value in (:mod:`o365relay.dns.txt`) and writes it back with
``If-Match`` (``If-None-Match: *`` when there was no set), and starts over when someone else wrote in
between (HTTP 412). Removing the relay's value writes the rest back, or deletes the set when nothing
else is left. REST shapes: Microsoft.Network/dnsZones/{zone}/TXT/{name}, api-version 2018-05-01.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from o365relay.dns.txt import merge_txt, remove_value, txt_strings
from o365relay.errors import Conflict, NotFound, PermissionDenied, TenantError, Throttled, TransientError

API_VERSION = "2018-05-01"
ARM_BASE = "https://management.azure.com"
ARM_SCOPE = "https://management.azure.com/.default"
ATTEMPTS = 5  # read-modify-write rounds before giving up on a set others keep changing
TTL = 3600


@dataclass(frozen=True)
class TxtSetAddress:
    """Where a record set lives: subscription, resource group, zone and the name relative to the zone."""

    subscription: str
    resource_group: str
    zone: str
    name: str

    def path(self) -> str:
        parts = ("subscriptions", self.subscription, "resourceGroups", self.resource_group, "providers",
                 "Microsoft.Network", "dnsZones", self.zone, "TXT", self.name)
        return "/" + "/".join(quote(p, safe="@") for p in parts)


@dataclass(frozen=True)
class TxtSet:
    values: list[str]  # each value with its character-strings joined, as receivers read it
    etag: str
    ttl: int


Token = Callable[[], Awaitable[str]]


class AzureTxtSets:
    """Read-modify-write of TXT record sets for one ARM endpoint and token source."""

    def __init__(self, client: httpx.AsyncClient, token: Token, base: str = ARM_BASE):
        self._client = client
        self._token = token
        self._base = base.rstrip("/")

    async def get(self, where: TxtSetAddress) -> TxtSet | None:
        """The set as Azure has it, or None when there is none."""
        response = await self._send("GET", where)
        if response.status_code == 404:
            return None
        body = response.json()
        properties = body.get("properties") or {}
        values = ["".join(r.get("value") or []) for r in properties.get("TXTRecords") or []]
        return TxtSet(values, str(body.get("etag", "")), int(properties.get("TTL") or TTL))

    async def put_spf(self, where: TxtSetAddress, spf: str) -> list[str]:
        """Make ``spf`` the set's one SPF record, keeping its other values; returns the set's values."""
        for _ in range(ATTEMPTS):
            current = await self.get(where)
            values = merge_txt(current.values if current else [], spf)
            if current is not None and values == current.values:
                return values
            if await self._write(where, current, values):
                return values
        raise Conflict(f"TXT set {where.name} in zone {where.zone} kept changing while it was merged; run again")

    async def remove_spf(self, where: TxtSetAddress, spf: str) -> None:
        """Take the relay's own value out; delete the set only when nothing else is in it."""
        for _ in range(ATTEMPTS):
            current = await self.get(where)
            if current is None:
                raise NotFound(f"TXT set {where.name} in zone {where.zone} is gone")
            values = remove_value(current.values, spf)
            if values == current.values:
                return
            if await self._write(where, current, values):
                return
        raise Conflict(f"TXT set {where.name} in zone {where.zone} kept changing while it was edited; run again")

    async def _write(self, where: TxtSetAddress, current: TxtSet | None, values: list[str]) -> bool:
        """False when the set changed since it was read (HTTP 412): read it again and merge again."""
        guard = {"If-Match": current.etag} if current else {"If-None-Match": "*"}
        if values:
            body = {"properties": {"TTL": current.ttl if current else TTL,
                                   "TXTRecords": [{"value": txt_strings(v)} for v in values]}}
            response = await self._send("PUT", where, guard, body)
        else:
            response = await self._send("DELETE", where, guard)
        return response.status_code != 412

    async def _send(self, method: str, where: TxtSetAddress, headers: dict[str, str] | None = None,
                    body: dict[str, Any] | None = None) -> httpx.Response:
        url = f"{self._base}{where.path()}"
        auth = {"Authorization": f"Bearer {await self._token()}", **(headers or {})}
        response = await self._client.request(method, url, params={"api-version": API_VERSION},
                                              headers=auth, json=body)
        if response.status_code < 300 or response.status_code == 412 or _set_missing(method, response):
            return response
        raise _error(response, f"{method} TXT set {where.name} in zone {where.zone}")


def _set_missing(method: str, response: httpx.Response) -> bool:
    """A 404 about the record set itself (read or delete), not about its zone (ParentResourceNotFound)."""
    return response.status_code == 404 and method in ("GET", "DELETE") and _code(response) != "ParentResourceNotFound"


def _code(response: httpx.Response) -> str:
    try:
        return str((response.json().get("error") or {}).get("code", ""))
    except (ValueError, AttributeError):
        return ""


def _error(response: httpx.Response, what: str) -> TenantError:
    try:
        error = response.json().get("error") or {}
    except ValueError:
        error = {}
    message = f"{what}: HTTP {response.status_code} {error.get('code', '')} {error.get('message', '')}".strip()
    if response.status_code in (401, 403):
        return PermissionDenied(message, "the deploying identity needs the DNS Zone Contributor role on the zone")
    if response.status_code == 404:  # the zone (ParentResourceNotFound) or resource group is not there
        return NotFound(message)
    if response.status_code == 429:
        return Throttled(message)
    if response.status_code >= 500:
        return TransientError(message)
    return TenantError(message)
