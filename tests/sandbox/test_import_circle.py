"""The sandbox's application and its routes form no import circle: the context they share lives below
them, and no module it imports comes back to it (lazy and type-checking imports count too, since
they are the circle tools and people have to follow)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def imports(path: Path) -> set[str]:
    """Every o365relay module ``path`` imports, at any depth of the file."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("o365relay"):
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("o365relay")}
    return found


def graph() -> dict[str, set[str]]:
    modules = {".".join(p.relative_to(ROOT).with_suffix("").parts): p for p in (ROOT / "o365relay").rglob("*.py")}
    return {name: imports(path) & set(modules) for name, path in modules.items()}


def reaches(edges: dict[str, set[str]], start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        for nxt in edges.get(todo.pop(), set()) - seen:
            seen.add(nxt)
            todo.append(nxt)
    return seen


def test_the_sandbox_context_and_application_are_in_no_import_circle() -> None:
    edges = graph()
    for module in ("o365relay.sandbox.context", "o365relay.sandbox.app"):
        assert module not in reaches(edges, module), f"{module} imports a module that imports it back"
