"""exchange:DkimSigningConfig (the config and the signing switch) through the real provider host."""

from __future__ import annotations

import grpc
import pytest
from dynamic_host import DynamicHost
from provider_support import Driven, Tenant

from components.providers.dkim import DkimSigningConfigProvider

TYPE = "pulumi-python:dynamic/exchange:DkimSigningConfig"
SELECTOR1 = "selector1-contoso-com._domainkey.contoso.r-v1.dkim.mail.microsoft"  # the seed's tenant facts
SELECTOR2 = "selector2-contoso-com._domainkey.contoso.r-v1.dkim.mail.microsoft"
CONFIG = {"domain": "contoso.com", "key_size": 2048}


def live(tenant: Tenant) -> dict:
    return tenant.exchange("Get-DkimSigningConfig", {"Identity": "contoso.com"})[0]


def test_config_then_signing_after_the_cnames(host: DynamicHost, tenant: Tenant) -> None:
    config = Driven(host, DkimSigningConfigProvider(), TYPE, "contoso.com-dkim")
    outs = config.create(CONFIG)
    # the selector targets come from the tenant, not from a formula
    assert (outs["selector1_cname"], outs["selector2_cname"]) == (SELECTOR1, SELECTOR2)
    assert "enabled" not in outs and live(tenant)["Enabled"] is False

    signing = Driven(host, DkimSigningConfigProvider(), TYPE, "contoso.com-dkim-signing")
    with pytest.raises(grpc.RpcError) as err:
        signing.create({**CONFIG, "enabled": True})
    assert "CNAME record does not exist for this config" in err.value.details()

    tenant.publish_dns({"selector1._domainkey.contoso.com": SELECTOR1, "selector2._domainkey.contoso.com": SELECTOR2})
    assert signing.create({**CONFIG, "enabled": True})["enabled"] is True
    assert live(tenant)["Enabled"] is True

    # the config resource does not manage signing: its refresh sees it on and wants nothing
    _, refreshed = config.read()
    config.outputs = refreshed
    assert config.diff(CONFIG).changes == "DIFF_NONE"

    d = signing.diff({**CONFIG, "enabled": False})
    assert (d.changes, d.replaces) == ("DIFF_SOME", [])
    assert signing.update({**CONFIG, "enabled": False})["selector1_cname"] == SELECTOR1
    assert live(tenant)["Enabled"] is False
    signing.update({**CONFIG, "enabled": True})
    assert signing.diff({**CONFIG, "domain": "notify.contoso.com", "enabled": True}).replaces == ["domain"]

    signing.delete()
    assert live(tenant)["Enabled"] is False  # removing signing turns it off; the config stays
    signing.delete()
    config.delete()
    assert live(tenant)["Selector1CNAME"] == SELECTOR1


def test_key_size_is_rotated_on_a_signing_config(host: DynamicHost, tenant: Tenant) -> None:
    tenant.publish_dns({"selector1._domainkey.contoso.com": SELECTOR1, "selector2._domainkey.contoso.com": SELECTOR2})
    signing = Driven(host, DkimSigningConfigProvider(), TYPE, "contoso.com-dkim-signing")
    signing.create({**CONFIG, "enabled": True})
    assert signing.diff({**CONFIG, "key_size": 1024, "enabled": True}) == ("DIFF_SOME", [], False)
    signing.update({**CONFIG, "key_size": 1024, "enabled": True})
    sizes = {live(tenant)["Selector1KeySize"], live(tenant)["Selector2KeySize"]}
    assert sizes == {1024, 2048}  # one rotation moved the inactive selector


def test_check_and_unknown_domain(host: DynamicHost) -> None:
    res = Driven(host, DkimSigningConfigProvider(), TYPE, "x")
    _, failures = res.check({"domain": "contoso.com", "key_size": 4096})
    assert failures == [("key_size", "key_size must be one of 1024, 2048, not 4096")]
    with pytest.raises(grpc.RpcError) as err:
        res.create({"domain": "fabrikam.com", "key_size": 2048})
    assert "fabrikam.com" in err.value.details()
