# ruff: noqa: E501  (exact messages read best one per line)
"""Schema errors in plain words: the exact message a user sees for each kind of violation, the
two-form (anyOf) values, keys named by a pattern, the inlined ``$ref``s and where the schema lives."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from o365relay.spec import schema
from o365relay.spec.schema import SCHEMA_NAME, modeline, schema_issues, schema_path

TENANT = {"id": "7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a", "initialDomain": "contoso.onmicrosoft.com"}
QUOTE = " (YAML reads unquoted yes/no/on/off as true/false; quote the value)"


def problems(document: dict[str, Any]) -> list[tuple[str, str, bool]]:
    return [(".".join(map(str, i.path)), i.message, i.on_key) for i in schema_issues(document)]


def tenant(**settings: Any) -> dict[str, Any]:
    return {"version": 1, "tenant": {**TENANT, **settings}}


@pytest.mark.parametrize(("document", "expected"), [
    (tenant(smtpAuth="on"), [("tenant.smtpAuth", "'on' is not allowed; use one of: 'enabled', 'disabled'", False)]),
    (tenant(smtpAuth={"stage": "later"}), [("tenant.smtpAuth.stage", "'later' is not allowed; use one of: 'observe', 'enforce'", False)]),
    (tenant(smtpAuth=5), [("tenant.smtpAuth", "expected 'enabled' or 'disabled', or a mapping (key: value lines), got the number 5", False)]),
    (tenant(smtpAuth=False), [("tenant.smtpAuth", "expected 'enabled' or 'disabled', or a mapping (key: value lines), got the boolean false" + QUOTE, False)]),
    (tenant(rejectDirectSend="yes"), [("tenant.rejectDirectSend", "expected true or false, or a mapping (key: value lines), got the string 'yes'", False)]),
    (tenant(evidence=True), [("tenant.evidence", "expected a string, or a mapping (key: value lines), got the boolean true" + QUOTE, False)]),
], ids=["string-form-only", "mapping-form-only", "number-fits-no-form", "bool-fits-no-form", "string-no-quote-hint", "bool-for-string-or-mapping"])
def test_a_two_form_value_reports_the_form_it_has_or_the_forms_there_are(document: dict[str, Any], expected: list[tuple[str, str, bool]]) -> None:
    assert problems(document) == expected


def test_a_bool_where_no_form_is_a_string_gets_no_quoting_hint() -> None:
    error = next(Draft202012Validator({"anyOf": [{"type": "integer"}, {"type": "array"}]}).iter_errors(True))
    assert [i.message for i in schema._issues(error)] == ["expected an integer, or a list, got the boolean true"]


def test_a_key_named_by_a_pattern_says_what_is_wrong_with_the_name() -> None:
    long_domain = ".".join(["a" * 63] * 4) + ".com"
    document = {"version": 1, "tenant": TENANT, "domains": {"Contoso.com": {}, long_domain: {}}}
    assert problems(document) == [
        ("domains.Contoso.com", "'Contoso.com' has upper-case letters; write domain names in lower case: contoso.com", True),
        (f"domains.{long_domain}", "the name is 259 characters long; the limit is 253", True),
    ]


@pytest.mark.parametrize(("kind", "value", "instance", "node", "expected"), [
    ("type", "string", 5, {"enum": ["a", "b"]}, "expected one of 'a', 'b', got the number 5"),
    ("type", ["string", "null"], False, {}, "expected a string or nothing, got the boolean false" + QUOTE),
    ("type", "integer", True, {}, "expected an integer, got the boolean true"),
    ("type", "object", "x", {}, "expected a mapping (key: value lines), got the string 'x'"),
    ("enum", ["a", "b"], "c", {}, "'c' is not allowed; use one of: 'a', 'b'"),
    ("const", 1, 2, {}, "2 is not supported; write 1"),
    ("pattern", "^x$", "y", {"title": "t", "patternErrorMessage": "must be x"}, "'y' must be x"),
    ("pattern", "^x$", "Contoso.com", {"title": "a lower-case domain name", "patternErrorMessage": "unused"}, "'Contoso.com' has upper-case letters; write domain names in lower case: contoso.com"),
    ("pattern", "^x$", "contoso.com", {"title": "a lower-case domain name", "patternErrorMessage": "must be x"}, "'contoso.com' must be x"),
    ("minimum", 1, 0, {"minimum": 1, "maximum": 9}, "0 is out of range; use a value from 1 to 9"),
    ("maximum", 9, 10, {"minimum": 1, "maximum": 9}, "10 is out of range; use a value from 1 to 9"),
    ("minimum", 1, 0, {"minimum": 1}, "0 is out of range; use a value minimum 1"),
    ("maximum", 9, 10, {"maximum": 9}, "10 is out of range; use a value maximum 9"),
    ("minItems", 1, [], {}, "the list is empty; give at least 1 item"),
    ("minItems", 2, [], {}, "the list is empty; give at least 2 items"),
    ("maxItems", 2, [1, 2, 3], {}, "lists 3 entries; the limit is 2"),
    ("uniqueItems", True, [1, "a", 1, "a", 2], {}, "lists 'a', 1 more than once; list each value once"),
    ("minLength", 1, "", {}, "must not be empty"),
    ("maxLength", 3, "abcde", {}, "is 5 characters long; the limit is 3"),
    ("format", "email", "x", {}, "'x' does not satisfy the schema's 'format' rule"),
])
def test_each_kind_of_violation_has_its_own_message(kind: str, value: Any, instance: Any, node: dict[str, Any], expected: str) -> None:
    assert schema._message(kind, value, instance, node) == expected


@pytest.mark.parametrize(("instance", "expected"), [
    (None, "an empty value"), (True, "the boolean true"), (False, "the boolean false"), (3, "the number 3"),
    (2.5, "the number 2.5"), ("s", "the string 's'"), ([1], "a list"), ({"a": 1}, "a mapping"), ((1,), "tuple"),
])
def test_a_value_is_described_as_yaml_shows_it(instance: Any, expected: str) -> None:
    assert schema._describe(instance) == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("boolean", "true or false"), (["integer", "number", "null"], "an integer or a number or nothing"),
    (["array", "string"], "a list or a string"), ("tuple", "tuple"),
])
def test_a_type_is_named_in_plain_words(value: str | list[str], expected: str) -> None:
    assert schema._type_name(value) == expected


@pytest.mark.parametrize(("node", "expected"), [
    ({"properties": {"k": {"description": "The first sentence. The rest."}}}, "The first sentence"),
    ({"properties": {"k": {"description": "One sentence only."}}}, "One sentence only"),
    ({"properties": {"k": {"description": "The host named by the MX. Then more."}}}, "The host named by the MX"),
    ({"properties": {"k": {"title": "no description"}}}, ""),
    ({"properties": {"other": {"description": "Not this."}}}, ""),
    ({}, ""),
])
def test_a_missing_key_is_summarised_by_its_descriptions_first_sentence(node: dict[str, Any], expected: str) -> None:
    assert schema._summary(node, "k") == expected


def test_an_unknown_key_names_the_closest_allowed_one_or_lists_them_all() -> None:
    assert schema._unknown_key("domian", ["domains", "domain", "version"]) == "unknown key 'domian'; did you mean 'domain'?"
    assert schema._unknown_key("zzz", ["b", "a"]) == "unknown key 'zzz'; allowed here: b, a"


def test_local_refs_are_inlined_and_the_referring_keys_win() -> None:
    defs = {"name": {"type": "string", "title": "a name"}, "names": {"type": "array", "items": {"$ref": "#/$defs/name"}}}
    node = {"anyOf": [{"$ref": "#/$defs/name", "title": "own"}, {"$ref": "#/$defs/names"}], "other": {"$ref": "https://example.com/x"}, "n": 3}
    assert schema._inline(node, defs) == {
        "anyOf": [{"type": "string", "title": "own"}, {"type": "array", "items": {"type": "string", "title": "a name"}}],
        "other": {},
        "n": 3,
    }


def test_the_schema_shipped_in_the_wheel_is_preferred(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "_schemas").mkdir()
    (tmp_path / "_schemas" / SCHEMA_NAME).write_text("{}", encoding="utf-8")
    monkeypatch.setattr(schema.resources, "files", lambda package: tmp_path if package == "o365relay" else None)
    assert schema_path() == tmp_path / "_schemas" / SCHEMA_NAME


def test_a_source_checkout_uses_the_repositorys_schema() -> None:
    assert schema_path() == Path(__file__).resolve().parents[2] / "schemas" / SCHEMA_NAME


def test_the_modeline_is_relative_to_the_specs_folder() -> None:
    repo = Path(__file__).resolve().parents[2]
    assert modeline(repo / "stacks" / "prod.yaml") == f"# yaml-language-server: $schema=../schemas/{SCHEMA_NAME}"
    assert modeline(repo / "relay.yaml") == f"# yaml-language-server: $schema=schemas/{SCHEMA_NAME}"


def test_across_drives_the_modeline_is_an_absolute_uri(monkeypatch: pytest.MonkeyPatch) -> None:
    def other_drive(path: str, start: str) -> str:
        raise ValueError(f"path is on mount {path!r}, start on mount {start!r}")
    monkeypatch.setattr(schema.os.path, "relpath", other_drive)
    assert modeline(Path("/elsewhere/relay.yaml")) == "# yaml-language-server: $schema=" + schema_path().resolve().as_uri()


def test_a_mapping_that_allows_no_keys_says_so_for_each_key() -> None:
    error = next(Draft202012Validator({"additionalProperties": False}).iter_errors({"x": 1}))
    assert [(i.path, i.message, i.on_key) for i in schema._issues(error)] == [(("x",), "unknown key 'x'; allowed here: ", True)]
