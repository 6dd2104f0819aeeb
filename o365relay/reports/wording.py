"""Counts in words, in one place, so no report says "1 senders" or "10 finding".

Every renderer that puts a number before a noun goes through :func:`plural`; lists that may be empty
say so in a sentence through :func:`empty` (terminal tables: ``reports.terminal.table(empty=...)``).
"""

from __future__ import annotations

from collections.abc import Sized

_IRREGULAR = {"is": "are", "was": "were", "has": "have", "entry": "entries", "this": "these"}


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """``1 finding``, ``2 findings``, ``0 findings``; ``nouns`` for a plural that is not noun + s."""
    if count == 1:
        return f"{count} {noun}"
    return f"{count:,} {nouns or _IRREGULAR.get(noun) or noun + 's'}"


def empty(items: Sized, sentence: str) -> str | None:
    """``sentence`` (what a report prints instead of an empty list) when ``items`` is empty, else None."""
    return None if len(items) else sentence


__all__ = ["empty", "plural"]
