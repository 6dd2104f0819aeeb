"""Untrusted values in GitHub-flavoured Markdown, rendered inert: the one place every renderer escapes.

The Markdown reports become PR comments and tickets, and their values come from specs, tenants, message
traces and mail headers that anyone may have written. A value must never become HTML (``<script>``,
``<img onerror>``), an image or link (``![x](https://…)``), a mention (``@org/team``), or break out of
its table cell or code span (``|``, a newline, backticks).

- :func:`code` puts a value in a code span: GitHub renders it literally, with no HTML, link, image or
  mention inside. Use it for names, addresses and values.
- :func:`text` escapes a value for running text (a reason, a message): HTML characters become entities,
  Markdown punctuation is backslash-escaped, and a mention-shaped ``@`` gets a word joiner after it.

Pass ``table=True`` to :func:`code` inside a table cell, where GFM needs ``|`` escaped even inside a code
span; :func:`text` escapes ``|`` everywhere.
"""

from __future__ import annotations

import re

from o365relay.reports.literal import one_line

_PUNCTUATION = re.compile(r"([\\`*_\[\]()#!~|<>&])")  # what starts emphasis, links, HTML, entities or cells
_MENTION = re.compile(r"(?<!\w)@(?=[\w-])")  # GitHub mentions: an @ not preceded by a word character
_WORD_JOINER = "\u2060"
_BACKTICKS = re.compile(r"`+")


def code(value: object, *, table: bool = False) -> str:
    """``value`` as an inline code span that renders literally (an empty value as ``(empty)``)."""
    content = one_line(value)
    if not content:
        return "(empty)"
    if table:
        content = content.replace("|", "\\|")
    fence = "`" * (max((len(run) for run in _BACKTICKS.findall(content)), default=0) + 1)
    if content[0] in "` " or content[-1] in "` ":
        content = f" {content} "
    return f"{fence}{content}{fence}"


def text(value: object) -> str:
    """``value`` as running Markdown text (a table cell too) that shows its characters and nothing active."""
    escaped = _PUNCTUATION.sub(r"\\\1", one_line(value))
    return _MENTION.sub("@" + _WORD_JOINER, escaped)


__all__ = ["code", "text"]
