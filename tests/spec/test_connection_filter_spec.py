# ruff: noqa: E501  (exact inputs and messages read best one per line)
"""tenant.connectionFilter: what the loader accepts, and every problem it reports with its location."""

from __future__ import annotations

import pytest

from o365relay.errors import SpecError
from o365relay.spec.document import to_document
from o365relay.spec.loader import load_text
from o365relay.spec.model import ConnectionFilter

HEAD = """version: 1
tenant:
  id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a
  initialDomain: contoso.onmicrosoft.com
  connectionFilter:
"""
RELAY = "connectors:\n  dc1:\n    senderIPs: [203.0.113.0/28]\n"


def problems(text: str) -> list[tuple[int, int, str, str]]:
    with pytest.raises(SpecError) as caught:
        load_text(text, "relay.yaml")
    return [(p.line, p.column, p.path, p.message) for p in caught.value.problems]


def test_declared_policy_loads_and_round_trips() -> None:
    spec = load_text(HEAD + "    ipBlockList: [198.51.100.66, 192.0.2.0/24]\n" + RELAY)
    assert spec.tenant.connection_filter == ConnectionFilter(ip_block_list=("198.51.100.66", "192.0.2.0/24"))
    assert to_document(spec)["tenant"]["connectionFilter"] == {"ipBlockList": ["198.51.100.66", "192.0.2.0/24"]}


def test_undeclared_policy_is_none_and_stays_out_of_the_document() -> None:
    spec = load_text(HEAD.replace("  connectionFilter:\n", "") + RELAY)
    assert spec.tenant.connection_filter is None
    assert "connectionFilter" not in to_document(spec)["tenant"]


@pytest.mark.parametrize(("entries", "expected"), [
    ("0.0.0.0/0", [(6, 19, "spec.tenant.connectionFilter.ipBlockList[0]", "'0.0.0.0/0' is a /0; Exchange accepts sender ranges from /24 to /32, so split it into /24s or list the addresses that send")]),
    ("198.51.100.0/23", [(6, 19, "spec.tenant.connectionFilter.ipBlockList[0]", "'198.51.100.0/23' is a /23; Exchange accepts sender ranges from /24 to /32, so split it into /24s or list the addresses that send")]),
    ("2001:db8::1", [(6, 19, "spec.tenant.connectionFilter.ipBlockList[0]", "'2001:db8::1' is IPv6; Exchange connectors accept IPv4 sender addresses only")]),
    ("192.0.2.1-192.0.2.9", [(6, 19, "spec.tenant.connectionFilter.ipBlockList[0]", "'192.0.2.1-192.0.2.9' is not an IPv4 address or CIDR range; write e.g. 203.0.113.25 or 203.0.113.0/28")]),
    ("10.1.2.0/24", [(6, 19, "spec.tenant.connectionFilter.ipBlockList[0]", "10.1.2.0/24 is in private address space (RFC 1918, 10.0.0.0/8); connection filtering sees the public IPv4 address a sending server connects from, never this space")]),
    ("198.51.100.7, 198.51.100.0/24", [(6, 33, "spec.tenant.connectionFilter.ipBlockList[1]", "198.51.100.0/24 overlaps ipBlockList[0]; list each address once")]),
    ("203.0.113.5", [(6, 19, "spec.tenant.connectionFilter.ipBlockList[0]", "203.0.113.5 blocks the devices of connector dc1: Exchange would refuse their mail (550 5.7.513); remove the entry or the connector's address")]),
])
def test_block_list_problems_are_located(entries: str, expected: list[tuple[int, int, str, str]]) -> None:
    assert problems(HEAD + f"    ipBlockList: [{entries}]\n" + RELAY) == expected


def test_a_block_over_several_connectors_names_each_once() -> None:
    relays = RELAY + "  dc2:\n    senderIPs: [203.0.113.64/28]\n  dc0:\n    senderIPs: [203.0.113.200]\n"
    assert problems(HEAD + "    ipBlockList: [203.0.113.0/24]\n" + relays) == [
        (6, 19, "spec.tenant.connectionFilter.ipBlockList[0]", "203.0.113.0/24 blocks the devices of connector dc0, dc1, dc2: Exchange would refuse their mail (550 5.7.513); remove the entry or the connector's address")]


def test_an_entry_with_host_bits_is_refused() -> None:
    assert problems(HEAD + "    ipBlockList: [203.0.113.5/24]\n" + RELAY) == [
        (6, 19, "spec.tenant.connectionFilter.ipBlockList[0]", "'203.0.113.5/24' has host bits set; write the network as 203.0.113.0/24")]


def test_allow_list_entries_are_checked_like_block_entries() -> None:
    assert problems(HEAD + "    ipAllowList: [10.1.2.0/24, 198.51.100.7, 198.51.100.0/24, 203.0.113.5/24]\n") == [
        (6, 19, "spec.tenant.connectionFilter.ipAllowList[0]", "10.1.2.0/24 is in private address space (RFC 1918, 10.0.0.0/8); connection filtering sees the public IPv4 address a sending server connects from, never this space"),
        (6, 46, "spec.tenant.connectionFilter.ipAllowList[2]", "198.51.100.0/24 overlaps ipAllowList[1]; list each address once"),
        (6, 63, "spec.tenant.connectionFilter.ipAllowList[3]", "'203.0.113.5/24' has host bits set; write the network as 203.0.113.0/24")]


def test_an_entry_that_is_no_string_gets_the_schemas_message_alone() -> None:
    assert problems(HEAD + "    ipBlockList: [5]\n") == [
        (6, 19, "spec.tenant.connectionFilter.ipBlockList[0]", "expected a string, got the number 5")]


def test_a_block_does_not_claim_an_outbound_connectors_addresses() -> None:
    outbound = "connectors:\n  out:\n    direction: outbound\n    recipientDomains: [fabrikam.com]\n    useMxRecord: true\n    senderIPs: [198.51.100.7]\n"
    assert problems(HEAD + "    ipBlockList: [198.51.100.7]\n" + outbound) == [
        (12, 5, "spec.connectors.out.senderIPs", "'senderIPs' applies to inbound connectors only; remove it from this outbound connector, or remove 'direction: outbound'")]


def test_an_address_both_allowed_and_blocked_is_refused_on_the_block_entry() -> None:
    text = HEAD + "    ipBlockList: [192.0.2.9]\n    ipAllowList: [192.0.2.0/24]\n" + RELAY
    assert problems(text) == [(6, 19, "spec.tenant.connectionFilter.ipBlockList[0]", "192.0.2.9 is also on ipAllowList[0]; Exchange lets the allow list win, so this block does nothing: remove one of the two")]


def test_allow_list_takes_the_same_values() -> None:
    assert problems(HEAD + "    ipAllowList: [0.0.0.0/0]\n") == [
        (6, 19, "spec.tenant.connectionFilter.ipAllowList[0]", "'0.0.0.0/0' is a /0; Exchange accepts sender ranges from /24 to /32, so split it into /24s or list the addresses that send")]


def test_more_entries_than_exchange_keeps_are_refused() -> None:
    entries = ", ".join(f"198.51.{i // 256}.{i % 256}" for i in range(1274))
    [(line, _col, path, message)] = problems(HEAD + f"    ipBlockList: [{entries}]\n")
    assert (line, path) == (6, "spec.tenant.connectionFilter.ipBlockList") and "1273" in message


def test_safe_list_must_be_a_boolean() -> None:
    assert problems(HEAD + "    enableSafeList: yes please\n") == [
        (6, 21, "spec.tenant.connectionFilter.enableSafeList", "expected true or false, got the string 'yes please'")]


def test_waiver_may_target_a_path_under_tenant() -> None:
    text = HEAD + "    ipAllowList: [198.51.100.7]\nwaivers:\n  - {rule: no-connection-filter-allow-list, target: tenant.connectionFilter.ipAllowList, reason: vendor scanner, expires: 2027-01-31}\n"
    assert load_text(text).waivers[0].target == "tenant.connectionFilter.ipAllowList"
