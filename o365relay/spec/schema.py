"""The JSON Schema of the spec: where it lives, its compiled validator, and errors in plain words.

jsonschema's own messages describe the failed keyword; users need what is wrong and what would be
right, so each error is rewritten from its keyword, the value, and the schema's ``title``,
``description`` and ``patternErrorMessage`` annotations (the last is what the YAML language server
shows in editors, so both say the same), and ``x-misplaced`` (keys valid only in a sibling form,
such as an inbound connector's keys on an outbound one, with the message that says so; one group or a
list of groups, each with its keys and message).
"""

from __future__ import annotations

import difflib
import json
import os
import re
from collections.abc import Callable, Iterator
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from o365relay.reports.wording import plural
from o365relay.spec.addresses import domain_syntax, sender_ip_syntax
from o365relay.spec.model import SpecPath
from o365relay.spec.yamlsource import Issue

SCHEMA_NAME = "relay.v1.schema.json"

# A pattern's title -> a function that says specifically what is wrong with a value.
_EXPLAINERS: dict[str, Callable[[str], str | None]] = {
    "a public IPv4 address or CIDR range from /24 to /32": sender_ip_syntax,
    "a lower-case domain name": domain_syntax,
}


def schema_path() -> Path:
    """The schema file: shipped in the wheel as o365relay/_schemas, else the repository's schemas/."""
    packaged = resources.files("o365relay").joinpath("_schemas", SCHEMA_NAME)
    if packaged.is_file():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "schemas" / SCHEMA_NAME


def modeline(spec_file: Path) -> str:
    """The comment that points YAML-language-server editors at the schema. The server resolves a
    relative ``$schema`` against the spec's own folder, so the path is relative to ``spec_file``'s
    folder (a spec in ``stacks/`` gets ``../schemas/...``); across drives, an absolute file URI."""
    target = schema_path().resolve()
    try:
        reference = Path(os.path.relpath(target, spec_file.resolve().parent)).as_posix()
    except ValueError:
        reference = target.as_uri()
    return f"# yaml-language-server: $schema={reference}"


@lru_cache(maxsize=1)
def load_schema() -> dict[str, Any]:
    """The schema as a dict (read once per process)."""
    with schema_path().open(encoding="utf-8") as handle:
        schema: dict[str, Any] = json.load(handle)
    return schema


@lru_cache(maxsize=1)
def validator() -> Any:
    """The compiled Draft 2020-12 validator (built once per process; jsonschema imported lazily),
    with ``pattern`` judged as JSON Schema means it (ECMA-262) rather than as Python's ``re`` would."""
    from jsonschema import Draft202012Validator, ValidationError
    from jsonschema.validators import extend

    def pattern(_validator: Any, regex: str, instance: Any, _schema: Any) -> Iterator[Any]:
        if isinstance(instance, str) and not ecma_regex(regex).search(instance):
            yield ValidationError(f"{instance!r} does not match {regex!r}")

    strict = extend(Draft202012Validator, {"pattern": pattern})
    return strict(_inline(load_schema(), load_schema()["$defs"]))


@cache
def ecma_regex(pattern: str) -> re.Pattern[str]:
    """``pattern`` with ECMA-262's meaning of ``$``: the end of the text. Python's ``$`` also matches
    before a final newline, so ``"203.0.113.5\n"`` would pass ``^...$`` and break a published record."""
    out, in_class, escaped = [], False, False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "[":
            in_class = True
        elif char == "]":
            in_class = False
        elif char == "$" and not in_class:
            char = r"\Z"
        out.append(char)
    return re.compile("".join(out))


def _inline(node: Any, defs: dict[str, Any]) -> Any:
    """The schema with each local ``$ref`` replaced by its definition: the same rules, but
    validation skips jsonschema's per-instance reference resolution (a third of its time)."""
    if isinstance(node, list):
        return [_inline(item, defs) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _inline(value, defs) for key, value in node.items() if key != "$ref"}
    ref = node.get("$ref", "")
    if ref.startswith("#/$defs/"):
        out = {**_inline(defs[ref.removeprefix("#/$defs/")], defs), **out}
    return out


def schema_issues(document: Any) -> list[Issue]:
    """Every schema violation in ``document``, each rewritten as an :class:`Issue`.

    A value of the wrong type fails its other keywords too (enum, pattern); only the type is reported.
    """
    errors = list(validator().iter_errors(document))
    mistyped = {tuple(e.absolute_path) for e in errors if e.validator == "type"}
    return [issue for error in errors
            if error.validator == "type" or tuple(error.absolute_path) not in mistyped
            for issue in _issues(error)]


def _issues(error: Any) -> Iterator[Issue]:
    path = tuple(error.absolute_path)
    kind, value, instance, schema = error.validator, error.validator_value, error.instance, error.schema
    if kind == "additionalProperties":
        allowed = sorted(schema.get("properties", {}))
        misplaced = schema.get("x-misplaced", [])  # keys that belong to a sibling form (a connector's direction)
        groups = misplaced if isinstance(misplaced, list) else [misplaced]
        for key in instance:
            message = next((g["message"] for g in groups if key in g["keys"]), None)
            if message is not None:
                yield Issue(path + (key,), f"'{key}' {message}", on_key=True)
            elif key not in allowed:
                yield Issue(path + (key,), _unknown_key(key, allowed), on_key=True)
    elif kind == "required":
        for key in value:
            if key not in instance:
                yield Issue(path, f"missing required key '{key}': {_summary(schema, key)}")
    elif kind == "anyOf":  # a value with two forms (a switch: plain value or rollout mapping)
        yield from _either(error, path, value, instance)
    elif "propertyNames" in error.absolute_schema_path:  # the failing key is the instance
        message = _message(kind, value, instance, schema)
        yield Issue(path + (instance,), f"the name {message}" if kind != "pattern" else message, on_key=True)
    else:
        yield Issue(path, _message(kind, value, instance, schema))


def _either(error: Any, path: SpecPath, forms: list[dict[str, Any]], instance: Any) -> Iterator[Issue]:
    """The problems inside the one form whose type the value has; else what forms there are."""
    fitting = [i for i in range(len(forms)) if not any(e.validator == "type" and not e.relative_path
                                                       for e in error.context if e.schema_path[0] == i)]
    if len(fitting) == 1:
        for sub in error.context:
            if sub.schema_path[0] == fitting[0]:
                yield from _issues(sub)
        return
    names = [" or ".join(repr(v) for v in f["enum"]) if "enum" in f else _type_name(f["type"]) for f in forms]
    quote = (" (YAML reads unquoted yes/no/on/off as true/false; quote the value)"
             if isinstance(instance, bool) and any(f.get("type") == "string" for f in forms) else "")
    yield Issue(path, f"expected {', or '.join(names)}, got {_describe(instance)}{quote}")


def _unknown_key(key: str, allowed: list[str]) -> str:
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    if close:
        return f"unknown key '{key}'; did you mean '{close[0]}'?"
    return f"unknown key '{key}'; allowed here: {', '.join(allowed)}"


def _summary(schema: dict[str, Any], key: str) -> str:
    prop = schema.get("properties", {}).get(key, {})
    text: str = prop.get("description", "")  # the inlined schema has one on every property
    return text.split(". ")[0].rstrip(".")


def _message(kind: str, value: Any, instance: Any, schema: dict[str, Any]) -> str:
    if kind == "type":
        expected = (f"one of {', '.join(repr(v) for v in schema['enum'])}" if "enum" in schema
                    else _type_name(value))
        quote = (" (YAML reads unquoted yes/no/on/off as true/false; quote the value)"
                 if isinstance(instance, bool) and "string" in value else "")
        return f"expected {expected}, got {_describe(instance)}{quote}"
    if kind == "enum":
        return f"{instance!r} is not allowed; use one of: {', '.join(repr(v) for v in value)}"
    if kind == "const":
        return f"{instance!r} is not supported; write {value!r}"
    if kind == "pattern":
        explain = _EXPLAINERS.get(schema.get("title", ""))
        specific = explain(instance) if explain else None
        return specific or f"{instance!r} {schema['patternErrorMessage']}"  # what editors show, too
    if kind in ("minimum", "maximum"):
        low, high = schema.get("minimum"), schema.get("maximum")
        bounds = f"from {low} to {high}" if low is not None and high is not None else f"{kind} {value}"
        return f"{instance} is out of range; use a value {bounds}"
    if kind == "minItems":
        return f"the list is empty; give at least {plural(value, 'item')}"
    if kind == "maxItems":
        return f"lists {len(instance)} entries; the limit is {value}"
    if kind == "uniqueItems":
        dupes = sorted({repr(v) for v in instance if instance.count(v) > 1})
        return f"lists {', '.join(dupes)} more than once; list each value once"
    if kind == "minLength":
        return "must not be empty"
    if kind == "maxLength":
        return f"is {len(instance)} characters long; the limit is {value}"
    return f"{instance!r} does not satisfy the schema's '{kind}' rule"


_TYPE_NAMES = {"string": "a string", "integer": "an integer", "boolean": "true or false",
               "object": "a mapping (key: value lines)", "array": "a list", "number": "a number",
               "null": "nothing"}


def _type_name(value: str | list[str]) -> str:
    names = [value] if isinstance(value, str) else value
    return " or ".join(_TYPE_NAMES.get(name, name) for name in names)


def _describe(instance: Any) -> str:
    if instance is None:
        return "an empty value"
    if isinstance(instance, bool):
        return f"the boolean {str(instance).lower()}"
    if isinstance(instance, int | float):
        return f"the number {instance}"
    if isinstance(instance, str):
        return f"the string {instance!r}"
    if isinstance(instance, list):
        return "a list"
    if isinstance(instance, dict):
        return "a mapping"
    return type(instance).__name__
