"""exchange:ConnectionFilterPolicy through the real provider host against the sandbox: adoption, diff in
Exchange's forms, the spec's IP rule in check, refresh, and a delete that removes only what it added.

Through the provider host, not the engine: the engine end-to-end sequence (tests/engine) was not on main
when this kind was added."""

from __future__ import annotations

from typing import Any

from dynamic_host import DynamicHost
from provider_support import Driven, Tenant

from components.providers.connection_filter import ConnectionFilterPolicyProvider

TYPE = "pulumi-python:dynamic/exchange:ConnectionFilterPolicy"


def policy(tenant: Tenant) -> dict[str, Any]:
    return tenant.exchange("Get-HostedConnectionFilterPolicy", {"Identity": "Default"})[0]


def spec(block: list[str], allow: list[str] | None = None, safe: bool = False) -> dict[str, Any]:
    return {"ip_block_list": block, "ip_allow_list": allow or [], "enable_safe_list": safe}


def test_adopts_the_policy_sets_the_spec_and_delete_removes_only_what_it_added(host: DynamicHost,
                                                                               tenant: Tenant) -> None:
    # Someone blocked an address and allow-listed a relay IP by hand before the stack existed.
    tenant.exchange("Set-HostedConnectionFilterPolicy", {"Identity": "Default", "IPBlockList": ["192.0.2.66"],
                                                         "IPAllowList": ["203.0.113.5"], "EnableSafeList": True})
    res = Driven(host, ConnectionFilterPolicyProvider(), TYPE, "connection-filter")
    outputs = res.create(spec(["192.0.2.66", "198.51.100.0/25"]))
    assert res.id == "Default" and outputs["adopted_block_list"] == ["192.0.2.66"]
    now = policy(tenant)
    assert (now["IPBlockList"], now["IPAllowList"], now["EnableSafeList"]) == (["192.0.2.66", "198.51.100.0/25"], [],
                                                                            False)

    # Exchange's forms of the same addresses are no change; a new entry is an in-place update.
    assert res.diff(spec(["198.51.100.0/25", "192.0.2.66/32"])).changes == "DIFF_NONE"
    d = res.diff(spec(["192.0.2.66", "198.51.100.0/25", "198.51.100.200"]))
    assert (d.changes, d.replaces) == ("DIFF_SOME", [])
    res.update(spec(["192.0.2.66", "198.51.100.0/25", "198.51.100.200"]))
    assert res.outputs["adopted_block_list"] == ["192.0.2.66"]  # the adoption record survives updates

    # A hand edit in range form shows on refresh without losing the adoption record.
    tenant.exchange("Set-HostedConnectionFilterPolicy", {"Identity": "Default",
                                                         "IPBlockList": {"Add": ["203.0.113.64-203.0.113.127"]}})
    _, read = res.read()
    assert "203.0.113.64-203.0.113.127" in read["ip_block_list"] and read["adopted_block_list"] == ["192.0.2.66"]

    res.delete()
    after = policy(tenant)
    # what was there before the stack, and the hand edit, stay; the allow list is not re-opened
    assert (after["IPBlockList"], after["IPAllowList"], after["EnableSafeList"]) == (
        ["192.0.2.66", "203.0.113.64-203.0.113.127"], [], False)
    res.delete()  # nothing left to remove: still fine


def test_create_on_an_identical_policy_changes_nothing(host: DynamicHost, tenant: Tenant) -> None:
    tenant.exchange("Set-HostedConnectionFilterPolicy",
                    {"Identity": "Default", "IPBlockList": ["198.51.100.0-198.51.100.255"]})
    res = Driven(host, ConnectionFilterPolicyProvider(), TYPE, "connection-filter")
    res.create(spec(["198.51.100.0/24"]))
    assert policy(tenant)["IPBlockList"] == ["198.51.100.0-198.51.100.255"]  # adopted as is, not rewritten
    res.delete()
    assert policy(tenant)["IPBlockList"] == ["198.51.100.0-198.51.100.255"]  # it was there before the stack


def test_check_refuses_what_exchange_refuses(host: DynamicHost) -> None:
    res = Driven(host, ConnectionFilterPolicyProvider(), TYPE, "connection-filter")
    _, failures = res.check(spec(["0.0.0.0/0", "2001:db8::/64"], allow=["198.51.100.0/23"]))
    reasons = dict(failures)
    assert "'0.0.0.0/0' is a /0" in reasons["ip_block_list"] and "IPv6" in reasons["ip_block_list"]
    assert "'198.51.100.0/23' is a /23" in reasons["ip_allow_list"]
    _, failures = res.check(spec([f"198.51.{i // 256}.{i % 256}" for i in range(1274)]))
    assert failures == [("ip_block_list", "ip_block_list has 1274 entries; Exchange keeps at most 1273")]
