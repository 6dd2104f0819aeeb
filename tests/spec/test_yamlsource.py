"""Reading YAML into a spec document: the limits that stop hostile files (alias expansion, nesting,
keys that are not text), merge keys, tags, and where each refusal points."""

from __future__ import annotations

import pytest
import yaml

from o365relay.errors import SpecError
from o365relay.spec import yamlsource
from o365relay.spec.loader import load_text
from o365relay.spec.yamlsource import Issue, SourceError, parse_source

HEAD = ("version: 1\ntenant:\n  id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a\n"
        "  initialDomain: contoso.onmicrosoft.com\n")
TAG = "unsupported YAML tag !!binary; remove the tag (a spec holds only strings, numbers, booleans, lists and mappings)"
MERGES_MAPPINGS_ONLY = "'<<' merges mappings only; give it an alias of a mapping"
KEY_NOT_TEXT = "a key must be a word, not a list or a mapping; write the key as plain text"
TOO_DEEP = "nesting is deeper than 32 levels; a spec needs at most a handful"


def problems(text: str) -> list[str]:
    with pytest.raises(SpecError) as caught:
        load_text(text, "relay.yaml")
    return [str(p) for p in caught.value.problems]


def refusal(text: str) -> list[Issue]:
    with pytest.raises(SourceError) as caught:
        parse_source(text)
    return caught.value.issues


# -- the alias budget: 50,000 nodes reached again through aliases -------------------------------------

# An anchored mapping of 50 nodes (itself, the key k, the list and its 47 items); the anchored list inside
# it is reached again with it, so it must not be charged a second time.
FIFTY = "a: &a {k: &l [" + ", ".join(["x"] * 47) + "]}\n"


def aliases(copies: int, then: str = "") -> str:
    return "s: &s one\n" + FIFTY + "b: [" + ", ".join(["*a"] * copies) + "]\n" + then


def test_aliases_expanding_to_exactly_the_budget_are_read() -> None:
    data = parse_source(aliases(1000)).data
    assert len(data["b"]) == 1000
    assert data["b"][999] == {"k": ["x"] * 47}


def test_one_node_over_the_alias_budget_is_refused_where_the_alias_points() -> None:
    assert problems(aliases(1000, then="c: *s\n")) == [
        "relay.yaml:1:4: spec.c: aliases expand to more than 50,000 nodes (a 'billion laughs' file?); "
        "write the values out instead"]


def test_an_alias_of_a_list_that_contains_itself_is_a_recursive_structure() -> None:
    assert problems(HEAD + "x: &x [a, *x]\n") == [
        "relay.yaml:5:4: spec: an alias refers to a node that contains it (a recursive structure); "
        "write the values out instead"]


# -- nesting ------------------------------------------------------------------------------------------

def test_thirty_two_levels_of_nesting_are_read_and_thirty_three_are_refused() -> None:
    """The top-level mapping is the first level."""
    nested: list[object] = []
    for _ in range(30):
        nested = [nested]
    assert parse_source("x: " + "[" * 31 + "]" * 31 + "\n").data["x"] == nested
    deepest = ("x",) + (0,) * 31
    assert refusal("x: " + "[" * 32 + "]" * 32 + "\n") == [Issue(deepest, TOO_DEEP, (1, 35))]


def test_without_libyaml_very_deep_nesting_is_one_clear_problem(monkeypatch: pytest.MonkeyPatch) -> None:
    """PyYAML without its C extension composes recursively and runs out of stack first."""
    monkeypatch.setattr(yamlsource, "_Loader", yaml.SafeLoader)
    assert problems("[" * 2000 + "]" * 2000) == [f"relay.yaml:1:1: spec: {TOO_DEEP}"]


# -- keys that are not text ---------------------------------------------------------------------------

def test_a_list_as_a_key_is_refused_at_the_key() -> None:
    assert problems(HEAD + "domains:\n  ? [contoso.com, fabrikam.com]\n  : {}\n") == [
        f"relay.yaml:6:5: spec.domains: {KEY_NOT_TEXT}"]


def test_a_billion_laughs_written_in_keys_is_refused_before_it_expands() -> None:
    """Keys are never walked as values, so aliases in keys escape the alias budget: their text is what
    must not be built. Four levels keep a regression quick to see (its message is 0.8 MB); nine would make
    gigabytes."""
    levels = "".join(f"? &k{i} [" + ", ".join([f"*k{i - 1}"] * 9 if i else ["lol"] * 9) + "]\n: x\n"
                     for i in range(4))
    assert problems(HEAD + levels) == [f"relay.yaml:5:3: spec: {KEY_NOT_TEXT}"]


def test_a_mapping_as_a_key_beside_a_merge_is_refused() -> None:
    text = "a: &a {k: 1}\nb:\n  <<: *a\n  ? {k: 2}\n  : x\n"
    assert refusal(text) == [Issue(("b",), KEY_NOT_TEXT, (4, 5))]


def test_a_mapping_as_a_key_inside_a_merged_mapping_is_refused() -> None:
    assert refusal("b:\n  <<: {? [k] : 1}\n") == [Issue(("b",), KEY_NOT_TEXT, (2, 10))]


# -- merge keys ---------------------------------------------------------------------------------------

def test_a_list_of_merged_mappings_gives_each_key_from_the_first_that_has_it() -> None:
    source = parse_source("a: &a {k: 1, m: 2}\nb: &b {k: 3, n: 4}\nc:\n  <<: [*a, *b]\n  m: 5\n")
    assert source.data["c"] == {"k": 1, "m": 5, "n": 4}
    assert source.issues == []


def test_a_merge_written_after_the_own_keys_still_merges() -> None:
    source = parse_source("a: &a {k: 1, m: 2}\nc:\n  m: 5\n  <<: *a\n")
    assert source.data["c"] == {"k": 1, "m": 5}


def test_a_mapping_that_is_only_a_merge_is_the_merged_mapping() -> None:
    assert parse_source("a: &a {k: 1}\nc: {<<: *a}\n").data["c"] == {"k": 1}


def test_an_explicit_merge_tag_merges_as_in_yaml() -> None:
    assert parse_source("a: &a {k: 1}\nc: {? !!merge x : *a}\n").data["c"] == {"k": 1}


def test_merging_something_that_is_not_a_mapping_points_at_it_and_merges_the_rest() -> None:
    source = parse_source("s: &s text\na: &a {k: 1}\nc:\n  <<: [*s, *a]\n")
    assert source.data["c"] == {"k": 1}
    assert source.issues == [Issue(("c",), MERGES_MAPPINGS_ONLY, (1, 4))]


def test_a_bad_merge_is_reported_once_where_it_is_written_though_its_mapping_is_merged_again() -> None:
    source = parse_source("a: &a {<<: 3, k: 1}\nb: {<<: *a}\n")
    assert source.data == {"a": {"k": 1}, "b": {"k": 1}}
    assert source.issues == [Issue(("a",), MERGES_MAPPINGS_ONLY, (1, 12))]


def test_each_merge_of_something_that_is_not_a_mapping_is_reported() -> None:
    source = parse_source("s: &s text\nc: {<<: *s}\nd: {<<: [*s, *s]}\n")
    assert source.issues == [Issue(("c",), MERGES_MAPPINGS_ONLY, (1, 4)), Issue(("d",), MERGES_MAPPINGS_ONLY, (1, 4))]


def test_a_bad_merge_inside_a_merged_mapping_is_reported_under_the_mapping_that_merges() -> None:
    source = parse_source("c:\n  <<: {<<: 3, k: 1}\n")
    assert source.data["c"] == {"k": 1}
    assert source.issues == [Issue(("c",), MERGES_MAPPINGS_ONLY, (2, 12))]


# -- tags, the top level, positions -------------------------------------------------------------------

def test_a_tagged_scalar_below_its_key_is_reported_at_the_tag() -> None:
    source = parse_source("comment:\n  !!binary aGVsbG8=\n")
    assert source.data == {"comment": "aGVsbG8="}
    assert source.issues == [Issue(("comment",), TAG, (2, 3))]


def test_a_top_level_list_after_a_comment_points_at_the_list() -> None:
    assert problems("# relay for the dc1 printers\n- version: 1\n") == [
        "relay.yaml:2:1: spec: the top level is a list; a spec is a mapping with keys version, tenant, "
        "domains, serviceAccounts, connectors, sendAs, authenticationPolicies, waivers"]


def test_the_whole_document_spans_to_its_last_value() -> None:
    spec = load_text(HEAD + "\n# the end\n")
    assert spec.region(()) == ((1, 1), (4, 41))


@pytest.mark.parametrize(("loader", "reason"), [
    (yaml.CSafeLoader, "control characters are not allowed"),
    (yaml.SafeLoader, "special characters are not allowed"),
], ids=["libyaml", "pure-python"])
def test_a_control_character_is_one_line_that_points_at_it(monkeypatch: pytest.MonkeyPatch, loader: type,
                                                           reason: str) -> None:
    """The first of them (libyaml counts the offset in bytes, so the text before it is not ASCII only)."""
    monkeypatch.setattr(yamlsource, "_Loader", loader)
    text = HEAD.replace("initialDomain: contoso", "initialDomain: caf\u00e9\u00e9\x07contoso") + "# \x07\n"
    assert problems(text) == [f"relay.yaml:4:23: spec: not valid YAML: unacceptable character U+0007: {reason}; "
                              "remove it"]
