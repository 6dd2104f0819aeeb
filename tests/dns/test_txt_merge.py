"""The apex TXT set is shared: SPF is merged into it, never written as the whole set."""

from __future__ import annotations

import pytest

from o365relay.dns.txt import is_spf, merge_txt, remove_value, txt_strings, version_tag

OURS = "v=spf1 ip4:203.0.113.0/28 include:spf.protection.outlook.com -all"
VERIFY = "MS=ms12345678"
VENDOR = "google-site-verification=abc123"


def test_other_values_are_kept_in_order_and_spf_added() -> None:
    assert merge_txt([VERIFY, VENDOR], OURS) == [VERIFY, VENDOR, OURS]


def test_an_old_spf_record_is_replaced_in_place() -> None:
    old = "v=spf1 include:spf.protection.outlook.com -all"
    assert merge_txt([VERIFY, old, VENDOR], OURS) == [VERIFY, OURS, VENDOR]


def test_several_spf_records_become_one() -> None:
    merged = merge_txt(["v=spf1 -all", VERIFY, "V=SPF1 ~all", "v=spf1"], OURS)
    assert merged == [OURS, VERIFY]
    assert sum(is_spf(v) for v in merged) == 1


def test_merging_twice_changes_nothing() -> None:
    once = merge_txt([VERIFY], OURS)
    assert merge_txt(once, OURS) == once


def test_an_empty_set_gets_the_spf_record_alone() -> None:
    assert merge_txt([], OURS) == [OURS]


@pytest.mark.parametrize(("value", "spf"), [
    ("v=spf1 -all", True), ("v=spf1", True), (" V=SPF1 include:x ~all", True),
    ("v=spf10 -all", False), ("v=spf1x", False), ("spf2.0/pra ip4:1.2.3.4", False), (VERIFY, False)])
def test_what_counts_as_an_spf_record(value: str, spf: bool) -> None:
    assert is_spf(value) is spf


def test_removal_takes_out_only_the_relays_value() -> None:
    assert remove_value([VERIFY, OURS, VENDOR], OURS) == [VERIFY, VENDOR]


def test_removal_leaves_an_spf_record_someone_else_wrote_since() -> None:
    theirs = "v=spf1 include:_spf.example.net -all"
    assert remove_value([VERIFY, theirs], OURS) == [VERIFY, theirs]


def test_long_values_split_into_255_octet_strings_that_join_back() -> None:
    value = "v=spf1 " + " ".join(f"ip4:203.0.113.{i}" for i in range(40)) + " -all"
    strings = txt_strings(value)
    assert "".join(strings) == value
    assert [len(s.encode()) for s in strings[:-1]] == [255] * (len(strings) - 1)
    assert len(strings) == 3


def test_short_values_stay_one_string_and_characters_are_never_cut() -> None:
    assert txt_strings("v=spf1 -all") == ["v=spf1 -all"]
    assert txt_strings("") == [""]
    wide = "é" * 200  # 400 octets
    strings = txt_strings(wide)
    assert "".join(strings) == wide and all(len(s.encode()) <= 255 for s in strings)


def test_records_of_other_kinds_are_merged_by_their_version_tag() -> None:
    dmarc = "v=DMARC1; p=reject; pct=100"
    assert merge_txt(["v=DMARC1; p=none", "other"], dmarc) == [dmarc, "other"]
    assert version_tag("v=TLSRPTv1; rua=mailto:x@y") == "v=tlsrptv1"
    assert version_tag("v=spf1") == "v=spf1" and version_tag(VERIFY) is None


def test_an_untagged_value_is_added_once() -> None:
    assert merge_txt([VERIFY], VERIFY) == [VERIFY]
    assert merge_txt([VENDOR], VERIFY) == [VENDOR, VERIFY]
