"""Tables that are rich on a terminal and plain, stable text when piped (CI logs, grep).

Every title, header and cell is literal text: a connector comment reading ``[link=https://…]`` or
``:warning:`` prints as written (Rich would otherwise take it as markup or an emoji code), and control
characters are shown as escapes rather than sent to the terminal (:mod:`o365relay.reports.literal`)."""

from __future__ import annotations

import io
import shutil
from collections.abc import Sequence

from o365relay.reports.literal import one_line

STATUS_STYLE = {
    "ok": "green", "in_sync": "green", "finding": "bold red", "drift": "bold yellow", "missing": "bold red",
    "unexpected": "bold magenta", "unknown": "bold cyan", "skipped": "dim",
}


def table(title: str, headers: Sequence[str], rows: Sequence[Sequence[str]], *, rich: bool, status_col: int = 0,
          empty: str = "(nothing to list)") -> str:
    """A table as text: a rich box table when ``rich``, else tab-free aligned columns; with no rows, the
    title and the ``empty`` sentence instead of a bare header."""
    title, headers = one_line(title), [one_line(h) for h in headers]
    rows = [[one_line(cell) for cell in row] for row in rows]
    if not rows:
        return f"{title}\n{empty}\n"
    if rich:
        from rich.console import Console
        from rich.table import Table
        from rich.text import Text

        out = Table(title=Text(title), title_justify="left", expand=False)
        for header in headers:
            out.add_column(Text(header), overflow="fold")
        for row in rows:
            out.add_row(*[Text(cell, style=STATUS_STYLE.get(cell, "") if i == status_col else "")
                          for i, cell in enumerate(row)])
        buffer = io.StringIO()
        Console(file=buffer, force_terminal=True, width=shutil.get_terminal_size().columns).print(out)
        return buffer.getvalue()
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers[:-1])]
    lines = [title]
    for row in [list(headers), *map(list, rows)]:
        lines.append("  ".join([c.ljust(w) for c, w in zip(row, widths, strict=False)] + [row[-1]]).rstrip())
    return "\n".join(lines) + "\n"

