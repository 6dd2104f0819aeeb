"""A progress line on stderr for reads that can take more than a couple of seconds (a large audit or
export), shown only on a terminal: piped or in CI the commands stay quiet and their output unchanged.

    with progress_bar("reading the tenant", total=plan.total) as tick:
        await read(..., progress=tick)          # tick(n): n more reads done; tick.expect(m): m more to do
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


class Tick:
    """The callback the readers call; a no-op when nothing is shown."""

    def __init__(self, bar: Any = None, task: Any = None):
        self._bar, self._task = bar, task

    def __call__(self, done: int) -> None:
        if self._bar is not None:
            self._bar.advance(self._task, done)

    def expect(self, more: int) -> None:
        """Grow the total once the reader knows how much more there is (an export's mailboxes)."""
        if self._bar is not None:
            total = self._bar.tasks[0].total or 0
            self._bar.update(self._task, total=total + more)


@contextmanager
def progress_bar(what: str, total: int | None = None) -> Iterator[Tick]:
    """A transient bar on stderr while the block runs, when stderr is a terminal."""
    if not sys.stderr.isatty():
        yield Tick()
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        yield Tick(bar, bar.add_task(what, total=total))
