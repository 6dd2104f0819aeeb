"""Connectors: declared relay (inbound) connectors field by field, undeclared OnPremises inbound ones, the
declared partner connectors, and the declared outbound connectors (see below).

Inbound, OnPremises connectors are always in scope: they are what lets a device relay through the tenant.
Partner inbound connectors are in scope once the spec declares one (then it owns the partner side, as for
outbound connectors); a spec without any leaves them to other integrations.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from o365relay.audit.common import compared, public, unknown_item
from o365relay.audit.model import FieldDiff, Item
from o365relay.audit.snapshot import Row, Snapshot
from o365relay.kinds.base import Kind
from o365relay.kinds.inbound_connector import INBOUND_CONNECTOR, is_relay
from o365relay.kinds.outbound_connector import OUTBOUND_CONNECTOR
from o365relay.kinds.partner_connector import PARTNER_CONNECTOR, is_partner
from o365relay.spec.model import RelaySpec


def compare_connectors(spec: RelaySpec, snap: Snapshot) -> list[Item]:
    if not snap.connectors.ok:
        if not spec.connectors:  # no spec path: the undeclared ones are what could not be looked at
            return [unknown_item("connector", "(undeclared connectors)", [snap.connectors])]  # type: ignore[list-item]
        return [unknown_item("connector", n, [snap.connectors], f"spec.connectors.{n}")  # type: ignore[misc]
                for n in spec.connectors]
    kind = INBOUND_CONNECTOR
    rows = {kind.value(r, "name"): r for r in snap.connectors.value or []}
    items = _declared("connector", kind, spec.connectors, rows)
    _drop(rows, spec.partner_connectors)
    for row in rows.values():
        if is_relay(row):
            items.append(Item("connector", _name(row), "unexpected",
                              reason="an OnPremises inbound connector the spec does not declare",
                              evidence=public(row, *kind.evidence())))
    return items


def _declared(item_kind: str, kind: Kind, declared: Mapping[str, Any], rows: dict[str, Row]) -> list[Item]:
    """Each declared connector against the tenant's row of its name (taken out of ``rows``): compared
    field by field, or missing."""
    items = []
    for name, connector in declared.items():
        path = f"spec.connectors.{name}"
        row = rows.pop(name.lower(), None)
        if row is None:
            items.append(_missing(item_kind, name, path, kind.desired(connector)))
        else:
            items.append(compared(item_kind, name, kind.desired(connector), kind.actual(row),
                                  public(row, *kind.evidence()), path))
    return items


def _drop(rows: dict[str, Row], names: Iterable[str]) -> None:
    """Take out of ``rows`` the connectors the spec declares as the other inbound type: each is compared as
    that type (a changed type shows as drift there), never also unexpected here."""
    for name in names:
        rows.pop(name.lower(), None)


def _missing(kind: str, name: str, path: str, desired: dict[str, Any]) -> Item:
    """A declared connector the tenant lacks: every desired field against nothing."""
    return Item(kind, name, "missing", spec_path=path, evidence={"desired": desired},
                fields=tuple(FieldDiff(k, v, None) for k, v in desired.items()))


# Partner connectors (``type: partner``): read with the relay connectors (one Get-InboundConnector).
def compare_partner_connectors(spec: RelaySpec, snap: Snapshot) -> list[Item]:
    if not spec.partner_connectors:
        return []
    if not snap.connectors.ok:
        return [unknown_item("partner_connector", n, [snap.connectors], f"spec.connectors.{n}")  # type: ignore[misc]
                for n in spec.partner_connectors]
    kind = PARTNER_CONNECTOR
    rows = {kind.value(r, "name"): r for r in snap.connectors.value or []}
    items = _declared("partner_connector", kind, spec.partner_connectors, rows)
    _drop(rows, spec.connectors)
    items += [Item("partner_connector", _name(row), "unexpected",
                   reason="a Partner inbound connector the spec does not declare (the spec declares the partner side)",
                   evidence=public(row, *kind.evidence())) for row in rows.values() if is_partner(row)]
    return items


# Outbound connectors (``direction: outbound``). Once the spec declares one, it owns the tenant's
# outbound side: every undeclared outbound connector is unexpected. A spec without any leaves that
# side out of scope (hybrid and third-party connectors are not the relay's business).
def compare_outbound_connectors(spec: RelaySpec, snap: Snapshot) -> list[Item]:
    if not spec.outbound_connectors:
        return []
    read = snap.outbound_connectors
    if not read.ok:
        return [unknown_item("outbound_connector", n, [read], f"spec.connectors.{n}")  # type: ignore[misc]
                for n in spec.outbound_connectors]
    kind = OUTBOUND_CONNECTOR
    rows = {kind.value(r, "name"): r for r in read.value or []}
    items = _declared("outbound_connector", kind, spec.outbound_connectors, rows)
    items += [Item("outbound_connector", _name(row), "unexpected",
                   reason="an outbound connector the spec does not declare (the spec declares the outbound side)",
                   evidence=public(row, *kind.evidence())) for row in rows.values()]
    return items


def _name(row: Row) -> str:
    """A connector's name as the tenant writes it (both directions name connectors alike)."""
    return str(row.get(INBOUND_CONNECTOR.parameter("name")))
