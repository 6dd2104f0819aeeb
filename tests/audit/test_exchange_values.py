"""Exchange's value forms compare equal to what the spec asked for, and only then
(o365relay/exchange_values.py): a wrong normalisation shows as false drift or hides real drift."""

from __future__ import annotations

import pytest

from o365relay import exchange_values as xv


@pytest.mark.parametrize(("given", "plain"), [
    ("smtp:*;1", "*"),
    ("SMTP:Contoso.com;1", "contoso.com"),
    ("  smtp:*.Fabrikam.com;1 ", "*.fabrikam.com"),
    ("Contoso.com", "contoso.com"),
    ("contoso.com;2;extra", "contoso.com"),
    ("smtpx.contoso.com", "smtpx.contoso.com"),
])
def test_sender_domain_in_plain_form(given, plain):
    assert xv.sender_domain(given) == plain


def test_sender_domains_sorted_once_each():
    assert xv.sender_domains(["smtp:b.com;1", "B.com", "a.com"]) == ["a.com", "b.com"]
    assert xv.sender_domains(None) == []


def test_ip_ranges_drop_32_clear_host_bits_and_sort_by_address():
    given = ["203.0.113.9/28", "198.51.100.25/32", " 10.0.0.1 ", "203.0.113.0/28", "2001:db8::1/128", "9.9.9.0/24"]
    assert xv.ip_ranges(given) == ["9.9.9.0/24", "10.0.0.1", "198.51.100.25", "203.0.113.0/28", "2001:db8::1"]
    assert xv.ip_ranges(["192.0.2.0/24", "192.0.2.0/28"]) == ["192.0.2.0/24", "192.0.2.0/28"]
    assert xv.ip_ranges(None) == []


def test_ip_entry_accepts_the_range_form_and_refuses_a_backwards_one():
    assert [str(n) for n in xv.ip_entry_networks(" 192.0.2.0 - 192.0.2.9 ")] == ["192.0.2.0/29", "192.0.2.8/31"]
    assert [str(n) for n in xv.ip_entry_networks("192.0.2.5-192.0.2.5")] == ["192.0.2.5/32"]
    with pytest.raises(ValueError, match="'192.0.2.9-192.0.2.0' is not an address range"):
        xv.ip_entry_networks("192.0.2.9-192.0.2.0")
    with pytest.raises(ValueError, match="is not an address range"):
        xv.ip_entry_networks("192.0.2.1-2001:db8::1")


def test_ip_coverage_is_equal_for_every_way_of_writing_the_same_addresses():
    ways = [["192.0.2.0-192.0.2.255"], ["192.0.2.0/25", "192.0.2.128/25"], ["192.0.2.7/24", "192.0.2.9"]]
    assert {tuple(xv.ip_coverage(w)) for w in ways} == {("192.0.2.0/24",)}
    assert xv.ip_coverage(["2001:db8::/127", "198.51.100.1/32", "Not-An-IP", "2001:db8::1"]) == [
        "198.51.100.1", "2001:db8::/127", "not-an-ip"]
    assert xv.ip_coverage(None) == []


def test_smart_hosts_names_lower_ips_plain_sorted():
    assert xv.smart_hosts(["Relay.Fabrikam.com", "203.0.113.5/32", "relay.fabrikam.com "]) == [
        "203.0.113.5", "relay.fabrikam.com"]
    assert xv.smart_hosts(None) == []


def test_unset_text_is_empty_and_names_are_case_insensitive():
    assert xv.text(None) == "" and xv.text(0) == "0"
    assert xv.lower("  Scanner@Contoso.COM ") == "scanner@contoso.com"
    assert xv.optional_lower("") is None and xv.optional_lower(None) is None
    assert xv.optional_lower("Cert.Contoso.com") == "cert.contoso.com"


@pytest.mark.parametrize(("value", "flag"), [
    (None, None), (True, True), (False, False), ("True", True), (" false ", False), ("", None), ("yes", True),
    (1, True), (0, False),
])
def test_boolean_reads_every_serialised_form(value, flag):
    assert xv.boolean(value) is flag


def test_rows_count_only_for_the_mailbox_they_name():
    mailbox = {"PrimarySmtpAddress": "Shared@Contoso.com", "Alias": "shared", "Guid": "", "Name": None}
    names = xv.mailbox_names(mailbox, "shared-box@contoso.com")
    assert names == frozenset({"shared@contoso.com", "shared", "shared-box@contoso.com"})
    assert xv.mailbox_names(None, "x@contoso.com") == frozenset({"x@contoso.com"})
    assert xv.mailbox_names(None) == frozenset()
    rows = [{"Identity": "Shared", "Trustee": "a"}, {"Identity": "other", "Trustee": "b"}, {"Trustee": "c"}]
    assert xv.rows_naming(rows, names) == [rows[0]]


@pytest.mark.parametrize("field", ["PrimarySmtpAddress", "UserPrincipalName", "WindowsEmailAddress", "Identity",
                                   "Name", "Alias", "ExternalDirectoryObjectId", "Guid"])
def test_a_row_naming_the_mailbox_by_any_of_its_names_counts(field):
    names = xv.mailbox_names({field: "Shared-Name"})
    assert xv.rows_naming([{"Identity": "shared-name"}], names) == [{"Identity": "shared-name"}]


def test_whole_numbers_arrive_as_floats_or_strings():
    assert [xv.integer(v) for v in (None, 2048, 1024.0, "2048")] == [None, 2048, 1024, 2048]


def test_unset_optional_text_is_none():
    assert [xv.optional_text(v) for v in (None, "", "CertificateValidation", 0)] == [
        None, None, "CertificateValidation", "0"]
