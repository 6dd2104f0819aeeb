"""The schema, the example spec and the model must agree: a change to one shows up here."""

from __future__ import annotations

import dataclasses
import json
import typing
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from o365relay.spec import model as m
from o365relay.spec.document import DISCRIMINATOR, KIND, MERGED_FIELDS, OUTBOUND, PARTNER, camel, default_of
from o365relay.spec.loader import load_spec
from o365relay.spec.schema import load_schema, schema_path
from o365relay.spec.yamlsource import read_source

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "relay.prod.yaml"
SCHEMA = load_schema()
_P = SCHEMA["properties"]
_DOMAIN = _P["domains"]["additionalProperties"]
_INBOUND = SCHEMA["$defs"]["inboundConnector"]
_APPLICATION = SCHEMA["$defs"]["applicationSender"]
_MAILBOX = SCHEMA["$defs"]["mailboxSender"]


def _resolved(node: dict[str, Any]) -> dict[str, Any]:
    """A node with its local ``$ref`` merged in (the node's own keys win)."""
    if "$ref" not in node:
        return node
    target = _resolved(SCHEMA["$defs"][node["$ref"].rsplit("/", 1)[-1]])
    return {**target, **{k: v for k, v in node.items() if k != "$ref"}}


def _both_forms(*forms: dict[str, Any]) -> dict[str, Any]:
    """One model class written in several forms: every form's keys; required what all forms require."""
    return {"additionalProperties": not all(f["additionalProperties"] is False for f in forms),
            "properties": {k: _resolved(v) for f in forms for k, v in f["properties"].items()},
            "required": sorted(set.intersection(*(set(f["required"]) for f in forms)))}


_ACCOUNT = _both_forms(_APPLICATION, _MAILBOX)
_OUTBOUND = SCHEMA["$defs"]["outboundConnector"]
_PARTNER = SCHEMA["$defs"]["partnerConnector"]
MARKERS = {DISCRIMINATOR, KIND}  # a connectors entry's form markers: the model says the form by its class
CONNECTORS = (m.Connector, m.OutboundConnector, m.PartnerConnector)

# Each model class and the schema object it is written as.
PAIRS: dict[type, dict[str, Any]] = {
    m.RelaySpec: SCHEMA,
    m.Tenant: _P["tenant"],
    m.ConnectionFilter: _P["tenant"]["properties"]["connectionFilter"],
    m.Domain: _DOMAIN,
    m.Spf: _DOMAIN["properties"]["spf"],
    m.Dkim: _DOMAIN["properties"]["dkim"],
    m.Dmarc: _DOMAIN["properties"]["dmarc"],
    m.DnsHosting: _DOMAIN["properties"]["dns"],
    m.MtaSts: _DOMAIN["properties"]["mtaSts"],
    m.TlsRpt: _DOMAIN["properties"]["tlsRpt"],
    m.ServiceAccount: _ACCOUNT,
    m.Credential: _ACCOUNT["properties"]["credential"],
    m.MailboxCreation: _ACCOUNT["properties"]["create"],
    m.Connector: _INBOUND,
    m.OutboundConnector: _OUTBOUND,
    m.PartnerConnector: _PARTNER,
    m.SendAsGrant: _P["sendAs"]["items"],
    m.AuthenticationPolicy: _P["authenticationPolicies"]["additionalProperties"],
    m.Waiver: _P["waivers"]["items"],
    m.Rollout: SCHEMA["$defs"]["rollout"],
    m.Evidence: SCHEMA["$defs"]["evidence"],
    m.SeenSender: SCHEMA["$defs"]["seenSender"],
}
NOT_PROPERTIES = {"name", "source", "positions", "ends", *MERGED_FIELDS}  # map keys, bookkeeping, merged maps


def fields(cls: type) -> list[dataclasses.Field[Any]]:
    return [f for f in dataclasses.fields(cls) if f.name not in NOT_PROPERTIES]


def test_schema_is_a_valid_draft_2020_12_schema() -> None:
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(SCHEMA)


def test_every_model_class_is_paired() -> None:
    classes = {v for v in vars(m).values() if dataclasses.is_dataclass(v) and isinstance(v, type)}
    assert classes == set(PAIRS)


@pytest.mark.parametrize("cls", list(PAIRS), ids=lambda c: c.__name__)
def test_model_fields_and_schema_properties_match(cls: type) -> None:
    schema, markers = PAIRS[cls], MARKERS if cls in CONNECTORS else set()
    assert {camel(f.name) for f in fields(cls)} == set(schema["properties"]) - markers
    assert schema["additionalProperties"] is False
    required = {camel(f.name) for f in fields(cls) if default_of(f) is dataclasses.MISSING}
    assert set(schema.get("required", [])) - markers == required


@pytest.mark.parametrize("cls", list(PAIRS), ids=lambda c: c.__name__)
def test_schema_defaults_equal_model_defaults(cls: type) -> None:
    for f in fields(cls):
        default, prop = default_of(f), PAIRS[cls]["properties"][camel(f.name)]
        if default is dataclasses.MISSING or default is None or dataclasses.is_dataclass(default):
            assert "default" not in prop, f.name
        else:
            expected = list(default) if isinstance(default, tuple) else default
            assert prop.get("default") == expected, f"{cls.__name__}.{f.name}"


@pytest.mark.parametrize("cls", list(PAIRS), ids=lambda c: c.__name__)
def test_literal_types_match_schema_enums(cls: type) -> None:
    hints = typing.get_type_hints(cls)
    for f in fields(cls):
        literal = next((a for a in [hints[f.name], *typing.get_args(hints[f.name])]
                        if typing.get_origin(a) is typing.Literal), None)
        if literal is not None:  # a value with two forms (a switch or its rollout) lists it in one of them;
            prop = PAIRS[cls]["properties"][camel(f.name)]  # a tuple of them, in its items
            forms = [prop, *prop.get("anyOf", []), *([_resolved(prop["items"])] if "items" in prop else [])]
            enums = [form["enum"] for form in forms if "enum" in form]
            assert enums == [list(typing.get_args(literal))], f.name


def _properties(node: Any, where: str = "") -> list[tuple[str, dict[str, Any]]]:
    found = []
    if isinstance(node, dict):
        for name, prop in node.get("properties", {}).items():
            found.append((f"{where}.{name}", _resolved(prop)))
        for key, value in node.items():
            found += _properties(value, f"{where}/{key}")
    return found


def test_every_property_has_a_description() -> None:
    props = _properties(SCHEMA)
    assert len(props) > 40
    assert [where for where, prop in props if not prop.get("description")] == []


def test_every_object_forbids_unknown_keys() -> None:
    def objects(node: Any) -> list[dict[str, Any]]:
        if isinstance(node, dict):
            own = [node] if node.get("type") == "object" else []
            return own + [o for v in node.values() for o in objects(v)]
        return []
    for obj in objects(SCHEMA):
        assert obj.get("additionalProperties") is False or "propertyNames" in obj, obj.get("description")


def test_example_names_the_schema_for_editors() -> None:
    first = EXAMPLE.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# yaml-language-server: $schema=")
    target = (EXAMPLE.parent / first.split("$schema=", 1)[1].strip()).resolve()
    assert target == schema_path().resolve()


def test_example_validates_against_the_bare_schema_and_the_loader() -> None:
    document = read_source(EXAMPLE).data
    assert list(Draft202012Validator(SCHEMA).iter_errors(document)) == []
    spec = load_spec(EXAMPLE)
    assert len(spec.send_as) >= 4 and "dc1-relay" in spec.connectors


def test_schema_file_is_what_the_package_ships() -> None:
    assert json.loads(schema_path().read_text(encoding="utf-8")) == SCHEMA
    assert schema_path().name == "relay.v1.schema.json"


def test_connectors_choose_their_form_by_direction_then_type() -> None:
    """All forms live in the one connectors map: direction: outbound selects the outbound form, then
    type: partner the partner form; anything else is a relay connector."""
    entry = _P["connectors"]["additionalProperties"]
    assert entry["if"]["properties"][DISCRIMINATOR]["const"] == OUTBOUND
    assert entry["then"]["$ref"].endswith("/outboundConnector")
    inbound = entry["else"]
    assert inbound["if"]["properties"][KIND]["const"] == PARTNER
    assert inbound["then"]["$ref"].endswith("/partnerConnector")
    assert inbound["else"]["$ref"].endswith("/inboundConnector")
    assert _OUTBOUND["required"] == [DISCRIMINATOR] and _INBOUND["properties"][DISCRIMINATOR]["default"] == "inbound"
    assert _PARTNER["required"] == [KIND, "senderDomains"] and _INBOUND["properties"][KIND]["default"] == "relay"
    assert SCHEMA["$defs"]["connectorDirection"]["enum"] == list(typing.get_args(m.ConnectorDirection))
    assert SCHEMA["$defs"]["inboundKind"]["enum"] == list(typing.get_args(m.InboundKind))
    assert MERGED_FIELDS == {"outbound_connectors": ("connectors", DISCRIMINATOR, OUTBOUND),
                             "partner_connectors": ("connectors", KIND, PARTNER)} and "connectors" in _P


def test_misplaced_keys_are_exactly_the_other_forms_keys() -> None:
    forms = {"inbound": _INBOUND, "outbound": _OUTBOUND, "partner": _PARTNER}
    for name, form in forms.items():
        misplaced = form["x-misplaced"]
        groups = misplaced if isinstance(misplaced, list) else [misplaced]
        others = set().union(*(set(f["properties"]) for n, f in forms.items() if n != name))
        keys = [k for g in groups for k in g["keys"]]
        assert sorted(keys) == sorted(others - set(form["properties"])), name


def test_service_accounts_choose_their_form_by_kind() -> None:
    """Editors complete only the keys a sender's kind takes; the other form's keys say why they do not apply."""
    entry = _P["serviceAccounts"]["additionalProperties"]
    assert entry["if"]["properties"]["kind"]["const"] == "application"
    assert entry["then"]["$ref"].endswith("/applicationSender") and entry["else"]["$ref"].endswith("/mailboxSender")
    application, mailbox = set(_APPLICATION["properties"]), set(_MAILBOX["properties"])
    assert set(_APPLICATION["x-misplaced"]["keys"]) == mailbox - application == {"create"}
    assert set(_MAILBOX["x-misplaced"]["keys"]) == application - mailbox == {"credential"}
    assert "credential" in _APPLICATION["required"]


def test_every_pattern_says_what_it_wants_in_words() -> None:
    """``patternErrorMessage`` is what the YAML language server shows instead of the raw regex."""
    def patterned(node: Any) -> list[dict[str, Any]]:
        if isinstance(node, dict):
            return ([node] if "pattern" in node else []) + [p for v in node.values() for p in patterned(v)]
        if isinstance(node, list):
            return [p for v in node for p in patterned(v)]
        return []
    nodes = patterned(SCHEMA)
    assert len(nodes) >= 18
    assert [n["pattern"] for n in nodes if not n.get("patternErrorMessage", "").startswith("must be ")] == []
