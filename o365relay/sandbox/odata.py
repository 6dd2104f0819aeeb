"""The OData ``$filter`` subset Graph accepts on the routes the sandbox serves, parsed into a tree.

Why a parser and not string matching: the message-trace route must find the ``receivedDateTime``
window inside an arbitrary ``and`` chain to enforce the 10-day / 90-day rules, and every list route
must refuse a clause on a property Graph cannot filter with Graph's own 400, not silently ignore it.

Grammar (case-insensitive keywords, as Graph's)::

    expr    := and_expr ("or" and_expr)*
    and_expr:= unary ("and" unary)*
    unary   := "not" unary | "(" expr ")" | func | lambda | compare
    compare := path op literal | path "in" "(" literal ("," literal)* ")"
    func    := ("startswith" | "endswith" | "contains") "(" path "," literal ")"
    lambda  := path "/any(" name ":" name ["/" name] op literal ")"
    literal := 'quoted '' string' | number | true | false | null | GUID | ISO 8601 date-time

:func:`parse` returns a :class:`Node`; :meth:`Node.matches` evaluates it on a JSON document
(string comparisons case-insensitive, as the directory compares them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

OPERATORS = ("eq", "ne", "ge", "le", "gt", "lt")
FUNCTIONS = ("startswith", "endswith", "contains")

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>'(?:[^']|'')*')
      | (?P<datetime>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})?)
      | (?P<guid>[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})
      | (?P<number>-?\d+(?:\.\d+)?)
      | (?P<punct>[(),:/])
      | (?P<word>[A-Za-z_@][A-Za-z0-9_.@]*)
    )""",
    re.VERBOSE,
)


class FilterError(ValueError):
    """The filter cannot be parsed, or names a property the resource cannot filter on."""

    def __init__(self, message: str, prop: str | None = None):
        self.prop = prop
        super().__init__(message)


@dataclass(frozen=True)
class Node:
    """One node of a parsed filter. ``kind`` is compare|in|func|any|and|or|not."""

    kind: str
    op: str = ""
    prop: str = ""
    value: Any = None
    children: tuple[Node, ...] = ()
    item_prop: str = ""  # any(): the property of each item compared (empty: the item itself)

    def matches(self, doc: dict[str, Any]) -> bool:
        if self.kind == "and":
            return all(c.matches(doc) for c in self.children)
        if self.kind == "or":
            return any(c.matches(doc) for c in self.children)
        if self.kind == "not":
            return not self.children[0].matches(doc)
        have = _lookup(doc, self.prop)
        if self.kind == "any":
            items = [_lookup(i, self.item_prop) if self.item_prop else i for i in (have or [])]
            return any(_compare(item, self.op, self.value) for item in items)
        if self.kind == "in":
            return any(_compare(have, "eq", v) for v in self.value)
        if self.kind == "func":
            return _function(self.op, have, self.value)
        return _compare(have, self.op, self.value)

    def properties(self) -> set[str]:
        """Every property the filter names (for the per-resource allow-list)."""
        own = {self.prop} if self.prop else set()
        return own.union(*(c.properties() for c in self.children))

    def conjuncts(self) -> list[Node]:
        """The top-level ``and`` terms (the node itself when it is not an ``and``)."""
        return list(self.children) if self.kind == "and" else [self]


def equalities(node: Node | None) -> dict[str, Any]:
    """``prop eq 'text'`` terms every match must satisfy (top-level ``and``), as ``{prop: text}``:
    a store can narrow its candidates by them before :meth:`Node.matches` decides."""
    if node is None:
        return {}
    return {c.prop: c.value for c in node.conjuncts()
            if c.kind == "compare" and c.op == "eq" and isinstance(c.value, str) and "/" not in c.prop}


def parse(text: str, allowed: dict[str, set[str]] | None = None) -> Node:
    """Parse ``$filter``; ``allowed`` maps property -> permitted operators (None: anything goes)."""
    parser = _Parser(_tokenize(text))
    node = parser.expr()
    if parser.peek() is not None:
        raise FilterError(f"Syntax error at position {parser.pos} in '{text}'.")
    if allowed is not None:
        _check_allowed(node, allowed)
    return node


def _check_allowed(node: Node, allowed: dict[str, set[str]]) -> None:
    if node.children:
        for child in node.children:
            _check_allowed(child, allowed)
        return
    op = node.op if node.kind in ("compare", "func", "any") else node.kind
    ops = allowed.get(node.prop)
    if ops is None or op not in ops:
        raise FilterError(
            f"Unsupported or invalid query filter clause specified for property '{node.prop}'.", node.prop
        )


def _tokenize(text: str) -> list[tuple[str, Any]]:
    tokens: list[tuple[str, Any]] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise FilterError(
                f"Syntax error: character '{text[pos:].strip()[:1]}' is not valid at position {pos} in '{text}'."
            )
        kind = match.lastgroup or ""
        raw = match.group(kind)
        value: Any = raw
        if kind == "string":
            value = raw[1:-1].replace("''", "'")
        elif kind == "number":
            value = float(raw) if "." in raw else int(raw)
        elif kind == "word" and raw.lower() in ("true", "false", "null"):
            kind, value = "const", {"true": True, "false": False, "null": None}[raw.lower()]
        tokens.append((kind, value))
        pos = match.end()
    return tokens


class _Parser:
    def __init__(self, tokens: list[tuple[str, Any]]):
        self.tokens = tokens
        self.pos = 0

    def peek(self) -> tuple[str, Any] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> tuple[str, Any]:
        token = self.peek()
        if token is None:
            raise FilterError("Syntax error: the filter ends too early.")
        self.pos += 1
        return token

    def keyword(self, word: str) -> bool:
        token = self.peek()
        if token and token[0] == "word" and str(token[1]).lower() == word:
            self.pos += 1
            return True
        return False

    def expect(self, punct: str) -> None:
        kind, value = self.take()
        if kind != "punct" or value != punct:
            raise FilterError(f"Syntax error: expected '{punct}' but found '{value}'.")

    def expr(self) -> Node:
        terms = [self.and_expr()]
        while self.keyword("or"):
            terms.append(self.and_expr())
        return terms[0] if len(terms) == 1 else Node("or", children=tuple(terms))

    def and_expr(self) -> Node:
        terms = [self.unary()]
        while self.keyword("and"):
            terms.append(self.unary())
        return terms[0] if len(terms) == 1 else Node("and", children=tuple(terms))

    def unary(self) -> Node:
        if self.keyword("not"):
            return Node("not", children=(self.unary(),))
        token = self.peek()
        if token == ("punct", "("):
            self.take()
            node = self.expr()
            self.expect(")")
            return node
        kind, name = self.take()
        if kind != "word":
            raise FilterError(f"Syntax error: expected a property name but found '{name}'.")
        if str(name).lower() in FUNCTIONS and self.peek() == ("punct", "("):
            self.take()
            prop = self.path()
            self.expect(",")
            value = self.literal()
            self.expect(")")
            return Node("func", op=str(name).lower(), prop=prop, value=value)
        prop = str(name)
        if self.peek() == ("punct", "/"):
            return self.lambda_any(prop)
        if self.keyword("in"):
            return Node("in", prop=prop, value=tuple(self.literal_list()))
        return Node("compare", op=self.operator(), prop=prop, value=self.literal())

    def path(self) -> str:
        kind, name = self.take()
        if kind != "word":
            raise FilterError(f"Syntax error: expected a property name but found '{name}'.")
        return str(name)

    def lambda_any(self, prop: str) -> Node:
        self.expect("/")
        if not self.keyword("any"):
            raise FilterError(f"Syntax error: only the any() lambda is supported on '{prop}'.")
        self.expect("(")
        var = self.path()
        self.expect(":")
        if self.path() != var:
            raise FilterError(f"Syntax error: the lambda must compare its variable '{var}'.")
        item_prop = ""
        if self.peek() == ("punct", "/"):
            self.take()
            item_prop = self.path()
        op = self.operator()
        value = self.literal()
        self.expect(")")
        return Node("any", op=op, prop=prop, value=value, item_prop=item_prop)

    def operator(self) -> str:
        kind, word = self.take()
        if kind != "word" or str(word).lower() not in OPERATORS:
            raise FilterError(f"Syntax error: '{word}' is not a supported operator.")
        return str(word).lower()

    def literal(self) -> Any:
        kind, value = self.take()
        if kind not in ("string", "number", "const", "guid", "datetime"):
            raise FilterError(f"Syntax error: '{value}' is not a literal value.")
        return value

    def literal_list(self) -> list[Any]:
        self.expect("(")
        values = [self.literal()]
        while self.peek() == ("punct", ","):
            self.take()
            values.append(self.literal())
        self.expect(")")
        return values


def _lookup(doc: dict[str, Any], prop: str) -> Any:
    value: Any = doc
    for part in prop.split("/"):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _norm(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def _compare(have: Any, op: str, want: Any) -> bool:
    have, want = _norm(have), _norm(want)
    if op == "eq":
        return bool(have == want)
    if op == "ne":
        return bool(have != want)
    if have is None or want is None or type(have) is not type(want):
        return False
    return bool({"ge": have >= want, "le": have <= want, "gt": have > want, "lt": have < want}[op])


def _function(name: str, have: Any, want: Any) -> bool:
    if not isinstance(have, str) or not isinstance(want, str):
        return False
    have, want = have.lower(), want.lower()
    return {"startswith": have.startswith, "endswith": have.endswith, "contains": have.__contains__}[name](want)
