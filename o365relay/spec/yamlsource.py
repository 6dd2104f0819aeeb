"""Read a spec file into plain data plus the position of every node, refusing hostile input.

PyYAML composes the node graph (libyaml's C parser when present: fast, and it caps nesting at
1,000 levels itself); one walk over the graph then builds plain dicts, lists and scalars and records
positions, rejecting duplicate keys, unsupported tags, excessive depth and alias expansion. Building
the data ourselves rather than through ``yaml.safe_load`` is what lets every node keep its location
at little cost, and lets the alias budget stop a "billion laughs" file before it expands.

Scalars follow YAML 1.1 as ``yaml.safe_load`` does, except that dates stay strings (the schema and
the semantic checks judge them) and mapping keys are always the key's text.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor

from o365relay.spec.model import Position, SpecPath

MAX_FILE_BYTES = 4 * 1024 * 1024
MAX_DEPTH = 32
# Nodes reached a second time through aliases, counted with their whole subtree.
MAX_ALIAS_EXPANSION = 50_000

_Loader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_TOO_DEEP = f"nesting is deeper than {MAX_DEPTH} levels; a spec needs at most a handful"
_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
_MERGE = "tag:yaml.org,2002:merge"
_AS_TEXT = {"tag:yaml.org,2002:timestamp"}
_CONSTRUCTED = {
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
}


@dataclass
class Issue:
    """A problem found before positions are resolved: a spec path, a message, and where to point."""

    path: SpecPath
    message: str
    at: Position | None = None  # an exact location, when the path alone would point elsewhere
    on_key: bool = False  # point at the mapping key of ``path`` rather than at its value


class SourceError(Exception):
    """The file cannot be read as a spec at all; ``issues`` says why and where."""

    def __init__(self, issues: list[Issue]):
        self.issues = issues
        super().__init__(issues[0].message)


@dataclass
class Source:
    """A spec document with the position of each node (``positions``), where the text a position
    points at ends (``ends``: the column after its last character), and each mapping key's position."""

    data: Any
    positions: dict[SpecPath, Position] = field(default_factory=dict)
    ends: dict[SpecPath, Position] = field(default_factory=dict)
    key_positions: dict[SpecPath, Position] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)


def read_source(path: Path) -> Source:
    """Read, decode and parse ``path``; raise :class:`SourceError` for anything that is not a spec."""
    from o365relay.errors import FileRefused
    from o365relay.fileio import read_bytes

    try:
        raw = read_bytes(path, MAX_FILE_BYTES, "a spec")
    except FileRefused as error:
        raise SourceError([Issue((), f"cannot read the file: {error.reason}")]) from None
    return parse_source(decode(raw))


def decode(raw: bytes) -> str:
    """UTF-8 text, or a :class:`SourceError` that says the file is binary or in another encoding."""
    nul = raw.find(b"\0")
    if nul >= 0:
        raise SourceError([Issue((), f"this is a binary file (NUL byte at offset {nul}); "
                                     "a spec is a UTF-8 YAML text file")])
    body = raw.removeprefix(codecs.BOM_UTF8)  # so the error's offset counts from the text, as editors do
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        text = body[: error.start].decode("utf-8")  # valid up to the bad byte
        raise SourceError([Issue((), f"invalid UTF-8 (byte 0x{body[error.start]:02x}); "
                                     "save the file as UTF-8", _position_after(text))]) from error


def _position_after(before: str) -> Position:
    """The line and column of the character that follows ``before``, 1-based as editors count."""
    return before.count("\n") + 1, len(before) - before.rfind("\n")


def parse_source(text: str) -> Source:
    """Parse YAML text into a :class:`Source`; fatal problems raise :class:`SourceError`."""
    try:
        loader = _Loader(text)  # the pure-Python reader checks the characters here
        try:
            root = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as error:
        raise SourceError([_yaml_issue(error, text)]) from error
    except yaml.reader.ReaderError as error:
        raise SourceError([_reader_issue(error, text)]) from error
    except RecursionError as error:  # the pure-Python composer on very deep nesting
        raise SourceError([Issue((), _TOO_DEEP)]) from error
    if root is None:
        raise SourceError([Issue((), "the file is empty; a spec starts with 'version: 1' and a "
                                     "'tenant' section")])
    if not isinstance(root, yaml.MappingNode):
        kind = "a list" if isinstance(root, yaml.SequenceNode) else f"the scalar {root.value!r}"
        raise SourceError([Issue((), f"the top level is {kind}; a spec is a mapping with keys version, tenant, "
                                     "domains, serviceAccounts, connectors, sendAs, authenticationPolicies, waivers",
                                 _mark(root))])
    return _Walker().build(root)


def _mark(node: yaml.Node) -> Position:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _end(node: yaml.Node) -> Position:
    """Where ``node``'s text ends (the column after its last character). A block collection ends with
    its last value, not at the next token, which may sit below comments or blank lines."""
    seen: set[int] = set()  # an alias may make a collection its own last value
    while isinstance(node, yaml.CollectionNode) and not node.flow_style and node.value and id(node) not in seen:
        seen.add(id(node))
        last = node.value[-1]
        node = last[1] if isinstance(last, tuple) else last
    return node.end_mark.line + 1, node.end_mark.column + 1


def _yaml_issue(error: yaml.MarkedYAMLError, text: str) -> Issue:
    """A syntax error where PyYAML marks it (libyaml and the pure-Python parser name and mark every
    problem they raise; ``context`` is only sometimes given)."""
    mark = error.problem_mark
    assert mark is not None
    message = "not valid YAML: " + ", ".join(p for p in (error.context, error.problem) if p)
    if "maximum nesting depth" in message:
        message = _TOO_DEEP
    elif text[mark.index : mark.index + 1] == "\t":
        message += " (a tab); indent with spaces"
    return Issue((), message, (mark.line + 1, mark.column + 1))


def _reader_issue(error: yaml.reader.ReaderError, text: str) -> Issue:
    """A character YAML does not allow anywhere (a control character). The reader's offset counts bytes
    under libyaml and characters in pure Python, so the first such character is found in the text."""
    at = _position_after(text[: text.index(chr(error.character))])
    return Issue((), f"not valid YAML: unacceptable character U+{error.character:04X}: {error.reason}; "
                     "remove it", at)


class _Walker:
    """One pass over the node graph: build data, record positions, enforce the limits."""

    def __init__(self) -> None:
        self.constructor = SafeConstructor()  # yaml.safe_load's scalar rules
        self.seen: set[int] = set()
        self.sizes: dict[int, int] = {}
        self.sizing: set[int] = set()  # nodes whose size is being counted: met again, they contain themselves
        self.refused_merges: set[tuple[int, int]] = set()  # each written once, though merged on elsewhere
        self.expanded = 0
        self.out = Source(None)

    def build(self, root: yaml.MappingNode) -> Source:
        self.out.positions[()] = _mark(root)
        self.out.ends[()] = _end(root)
        self.out.data = self.node(root, (), 0)
        return self.out

    def node(self, node: yaml.Node, path: SpecPath, depth: int, reused: bool = False) -> Any:
        """Build one node; a node met again through an alias is charged to the alias budget."""
        if not reused:
            key = id(node)
            if key in self.seen:
                self.charge(node, path)
                reused = True
            else:
                self.seen.add(key)
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node, path)
        if depth >= MAX_DEPTH:
            raise SourceError([Issue(path, _TOO_DEEP, _mark(node))])
        if node.tag not in (_SEQ, _MAP):
            self.unsupported(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.item(child, path + (i,), depth, reused) for i, child in enumerate(node.value)]
        assert isinstance(node, yaml.MappingNode)
        return self.mapping(node, path, depth, reused)

    def charge(self, node: yaml.Node, path: SpecPath) -> None:
        self.expanded += self.size(node)
        if self.expanded > MAX_ALIAS_EXPANSION:
            raise SourceError([Issue(path, f"aliases expand to more than {MAX_ALIAS_EXPANSION:,} nodes "
                                           "(a 'billion laughs' file?); write the values out instead",
                                     _mark(node))])

    def size(self, node: yaml.Node) -> int:
        """Nodes in the expanded subtree, memoised so that nested aliases cost linear time. A key
        counts as one node: the walk reads a key's text only, and refuses a key that is no scalar."""
        key = id(node)
        if key in self.sizes:
            return self.sizes[key]
        if key in self.sizing:
            raise SourceError([Issue((), "an alias refers to a node that contains it (a recursive "
                                         "structure); write the values out instead", _mark(node))])
        self.sizing.add(key)
        total = 1
        if isinstance(node, yaml.SequenceNode):
            total += sum(self.size(child) for child in node.value)
        elif isinstance(node, yaml.MappingNode):
            total += sum(1 + self.size(value) for _, value in node.value)
        self.sizes[key] = total
        return total

    def item(self, child: yaml.Node, path: SpecPath, depth: int, reused: bool) -> Any:
        self.out.positions[path] = _mark(child)
        self.out.ends[path] = _end(child)
        return self.node(child, path, depth + 1, reused)

    def mapping(self, node: yaml.MappingNode, path: SpecPath, depth: int, reused: bool) -> dict[str, Any]:
        result: dict[str, Any] = {}
        seen: dict[str, Position] = {}
        for key_node, value_node in self._entries(node, path):  # merges expanded, own keys as written
            name = _key(key_node, path)
            key_at = _mark(key_node)
            child = path + (name,)
            if name in seen:
                line = seen[name][0]
                self.out.issues.append(Issue(child, f"duplicate key '{name}' (first at line {line}); "
                                                    "each key may appear once", key_at))
                continue
            seen[name] = key_at
            value_at = _mark(value_node)
            self.out.key_positions[child] = key_at
            same_line = value_at[0] == key_at[0]
            self.out.positions[child] = value_at if same_line else key_at
            self.out.ends[child] = _end(value_node if same_line else key_node)
            result[name] = self.node(value_node, child, depth + 1, reused)
        return result

    def _entries(self, node: yaml.MappingNode, path: SpecPath) -> list[tuple[yaml.Node, yaml.Node]]:
        """The mapping's entries with ``<<`` merges expanded (merged keys first, own keys win)."""
        if not any(k.tag == _MERGE for k, _ in node.value):
            return list(node.value)
        merged: list[tuple[yaml.Node, yaml.Node]] = []
        own: list[tuple[yaml.Node, yaml.Node]] = []
        for key_node, value_node in node.value:
            if key_node.tag != _MERGE:
                own.append((key_node, value_node))
                continue
            sources = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
            for source in sources:
                if not isinstance(source, yaml.MappingNode):
                    if (id(key_node), id(source)) not in self.refused_merges:
                        self.refused_merges.add((id(key_node), id(source)))
                        self.out.issues.append(Issue(path, "'<<' merges mappings only; give it an alias "
                                                           "of a mapping", _mark(source)))
                    continue
                merged.extend(self._entries(source, path))
        taken = {_key(k, path) for k, _ in own}
        first: list[tuple[yaml.Node, yaml.Node]] = []
        for key_node, value_node in merged:  # the first mapping merged wins, as in YAML's merge spec
            name = _key(key_node, path)
            if name not in taken:
                taken.add(name)
                first.append((key_node, value_node))
        return first + own

    def scalar(self, node: yaml.ScalarNode, path: SpecPath) -> Any:
        tag = node.tag
        if tag == _STR or tag in _AS_TEXT:
            return node.value
        if tag in _CONSTRUCTED:
            return self.constructor.construct_object(node)
        self.unsupported(node, path)
        return node.value

    def unsupported(self, node: yaml.Node, path: SpecPath) -> None:
        shown = node.tag.replace("tag:yaml.org,2002:", "!!")
        self.out.issues.append(Issue(path, f"unsupported YAML tag {shown}; remove the tag "
                                           "(a spec holds only strings, numbers, booleans, lists "
                                           "and mappings)", _mark(node)))


def _key(node: yaml.Node, path: SpecPath) -> str:
    """A mapping key's text. A list or mapping as a key (YAML's ``? `` complex key) is refused before
    anything reads it: no spec key is one, and its text would be the whole, perhaps aliased, subtree."""
    if not isinstance(node, yaml.ScalarNode):
        raise SourceError([Issue(path, "a key must be a word, not a list or a mapping; write the key "
                                       "as plain text", _mark(node))])
    return str(node.value)
