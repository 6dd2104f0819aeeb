"""Tables that are rich on a terminal and plain, stable text when piped (CI logs, grep)."""

from __future__ import annotations

import io
import shutil
from collections.abc import Sequence

STATUS_STYLE = {
    "ok": "green", "in_sync": "green", "finding": "bold red", "drift": "bold yellow", "missing": "bold red",
    "unexpected": "bold magenta", "unknown": "bold cyan", "skipped": "dim",
}


def table(title: str, headers: Sequence[str], rows: Sequence[Sequence[str]], *, rich: bool, status_col: int = 0,
          empty: str = "(nothing to list)") -> str:
    """A table as text: a rich box table when ``rich``, else tab-free aligned columns; with no rows, the
    title and the ``empty`` sentence instead of a bare header."""
    if not rows:
        return f"{title}\n{empty}\n"
    if rich:
        from rich.console import Console
        from rich.table import Table

        out = Table(title=title, title_justify="left", expand=False)
        for header in headers:
            out.add_column(header, overflow="fold")
        for row in rows:
            cells = list(row)
            style = STATUS_STYLE.get(cells[status_col], "")
            cells[status_col] = f"[{style}]{cells[status_col]}[/]" if style else cells[status_col]
            out.add_row(*cells)
        buffer = io.StringIO()
        Console(file=buffer, force_terminal=True, width=shutil.get_terminal_size().columns).print(out)
        return buffer.getvalue()
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers[:-1])]
    lines = [title]
    for row in [list(headers), *map(list, rows)]:
        lines.append("  ".join([c.ljust(w) for c, w in zip(row, widths, strict=False)] + [row[-1]]).rstrip())
    return "\n".join(lines) + "\n"

