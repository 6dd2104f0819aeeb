"""The spec reference renderer: any valid JSON Schema renders, whatever keys it leaves out.

The real schema states every description, ``required`` list and ``items``; these small schemas leave
them out to pin what the reference says then (the committed reference is checked in tests/docs).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from o365relay.spec import reference
from o365relay.spec.reference import render

ROOT = Path(__file__).resolve().parents[2]
TITLE = "# Spec reference (`relay.<stack>.yaml`, version 1)"
NOTE = ("<!-- Generated from schemas/relay.v1.schema.json by `python -m o365relay.spec.reference`. "
        "Do not edit. -->")
HEADER = ["| Field | Type | Required | Meaning |", "|---|---|---|---|"]


def _table(schema: dict) -> list[str]:
    """The rendered table's rows, after checking the fixed head the schema's description sits in."""
    lines = render(schema).split("\n")
    assert lines[:4] == [TITLE, "", NOTE, ""]
    assert lines[5:8] == ["", *HEADER] and lines[-1] == ""
    return lines[8:-1]


def test_a_schema_without_description_required_or_properties_renders_an_empty_table():
    assert render({}) == "\n".join([TITLE, "", NOTE, "", "", "", *HEADER, ""])


def test_a_field_without_description_has_an_empty_meaning_and_not_required_is_blank():
    assert _table({"properties": {"name": {"type": "string"}}}) == ["| `name` | string |  |  |"]


def test_a_format_is_named_beside_the_type():
    schema = {"required": ["expires"], "properties": {"expires": {"type": "string", "format": "date",
                                                                  "description": "When."}}}
    assert _table(schema) == ["| `expires` | string (date) | yes | When. |"]


def test_a_list_without_items_is_a_list_of_any_with_no_rows_inside():
    assert _table({"properties": {"tags": {"type": "array"}}}) == ["| `tags` | list of any |  |  |"]


def test_a_list_of_objects_without_required_lists_their_fields_as_optional():
    schema = {"properties": {"rules": {"type": "array", "description": "Rules.",
                                       "items": {"type": "object", "properties": {"id": {"type": "integer"}}}}}}
    assert _table(schema) == ["| `rules` | list of object |  | Rules. |", "| `rules[].id` | integer |  |  |"]


def test_a_reference_merges_its_target_under_the_fields_own_description():
    schema = {"$defs": {"host": {"type": "string", "maxLength": 253, "description": "A host name."}},
              "properties": {"smartHost": {"$ref": "#/$defs/host", "description": "Where mail goes."}}}
    assert _table(schema) == ["| `smartHost` | string |  | Where mail goes. (max length 253) |"]


def _map_with_forms(partner_port: dict) -> dict:
    """A map whose entries take a default form, or a ``Partner`` form when ``kind`` is ``partner``."""
    return {"$defs": {"port": {"type": "integer"}},
            "properties": {"connectors": {
                "type": "object",
                "additionalProperties": {
                    "if": {"properties": {"kind": {"const": "partner"}}},
                    "then": {"title": "Partner", "properties": {"port": partner_port}},
                    "else": {"properties": {"port": {"type": "integer"}}}}}}}


def test_a_form_that_restates_a_field_through_a_reference_adds_no_row():
    assert _table(_map_with_forms({"$ref": "#/$defs/port"})) == [
        "| `connectors` | map of name → object |  |  |",
        "| `connectors.<name>.port` | integer |  |  |"]


def test_a_form_that_changes_a_field_without_description_is_labelled_with_its_title_alone():
    assert _table(_map_with_forms({"type": "integer", "minimum": 25})) == [
        "| `connectors` | map of name → object |  |  |",
        "| `connectors.<name>.port` | integer |  |  |",
        "| `connectors.<name>.port` | integer |  | *In Partner:*  (≥ 25) |"]


def test_running_the_module_prints_the_committed_reference(capsys: pytest.CaptureFixture[str]):
    reference.main()
    printed = capsys.readouterr().out
    assert printed.startswith(TITLE)
    assert printed == (ROOT / "docs" / "spec-reference.md").read_text(encoding="utf-8")

