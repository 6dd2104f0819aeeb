"""Property: any mutation of the example spec loads as a valid spec or a clean SpecError, never a crash."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from o365relay.errors import SpecError
from o365relay.spec.loader import load_text, spec_from_document
from o365relay.spec.model import RelaySpec
from o365relay.spec.yamlsource import read_source

ROOT = Path(__file__).resolve().parents[2]
TEXT = (ROOT / "relay.prod.yaml").read_text(encoding="utf-8")
DOCUMENT = read_source(ROOT / "relay.prod.yaml").data
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 5000), st.floats(allow_nan=False),
                    st.text(max_size=12), st.sampled_from(["10.0.0.1", "2001:db8::1", "203.0.113.0/8",
                                                           "nobody", "x@fabrikam.com", "2027-02-30",
                                                           "federated", "mailbox", "-all", "tenant"]))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=6)


def assert_clean(load: Any) -> None:
    try:
        assert isinstance(load(), RelaySpec)
    except SpecError as error:
        assert error.problems
        for problem in error.problems:
            assert problem.line >= 1 and problem.column >= 1
            assert problem.path.startswith("spec") and problem.message


def paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += paths(value, prefix + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += paths(value, prefix + (index,))
    return found


PATHS = paths(DOCUMENT)[1:]


@SETTINGS
@given(st.data())
def test_tree_mutations(data: st.DataObject) -> None:
    """Replace, delete or add a node anywhere; validate as a document and as YAML text."""
    document = copy.deepcopy(DOCUMENT)
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(PATHS))
        parent: Any = document
        try:
            for part in path[:-1]:
                parent = parent[part]
            action = data.draw(st.sampled_from(["replace", "delete", "add"]))
            if action == "replace":
                parent[path[-1]] = data.draw(values)
            elif action == "delete":
                del parent[path[-1]]
            elif isinstance(parent, dict):
                parent[data.draw(st.text(max_size=8))] = data.draw(values)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed or retyped this path
    assert_clean(lambda: spec_from_document(document))
    assert_clean(lambda: load_text(yaml.safe_dump(document)))


@SETTINGS
@given(st.data())
def test_text_mutations(data: st.DataObject) -> None:
    """Cut, insert or duplicate characters and lines of the example's text."""
    text = TEXT
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(text)))
        action = data.draw(st.sampled_from(["cut", "insert", "duplicate-line"]))
        if action == "cut":
            text = text[:at] + text[at + data.draw(st.integers(1, 40)):]
        elif action == "insert":
            noise = data.draw(st.text(st.sampled_from(" :-[]{}&*!|>#'\"\t\nab1.@/"), max_size=6))
            text = text[:at] + noise + text[at:]
        else:
            start = text.rfind("\n", 0, at) + 1
            end = text.find("\n", at) + 1 or len(text)
            text = text[:end] + text[start:end] + text[end:]
    assert_clean(lambda: load_text(text))
