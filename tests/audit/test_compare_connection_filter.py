"""The connection filter policy's items from hand-built Get-HostedConnectionFilterPolicy rows: each list's
entries (declared, missing, unexpected, matched across Exchange's forms), the safe list both ways, the
exact reasons and spec paths, and unknown when the read failed."""

from __future__ import annotations

from dataclasses import replace

from audit_helpers import snapshot

from o365relay.audit.compare_connection_filter import compare_connection_filter
from o365relay.audit.model import FieldDiff, Item, Status
from o365relay.audit.snapshot import Read
from o365relay.spec.model import ConnectionFilter, Connector, RelaySpec, Tenant

TENANT = Tenant("7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a", "contoso.onmicrosoft.com")
SPEC = RelaySpec(version=1, tenant=TENANT, connectors={"dc1-relay": Connector("dc1-relay", ("203.0.113.0/28",))})
PATH = "spec.tenant.connectionFilter"
SKIPS = "whose mail skips spam filtering"
SAFE_LIST_ON = ("connection filter safe list is on: mail from Microsoft's third-party list of sources skips spam "
                "filtering")


def declaring(**policy: object) -> RelaySpec:
    return replace(SPEC, tenant=replace(TENANT, connection_filter=ConnectionFilter(**policy)))  # type: ignore[arg-type]


def audit(spec: RelaySpec, row: dict | None) -> list[Item]:
    return compare_connection_filter(spec, snapshot(connection_filter=Read("Get-HostedConnectionFilterPolicy", row)))


def safe_list(status: Status, reason: str = "", diffs: tuple = (), shown: object = False) -> Item:
    return Item("connection_filter", "Safe list", status, diffs, reason=reason, evidence={"EnableSafeList": shown},
                spec_path=f"{PATH}.enableSafeList")


def test_an_undeclared_policy_reports_its_allow_list_naming_the_connector_it_duplicates():
    row = {"IPAllowList": ["203.0.113.0-203.0.113.15", "192.0.2.10"], "IPBlockList": ["198.51.100.64"],
           "EnableSafeList": False}
    assert audit(SPEC, row) == [
        Item("connection_filter", "IP Allow List 203.0.113.0-203.0.113.15", "unexpected",
             reason=f"connection filter allow-lists 203.0.113.0-203.0.113.15, {SKIPS}; it duplicates the senders of "
                    "connector dc1-relay, which already recognises them",
             evidence={"IPAllowList": "203.0.113.0-203.0.113.15"}),
        Item("connection_filter", "IP Allow List 192.0.2.10", "unexpected",
             reason=f"connection filter allow-lists 192.0.2.10, {SKIPS}", evidence={"IPAllowList": "192.0.2.10"}),
        safe_list("in_sync"),  # the block list is not the stack's while the spec does not declare the policy
    ]


def test_a_policy_read_as_nothing_is_an_empty_one():
    assert audit(SPEC, None) == [Item("connection_filter", "Safe list", "in_sync", evidence={"EnableSafeList": None},
                                      spec_path=f"{PATH}.enableSafeList")]


def test_the_safe_list_on_against_the_spec_is_drift_and_says_what_it_lets_through():
    assert audit(SPEC, {"EnableSafeList": "True"}) == [
        safe_list("drift", SAFE_LIST_ON, (FieldDiff("EnableSafeList", False, True),), shown="True")]
    assert audit(declaring(enable_safe_list=True), {"EnableSafeList": True}) == [
        safe_list("in_sync", SAFE_LIST_ON, shown=True)]
    assert audit(declaring(enable_safe_list=True), {"EnableSafeList": False}) == [
        safe_list("drift", "", (FieldDiff("EnableSafeList", True, False),))]


def test_declared_block_list_entries_match_exchange_forms_and_the_rest_is_missing_or_unexpected():
    spec = declaring(ip_block_list=("198.51.100.64", "198.51.100.128/25", "192.0.2.200"))
    row = {"IPBlockList": ["198.51.100.128-198.51.100.255", "198.51.100.64/32", "192.0.2.0/24"]}
    assert audit(spec, row) == [
        safe_list("in_sync", shown=None),
        Item("connection_filter", "IP Block List 198.51.100.64", "in_sync", spec_path=f"{PATH}.ipBlockList[0]",
             evidence={"IPBlockList": "198.51.100.64/32"}),
        Item("connection_filter", "IP Block List 198.51.100.128/25", "in_sync", spec_path=f"{PATH}.ipBlockList[1]",
             evidence={"IPBlockList": "198.51.100.128-198.51.100.255"}),
        Item("connection_filter", "IP Block List 192.0.2.200", "missing", spec_path=f"{PATH}.ipBlockList[2]"),
        Item("connection_filter", "IP Block List 192.0.2.0/24", "unexpected",
             reason="blocked in the tenant but not declared under tenant.connectionFilter.ipBlockList",
             evidence={"IPBlockList": "192.0.2.0/24"}),
    ]


def test_declared_allow_list_entries_are_in_sync_or_missing_and_still_say_what_they_do():
    spec = declaring(ip_allow_list=("192.0.2.10", "203.0.113.5"))
    allowed, missing, _ = audit(spec, {"IPAllowList": "192.0.2.10/32"})  # one entry comes as a bare string
    assert allowed == Item("connection_filter", "IP Allow List 192.0.2.10", "in_sync",
                           reason=f"connection filter allow-lists 192.0.2.10, {SKIPS}",
                           spec_path=f"{PATH}.ipAllowList[0]", evidence={"IPAllowList": "192.0.2.10/32"})
    assert missing == Item("connection_filter", "IP Allow List 203.0.113.5", "missing",
                           reason=f"connection filter allow-lists 203.0.113.5, {SKIPS}; it duplicates the senders of "
                                  "connector dc1-relay, which already recognises them",
                           spec_path=f"{PATH}.ipAllowList[1]")


def test_a_failed_policy_read_is_one_unknown_item():
    failed = snapshot(connection_filter=Read("Get-HostedConnectionFilterPolicy", error="403 Forbidden"))
    assert compare_connection_filter(declaring(ip_block_list=("192.0.2.1",)), failed) == [
        Item("connection_filter", "Connection filter policy Default", "unknown",
             reason="Get-HostedConnectionFilterPolicy: 403 Forbidden", spec_path=PATH)]
