"""The connection filter as export writes it: Exchange's forms as the spec's CIDR ranges, and what the
loader would refuse left out with a warning that says why."""

from __future__ import annotations

from o365relay.export.connection_filter import exported_policy
from o365relay.spec.model import ConnectionFilter, Connector


def test_ranges_become_cidr_split_into_24s_and_refusals_are_warned() -> None:
    warnings: list[str] = []
    row = {"IPBlockList": ["198.51.100.0-198.51.101.255", "192.0.2.10", "203.0.113.5", "10.0.0.1", "2001:db8::1"],
           "IPAllowList": ["192.0.2.0/28"], "EnableSafeList": "True"}
    policy = exported_policy(row, [Connector("dc1", sender_ips=("203.0.113.0/28",))], warnings)
    assert policy == ConnectionFilter(ip_block_list=("198.51.100.0/24", "198.51.101.0/24"),
                                      ip_allow_list=("192.0.2.0/28",), enable_safe_list=True)
    assert warnings == [
        "connection filter: IPBlockList entry 10.0.0.1 left out: it is in private address space (RFC 1918, 10.0.0.0/8)",
        "connection filter: IPBlockList entry 2001:db8::1 left out: IPv6 is not supported",
        "connection filter: IPBlockList 192.0.2.10 left out: the allow list overrides it",
        "connection filter: IPBlockList 203.0.113.5 left out: it blocks the devices of connector dc1",
    ]


def test_an_empty_policy_is_the_default() -> None:
    warnings: list[str] = []
    assert exported_policy({}, [], warnings) == ConnectionFilter() and warnings == []
