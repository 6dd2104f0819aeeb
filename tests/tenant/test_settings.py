"""Endpoints as callers read them: each cloud's exact bases, and the refusals of bad values."""

from __future__ import annotations

import pytest

from o365relay.errors import UsageError
from o365relay.tenant.settings import Endpoints

TENANT = "7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a"


@pytest.mark.parametrize("cloud, bases", [
    (Endpoints.us_gov_high, ("https://login.microsoftonline.us", "https://graph.microsoft.us/v1.0",
                             "https://outlook.office365.us")),
    (Endpoints.china, ("https://login.chinacloudapi.cn", "https://microsoftgraph.chinacloudapi.cn/v1.0",
                       "https://partner.outlook.cn")),
])
def test_national_cloud_bases(cloud, bases):
    endpoints = cloud(TENANT)
    assert (endpoints.login_authority, endpoints.graph_base, endpoints.exchange_base) == bases


@pytest.mark.parametrize("tenant", ["", "contoso.com/evil"])
def test_a_tenant_id_that_is_no_guid_or_domain_is_refused(tenant):
    with pytest.raises(UsageError) as refused:
        Endpoints(tenant)
    assert str(refused.value) == f"tenant id {tenant!r} is not a tenant GUID or domain name"


def test_no_tenant_in_the_environment_says_what_to_set():
    with pytest.raises(UsageError) as refused:
        Endpoints.from_env({})
    assert str(refused.value) == "no tenant: set RELAY_TENANT_ID (or AZURE_TENANT_ID) to the tenant GUID"


def test_only_trailing_slashes_are_stripped_from_bases():
    endpoints = Endpoints(TENANT, graph_base="https://RELAYBOX/v1.0/", exchange_base="https://RELAYBOX//")
    assert (endpoints.graph_base, endpoints.exchange_base) == ("https://RELAYBOX/v1.0", "https://RELAYBOX")


def test_sandbox_base_with_a_trailing_slash():
    endpoints = Endpoints.sandbox("https://RELAYBOX/", TENANT, None)
    assert (endpoints.login_authority, endpoints.graph_base, endpoints.exchange_base) == (
        "https://RELAYBOX", "https://RELAYBOX/v1.0", "https://RELAYBOX")
