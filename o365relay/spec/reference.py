"""Render the spec reference (docs/spec-reference.md) from the JSON Schema's descriptions.

The schema is the single source: editors show the same descriptions on hover, and a test fails when
the committed reference is stale. Regenerate with ``python -m o365relay.spec.reference > docs/spec-reference.md``.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from o365relay.spec.schema import schema_path

Schema = dict[str, Any]


def _resolve(node: Schema, defs: Schema) -> Schema:
    """Merge a ``$ref`` target under the node's own keys (the node's description wins)."""
    ref = node.get("$ref")
    if not ref:
        return node
    target = _resolve(defs[ref.rsplit("/", 1)[-1]], defs)
    return {**target, **{k: v for k, v in node.items() if k != "$ref"}}


def _type_of(node: Schema, defs: Schema) -> str:
    node = _resolve(node, defs)
    if "enum" in node:
        return " \\| ".join(f"`{v}`" for v in node["enum"])
    kind = node.get("type", "any")
    if kind == "array":
        return f"list of {_type_of(node.get('items', {}), defs)}"
    if kind == "object" and isinstance(node.get("additionalProperties"), dict):
        return "map of name → object"
    fmt = node.get("format")
    return f"{kind} ({fmt})" if fmt else str(kind)


def _constraints(node: Schema, defs: Schema) -> str:
    node = _resolve(node, defs)
    parts = []
    for key, label in (("minimum", "≥"), ("maximum", "≤"), ("minItems", "at least"), ("maxLength", "max length")):
        if key in node:
            parts.append(f"{label} {node[key]}")
    if "default" in node:
        parts.append(f"default `{json.dumps(node['default'])}`")
    return "; ".join(parts)


def _rows(node: Schema, defs: Schema, prefix: str, required: set[str]) -> list[str]:
    rows: list[str] = []
    for name, child in node.get("properties", {}).items():
        child_r = _resolve(child, defs)
        path = f"{prefix}.{name}" if prefix else name
        req = "yes" if name in required else ""
        desc = child_r.get("description", "").replace("|", "\\|")
        extra = _constraints(child, defs)
        rows.append(f"| `{path}` | {_type_of(child, defs)} | {req} | {desc}{' (' + extra + ')' if extra else ''} |")
        rows.extend(_children(child_r, defs, path))
    return rows


def _children(node: Schema, defs: Schema, path: str) -> list[str]:
    """Rows for what sits inside an object, a map of objects, or a list of objects."""
    if node.get("type") == "array":
        item = _resolve(node.get("items", {}), defs)
        return _rows(item, defs, f"{path}[]", set(item.get("required", []))) if "properties" in item else []
    if isinstance(node.get("additionalProperties"), dict):
        return [row for value in _forms(node["additionalProperties"], defs)
                for row in _rows(value, defs, f"{path}.<name>", set(value.get("required", [])))]
    if "properties" in node:
        return _rows(node, defs, path, set(node.get("required", [])))
    return []


def _forms(node: Schema, defs: Schema) -> list[Schema]:
    """The object forms a map entry takes: one, or (if/then/else, nested in the else branch) the default
    form then what each other form adds or defines differently, with descriptions prefixed by its title
    so readers see which form a row belongs to."""
    node = _resolve(node, defs)
    if "if" not in node:
        return [node]
    default, *others = _forms(node["else"], defs)
    other = _resolve(node["then"], defs)
    label = f"*In {other['title']}:* "
    shared = {name: _resolve(prop, defs) for name, prop in default["properties"].items()}
    marked = {name: {**own, "description": label + own.get("description", "")}
              for name, own in ((n, _resolve(p, defs)) for n, p in other["properties"].items())
              if shared.get(name) != own}
    return [default, *others, {**other, "properties": marked}]


def render(schema: Schema) -> str:
    defs = schema.get("$defs", {})
    lines = [
        "# Spec reference (`relay.<stack>.yaml`, version 1)",
        "",
        "<!-- Generated from schemas/relay.v1.schema.json by `python -m o365relay.spec.reference`. Do not edit. -->",
        "",
        schema.get("description", ""),
        "",
        "| Field | Type | Required | Meaning |",
        "|---|---|---|---|",
        *_rows(schema, defs, "", set(schema.get("required", []))),
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    sys.stdout.write(render(json.loads(schema_path().read_bytes())))


if __name__ == "__main__":
    main()
