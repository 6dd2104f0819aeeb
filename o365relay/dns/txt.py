"""TXT values in a record set the relay shares with others, and TXT strings on the wire.

A zone apex's TXT record set usually holds more than SPF: Microsoft 365's ``MS=ms…`` domain
verification, other vendors' verification tokens. Providers that model a record set as one object
(Azure DNS, octoDNS, DNSControl's apex) would lose those values if the relay wrote its SPF as the whole
set. These functions keep every foreign value, hold exactly one SPF record (RFC 7208 §4.5: more than
one is a permanent error at every receiver) and, on removal, take out only the relay's own value.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

TXT_STRING_OCTETS = 255  # RFC 1035: one character-string holds at most 255 octets
_SPF = re.compile(r"\s*v=spf1(?:\s|$)", re.IGNORECASE)
_VERSION = re.compile(r"\s*(v=[^;\s]*)(?:[;\s]|$)", re.IGNORECASE)


def version_tag(value: str) -> str | None:
    """The record kind a TXT value declares (``v=spf1``, ``v=dmarc1``, ``v=stsv1``, ``v=tlsrptv1``), lower-case."""
    match = _VERSION.match(value)
    return match.group(1).lower() if match else None


def is_spf(value: str) -> bool:
    """Whether a TXT value is an SPF record: version ``v=spf1`` alone or followed by a space (RFC 7208 §4.5)."""
    return _SPF.match(value) is not None


def merge_txt(existing: Sequence[str], value: str) -> list[str]:
    """The set with ``value`` as its one record of that kind (SPF, DMARC, …); every other value kept in order.

    ``value`` takes the place of the first record of its kind already there (so a diff shows a change in
    place), or is appended; further records of that kind are dropped, as is any repeat of a value. A
    value without a version tag is only added.
    """
    tag = version_tag(value)
    merged: list[str] = []
    placed = False
    for old in existing:
        if tag is not None and version_tag(old) == tag:
            if not placed:
                merged.append(value)
                placed = True
        elif old not in merged:
            merged.append(old)
    if not placed and value not in merged:
        merged.append(value)
    return merged


def remove_value(existing: Sequence[str], value: str) -> list[str]:
    """The set without the relay's own value; a record of that kind someone else wrote since is left alone."""
    return [old for old in existing if old != value]


def txt_strings(value: str) -> list[str]:
    """``value`` as the character-strings of one TXT record: at most 255 octets each (UTF-8), never
    splitting a character; receivers join them without a separator (RFC 7208 §3.3)."""
    strings: list[str] = []
    current = ""
    size = 0
    for char in value:
        width = len(char.encode())
        if size + width > TXT_STRING_OCTETS:
            strings.append(current)
            current, size = "", 0
        current += char
        size += width
    strings.append(current)
    return strings
