"""Sender IPs and domain names: every range a connector can never see mail from, and each hint's edges."""

from __future__ import annotations

import pytest

from o365relay.spec.addresses import (
    check_address,
    check_dns_name,
    check_domain,
    check_guid,
    check_smart_host,
    domain_syntax,
    sender_ip_problem,
    sender_ip_scope,
    sender_ip_syntax,
)

NAT = "; a connector matches the public IPv4 address the mail leaves your network from (after NAT): use that address"

# (first address, last address, the range as the message names it, what the message calls it)
NOT_PUBLIC = [
    ("0.0.0.0", "0.255.255.255", "'this network' space (RFC 1122, 0.0.0.0/8)"),
    ("10.0.0.0", "10.255.255.255", "private address space (RFC 1918, 10.0.0.0/8)"),
    ("100.64.0.0", "100.127.255.255", "carrier-grade NAT space (RFC 6598, 100.64.0.0/10)"),
    ("127.0.0.0", "127.255.255.255", "loopback space (127.0.0.0/8)"),
    ("169.254.0.0", "169.254.255.255", "link-local space (169.254.0.0/16)"),
    ("172.16.0.0", "172.31.255.255", "private address space (RFC 1918, 172.16.0.0/12)"),
    ("192.0.0.0", "192.0.0.255", "IETF protocol assignment space (RFC 6890, 192.0.0.0/24)"),
    ("192.168.0.0", "192.168.255.255", "private address space (RFC 1918, 192.168.0.0/16)"),
    ("198.18.0.0", "198.19.255.255", "benchmarking space (RFC 2544, 198.18.0.0/15)"),
    ("224.0.0.0", "239.255.255.255", "multicast space (224.0.0.0/4)"),
    ("240.0.0.0", "255.255.255.255", "reserved space (RFC 1112, 240.0.0.0/4)"),
]

# Public neighbours just outside each range above (none of them is inside another listed range).
PUBLIC_NEIGHBOURS = [
    "1.0.0.0", "9.255.255.255", "11.0.0.0", "100.63.255.255", "100.128.0.0", "126.255.255.255",
    "128.0.0.0", "169.253.255.255", "169.255.0.0", "172.15.255.255", "172.32.0.0", "191.255.255.255",
    "192.0.1.0", "192.167.255.255", "192.169.0.0", "198.17.255.255", "198.20.0.0", "223.255.255.255",
]


@pytest.mark.parametrize(("first", "last", "named"), NOT_PUBLIC, ids=[n.split("(")[-1][:-1] for *_, n in NOT_PUBLIC])
def test_every_non_public_range_is_refused_from_its_first_to_its_last_address(first: str, last: str,
                                                                              named: str) -> None:
    for address in (first, last):
        assert sender_ip_scope(address) == f"{address} is in {named}{NAT}"


@pytest.mark.parametrize("address", PUBLIC_NEIGHBOURS)
def test_public_addresses_next_to_the_ranges_are_accepted(address: str) -> None:
    assert sender_ip_scope(address) is None


def test_a_public_range_that_reaches_into_private_space_is_refused() -> None:
    assert sender_ip_scope("172.15.255.0/24") is None
    assert sender_ip_scope("172.16.0.0/24") == (
        f"172.16.0.0/24 is in private address space (RFC 1918, 172.16.0.0/12){NAT}")


@pytest.mark.parametrize(("text", "problem"), [
    ("203.0.113.0/23", "'203.0.113.0/23' is a /23; Exchange accepts sender ranges from /24 to /32, "
                       "so split it into /24s or list the addresses that send"),
    ("203.0.113.5/24", "'203.0.113.5/24' has host bits set; write the network as 203.0.113.0/24"),
    ("2001:db8::1", "'2001:db8::1' is IPv6; Exchange connectors accept IPv4 sender addresses only"),
    ("printer.contoso.com", "'printer.contoso.com' is not an IPv4 address or CIDR range; "
                            "write e.g. 203.0.113.25 or 203.0.113.0/28"),
])
def test_sender_ip_syntax_says_why(text: str, problem: str) -> None:
    assert sender_ip_syntax(text) == problem


@pytest.mark.parametrize("text", ["203.0.113.0/24", "203.0.113.0/32", "203.0.113.25", "198.51.100.128/25"])
def test_sender_ip_syntax_accepts_slash_24_to_32(text: str) -> None:
    assert sender_ip_syntax(text) is None


@pytest.mark.parametrize(("text", "hint"), [
    ("Contoso.com", "'Contoso.com' has upper-case letters; write domain names in lower case: contoso.com"),
    ("contoso.com.", "'contoso.com.' ends with a dot; write it without: contoso.com"),
    ("https://contoso.com", "'https://contoso.com' is not a bare domain name; write only the domain, e.g. contoso.com"),
    ("contoso.com/mail", "'contoso.com/mail' is not a bare domain name; write only the domain, e.g. contoso.com"),
    ("relay@contoso.com", "'relay@contoso.com' is not a bare domain name; write only the domain, e.g. contoso.com"),
    ("contoso", "'contoso' has no dot; write the fully qualified domain, e.g. contoso.com"),
])
def test_domain_hints(text: str, hint: str) -> None:
    assert domain_syntax(text) == hint


def test_a_well_formed_domain_gets_no_hint() -> None:
    assert domain_syntax("mail.contoso.com") is None


def test_scope_of_a_range_written_with_host_bits_is_still_judged() -> None:
    """The rules ask the scope before the syntax check has said "host bits set": no traceback there."""
    assert sender_ip_scope("10.1.2.3/24") == f"10.1.2.3/24 is in private address space (RFC 1918, 10.0.0.0/8){NAT}"


@pytest.mark.parametrize(("value", "problem"), [
    ("contoso.com", None), ("*.contoso.com", None), ("*", None), ("smtp:*.Contoso.com;1", None),
    ("contoso", "'contoso' is not a domain (e.g. contoso.com, *.contoso.com or *)"),
    ("-x.contoso.com", "'-x.contoso.com' is not a domain (e.g. contoso.com, *.contoso.com or *)"),
])
def test_connector_sender_domains(value: str, problem: str | None) -> None:
    assert check_domain(value) == problem


@pytest.mark.parametrize(("value", "problem"), [
    ("smtp.fabrikam.com", None), (" Relay.Fabrikam.COM ", None), ("203.0.113.5", None), ("203.0.113.0/28", None),
    ("203.0.113.7/28", None),  # accepted as the range it names
    ("*.fabrikam.com", "'*.fabrikam.com' is not a host name, IPv4 address or CIDR range (e.g. smtp.fabrikam.com)"),
    ("*", "'*' is not a host name, IPv4 address or CIDR range (e.g. smtp.fabrikam.com)"),
    ("relay", "'relay' is not a host name, IPv4 address or CIDR range (e.g. smtp.fabrikam.com)"),
    ("2001:db8::1", "'2001:db8::1': use an IPv4 address or a host name"),
])
def test_outbound_smart_hosts(value: str, problem: str | None) -> None:
    assert check_smart_host(value) == problem


@pytest.mark.parametrize(("value", "problem"), [
    ("selector1._domainkey.contoso.com", None), ("Selector1-Contoso-Com._DomainKey.contoso.onmicrosoft.com.", None),
    ("contoso", "'contoso' is not a DNS name"), ("a..b.com", "'a..b.com' is not a DNS name"),
])
def test_dns_names(value: str, problem: str | None) -> None:
    assert check_dns_name(value) == problem


@pytest.mark.parametrize(("value", "problem"), [
    ("erp@contoso.com", None), (" ERP@Contoso.com ", None),
    ("erp", "'erp' is not an email address"), ("erp@contoso", "'erp@contoso' is not an email address"),
])
def test_mailbox_addresses(value: str, problem: str | None) -> None:
    assert check_address(value) == problem


@pytest.mark.parametrize(("value", "problem"), [
    ("7A3F6C1E-52B4-4D0E-9C8A-1F2E3D4C5B6A", None), (" 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a ", None),
    ("7a3f6c1e52b44d0e9c8a1f2e3d4c5b6a", "'7a3f6c1e52b44d0e9c8a1f2e3d4c5b6a' is not a GUID"),
])
def test_guids(value: str, problem: str | None) -> None:
    assert check_guid(value) == problem


@pytest.mark.parametrize(("text", "problem"), [
    ("203.0.113.7", None),
    ("10.1.2.3", "10.1.2.3 is in private address space (RFC 1918, 10.0.0.0/8); a connector matches the public "
                 "IPv4 address the mail leaves your network from (after NAT): use that address"),
    ("203.0.113.7/16", "'203.0.113.7/16' is a /16; Exchange accepts sender ranges from /24 to /32, so split it "
                       "into /24s or list the addresses that send"),
])
def test_one_sender_ip_rule_says_the_first_problem(text: str, problem: str | None) -> None:
    assert sender_ip_problem(text) == problem
