"""dns:RecordCheck through the real provider host, resolving through the sandbox's DNS view on loopback."""

from __future__ import annotations

from collections.abc import Iterator

import grpc
import pytest
from dynamic_host import DynamicHost
from provider_support import Driven

from components.providers.dns_record import RecordCheckProvider
from o365relay.sandbox import store as st
from o365relay.sandbox.dns_view import publish
from o365relay.sandbox.runner import Sandbox

TYPE = "pulumi-python:dynamic/dns:RecordCheck"
TARGET = "selector1-contoso-com._domainkey.contoso.r-v1.dkim.mail.microsoft"
PROPS = {"fqdn": "selector1._domainkey.contoso.com", "type": "CNAME", "value": TARGET}


@pytest.fixture
def dns_host(sandbox: Sandbox) -> Iterator[DynamicHost]:
    # no tenant call is made by this kind; the stack config names the DNS server to ask
    with DynamicHost(config={"o365-relay:tenantId": sandbox.tenant_id,
                             "o365-relay:nameserver": sandbox.env()["RELAY_NAMESERVER"]}) as host:
        yield host


def test_missing_record_fails_with_the_line_to_publish(dns_host: DynamicHost) -> None:
    res = Driven(dns_host, RecordCheckProvider(), TYPE, "cname")
    with pytest.raises(grpc.RpcError) as err:
        res.create(PROPS)
    assert (f"publish selector1._domainkey.contoso.com. 3600 IN CNAME {TARGET}. "
            "(pulumi stack output zoneFiles has every record)") in err.value.details()


def test_lifecycle(dns_host: DynamicHost, sandbox: Sandbox) -> None:
    publish(sandbox.store, "selector1._domainkey.contoso.com", "CNAME", TARGET)
    res = Driven(dns_host, RecordCheckProvider(), TYPE, "cname")
    assert res.create({**PROPS, "value": TARGET.upper() + "."})["value"] == TARGET.upper() + "."
    assert res.id == "selector1._domainkey.contoso.com/CNAME"
    assert res.diff(PROPS).changes == "DIFF_NONE"  # case and trailing dot are no change
    assert res.diff({**PROPS, "value": "elsewhere.example.com"}).replaces == ["value"]
    sandbox.store.delete(st.DNS_RECORD, "selector1._domainkey.contoso.com")
    assert res.read()[0] == ""  # refresh: the record disappeared
    res.delete()
    res.delete()


def test_wrong_target_is_a_conflict(dns_host: DynamicHost, sandbox: Sandbox) -> None:
    publish(sandbox.store, "selector1._domainkey.contoso.com", "CNAME",
            "selector1-contoso-com._domainkey.contoso.onmicrosoft.com")
    with pytest.raises(grpc.RpcError) as err:
        Driven(dns_host, RecordCheckProvider(), TYPE, "cname").create(PROPS)
    assert "DNS must hold exactly: selector1._domainkey.contoso.com. 3600 IN CNAME" in err.value.details()
