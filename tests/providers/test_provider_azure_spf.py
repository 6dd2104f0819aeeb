"""dns:AzureSpf through the real provider host against the sandbox's Azure DNS (Resource Manager routes):
the relay's SPF value is merged into the apex TXT set the zone already has, and removed alone."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from dynamic_host import DynamicHost
from provider_support import Driven

from components.providers.azure_spf import AzureSpfProvider
from o365relay.sandbox.runner import Sandbox
from o365relay.sandbox.tokens import ARM_RESOURCE

TYPE = "pulumi-python:dynamic/dns:AzureSpf"
SUB = "00000000-1111-2222-3333-444444444444"
ZONE = f"/subscriptions/{SUB}/resourceGroups/dns-rg/providers/Microsoft.Network/dnsZones/contoso.com"
OURS = "v=spf1 ip4:203.0.113.0/28 include:spf.protection.outlook.com -all"
VERIFY = "MS=ms48151623"
VENDOR = "google-site-verification=abc123"
PROPS = {"subscription": SUB, "resource_group": "dns-rg", "zone": "contoso.com", "name": "@", "spf": OURS}


class Zone:
    """The zone as the DNS team sees it in the portal: Resource Manager calls with their own token."""

    def __init__(self, sandbox: Sandbox):
        token = sandbox.ctx.tokens.issue(sandbox.deployer_client_id, ARM_RESOURCE)
        tls = ssl.create_default_context(cafile=sandbox.ca_file)
        self.http = httpx.Client(base_url=sandbox.base_url, verify=tls, timeout=10,
                                 headers={"Authorization": f"Bearer {token}"}, params={"api-version": "2018-05-01"})
        self.http.put(ZONE, json={"location": "global"}).raise_for_status()

    def put(self, name: str, *values: list[str]) -> None:
        body = {"properties": {"TTL": 300, "TXTRecords": [{"value": v} for v in values]}}
        self.http.put(f"{ZONE}/TXT/{name}", json=body).raise_for_status()

    def get(self, name: str) -> dict[str, Any] | None:
        response = self.http.get(f"{ZONE}/TXT/{name}")
        return None if response.status_code == 404 else response.raise_for_status().json()

    def values(self, name: str) -> list[str] | None:
        found = self.get(name)
        return None if found is None else ["".join(r["value"]) for r in found["properties"]["TXTRecords"]]


@pytest.fixture
def zone(sandbox: Sandbox) -> Iterator[Zone]:
    z = Zone(sandbox)
    yield z
    z.http.close()


@pytest.fixture
def arm_host(sandbox: Sandbox) -> Iterator[DynamicHost]:
    config = {"o365-relay:tenantId": sandbox.tenant_id, "o365-relay:armBase": sandbox.base_url}
    with DynamicHost(config=config, env=sandbox.env()) as host:
        yield host


def test_spf_joins_the_apex_set_and_leaves_alone(arm_host: DynamicHost, zone: Zone) -> None:
    zone.put("@", [VERIFY], ["v=spf1 include:old.example -all"], [VENDOR])
    res = Driven(arm_host, AzureSpfProvider(), TYPE, "contoso-spf")
    res.create(PROPS)
    assert zone.values("@") == [VERIFY, OURS, VENDOR]  # one SPF record, in the old one's place
    assert zone.get("@")["properties"]["TTL"] == 300  # the set's own TTL is kept

    zone.put("@", *[[v] for v in zone.values("@") or []], ["apple-domain-verification=xyz"])  # someone adds one
    res.delete()
    assert zone.values("@") == [VERIFY, VENDOR, "apple-domain-verification=xyz"]
    res.delete()  # already gone: nothing else is touched
    assert zone.values("@") == [VERIFY, VENDOR, "apple-domain-verification=xyz"]


def test_long_spf_is_written_as_255_character_strings(arm_host: DynamicHost, zone: Zone) -> None:
    zone.put("@", [VERIFY])
    long = "v=spf1 " + " ".join(f"ip4:198.51.100.{i}" for i in range(1, 41)) + " -all"
    res = Driven(arm_host, AzureSpfProvider(), TYPE, "contoso-spf")
    res.create({**PROPS, "spf": OURS})
    assert res.diff({**PROPS, "spf": long}).changes == "DIFF_SOME"
    res.update({**PROPS, "spf": long})
    records = zone.get("@")["properties"]["TXTRecords"]
    assert records[0]["value"] == [VERIFY]
    assert len(records[1]["value"]) > 1 and all(len(s) <= 255 for s in records[1]["value"])
    assert "".join(records[1]["value"]) == long


def test_a_zone_without_an_apex_set_gets_one_and_loses_it_on_delete(arm_host: DynamicHost, zone: Zone) -> None:
    res = Driven(arm_host, AzureSpfProvider(), TYPE, "contoso-spf")
    res.create(PROPS)
    assert zone.values("@") == [OURS]
    res.delete()
    assert zone.get("@") is None


def test_refresh_sees_an_spf_record_someone_else_wrote(arm_host: DynamicHost, zone: Zone) -> None:
    res = Driven(arm_host, AzureSpfProvider(), TYPE, "contoso-spf")
    res.create(PROPS)
    zone.put("@", [VERIFY], ["v=spf1 -all"])
    _, outputs = res.read()
    assert outputs["spf"] == "v=spf1 -all"


def test_a_missing_zone_fails_with_azures_reason(arm_host: DynamicHost, zone: Zone) -> None:
    import grpc

    with pytest.raises(grpc.RpcError) as err:
        Driven(arm_host, AzureSpfProvider(), TYPE, "contoso-spf").create({**PROPS, "zone": "fabrikam.com"})
    assert "ParentResourceNotFound" in err.value.details()


def test_a_write_between_read_and_put_is_merged_not_lost(sandbox: Sandbox, zone: Zone) -> None:
    """Azure answers 412 when the set changed since it was read; the merge starts over with the new set."""
    import asyncio

    from o365relay.dns.azure import AzureTxtSets, TxtSetAddress

    zone.put("@", [VERIFY])
    token = sandbox.ctx.tokens.issue(sandbox.deployer_client_id, ARM_RESOURCE)
    calls: list[int] = []

    async def token_with_a_rival() -> str:
        calls.append(1)
        if len(calls) == 2:  # after the first read, before the first write: the DNS team adds a value
            zone.put("@", [VERIFY], [VENDOR])
        return token

    async def merge() -> list[str]:
        async with httpx.AsyncClient(verify=ssl.create_default_context(cafile=sandbox.ca_file), timeout=10) as client:
            sets = AzureTxtSets(client, token_with_a_rival, sandbox.base_url)
            return await sets.put_spf(TxtSetAddress(SUB, "dns-rg", "contoso.com", "@"), OURS)

    assert asyncio.run(merge()) == [VERIFY, VENDOR, OURS]
    assert zone.values("@") == [VERIFY, VENDOR, OURS]
    assert len(calls) == 4  # read, refused write, read again, write
