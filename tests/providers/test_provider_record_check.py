"""dns:RecordCheck through the real provider host, resolving through a DNS server on loopback."""

from __future__ import annotations

from collections.abc import Iterator

import grpc
import pytest
from provider_support import Driven

from components.offline.dns import CnameServer
from components.offline.host import DynamicHost
from components.providers.dns_record import RecordCheckProvider

TYPE = "pulumi-python:dynamic/dns:RecordCheck"
TARGET = "selector1-contoso-com._domainkey.contoso.r-v1.dkim.mail.microsoft"
PROPS = {"fqdn": "selector1._domainkey.contoso.com", "type": "CNAME", "value": TARGET}


@pytest.fixture
def dns_server() -> Iterator[CnameServer]:
    server = CnameServer()
    yield server
    server.close()


@pytest.fixture
def dns_host(dns_server: CnameServer) -> Iterator[DynamicHost]:
    # no tenant call is made by this kind; the stack config names the DNS server to ask
    with DynamicHost(config={"o365-relay:tenantId": "7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a",
                             "o365-relay:nameserver": dns_server.address}) as host:
        yield host


def test_missing_record_fails_with_the_line_to_publish(dns_host: DynamicHost) -> None:
    res = Driven(dns_host, RecordCheckProvider(), TYPE, "cname")
    with pytest.raises(grpc.RpcError) as err:
        res.create(PROPS)
    assert (f"publish selector1._domainkey.contoso.com. 3600 IN CNAME {TARGET}. "
            "(pulumi stack output zoneFiles has every record)") in err.value.details()


def test_lifecycle(dns_host: DynamicHost, dns_server: CnameServer) -> None:
    dns_server.records["selector1._domainkey.contoso.com"] = TARGET
    res = Driven(dns_host, RecordCheckProvider(), TYPE, "cname")
    assert res.create({**PROPS, "value": TARGET.upper() + "."})["value"] == TARGET.upper() + "."
    assert res.id == "selector1._domainkey.contoso.com/CNAME"
    assert res.diff(PROPS).changes == "DIFF_NONE"  # case and trailing dot are no change
    assert res.diff({**PROPS, "value": "elsewhere.example.com"}).replaces == ["value"]
    del dns_server.records["selector1._domainkey.contoso.com"]
    assert res.read()[0] == ""  # refresh: the record disappeared
    res.delete()
    res.delete()


def test_wrong_target_is_a_conflict(dns_host: DynamicHost, dns_server: CnameServer) -> None:
    dns_server.records["selector1._domainkey.contoso.com"] = "selector1-contoso-com._domainkey.contoso.onmicrosoft.com"
    with pytest.raises(grpc.RpcError) as err:
        Driven(dns_host, RecordCheckProvider(), TYPE, "cname").create(PROPS)
    assert "DNS must hold exactly: selector1._domainkey.contoso.com. 3600 IN CNAME" in err.value.details()
