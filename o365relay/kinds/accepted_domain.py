"""The tenant's accepted domains (Get-AcceptedDomain), read only: the relay never changes them, but a
connector's certificate name must fall under one of them, and a row is matched to the query by its
domain name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from o365relay import exchange_values as xv

DOMAIN = "DomainName"  # the domain of a Get-AcceptedDomain row
NAMES = frozenset({DOMAIN})


def domains(rows: Iterable[Mapping[str, Any]]) -> list[str]:
    """The accepted domains of Get-AcceptedDomain rows, lower-case, sorted, each once."""
    return sorted({xv.lower(r.get(DOMAIN)) for r in rows} - {""})
