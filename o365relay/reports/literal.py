"""Text from the tenant or a spec, made safe to show on one line of a report or a terminal.

A connector comment or a display name is anybody's text: line breaks would split a table row, and
control characters (ANSI/OSC escape sequences, bidi overrides) would act on the reader's terminal.
"""

from __future__ import annotations

import unicodedata


def one_line(value: object) -> str:
    """The value as one line: line breaks shown as ␤, other control and format characters as visible
    ``\\uXXXX`` escapes, tabs as spaces."""
    out = []
    for char in str(value).replace("\r\n", "\n"):
        if char == "\n":
            out.append("␤")
        elif unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp") and char != "\t":
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return "".join(out).replace("\t", " ")
