"""Exchange cmdlet calls shared by the Exchange-backed kinds."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from components.providers.session import TenantSession
from o365relay import exchange_values as xv
from o365relay.errors import NotFound

Row = dict[str, Any]


async def invoke(session: TenantSession, cmdlet: str, parameters: dict[str, Any] | None = None) -> list[Row]:
    """Run one cmdlet through the session's Exchange client.

    Set-* cmdlets here carry absolute values, so they may be retried after an ambiguous failure;
    New-/Add-/Remove- are not (create and delete read the tenant first instead).
    """
    client = await session.exchange()
    idempotent = cmdlet.startswith(("Get-", "Set-"))
    return list(await client.invoke(cmdlet, parameters or {}, idempotent=idempotent))


async def find(session: TenantSession, cmdlet: str, parameters: dict[str, Any],
               match: Callable[[Row], bool]) -> Row | None:
    """The first row of a Get- cmdlet that ``match`` accepts, or None.

    Filtering is client-side on purpose: Get-InboundConnector and Get-ServicePrincipal return *all*
    objects when the Identity does not exist. A missing object (NotFound) is None, not an error.
    """
    try:
        rows = await invoke(session, cmdlet, parameters)
    except NotFound:
        return None
    return next((row for row in rows if match(row)), None)


async def find_on_mailbox(session: TenantSession, cmdlet: str, mailbox: str, parameters: dict[str, Any],
                          match: Callable[[Row], bool]) -> Row | None:
    """Like :func:`find` for a permission on ``mailbox``: only rows that name that mailbox count.

    A Get-* may answer with rows for other mailboxes; the mailbox's names (alias, addresses, ids)
    come from its Get-CASMailbox row. No such mailbox holds no permission.
    """
    client = await session.exchange()
    owner = await client.get_by_identity("Get-CASMailbox", mailbox)
    if owner is None:
        return None
    names = xv.mailbox_names(owner, mailbox)
    return await find(session, cmdlet, {"Identity": mailbox, **parameters},
                      lambda row: row in xv.rows_naming([row], names) and match(row))


def names_mailbox(row: Row, mailbox: str) -> bool:
    """Whether a mailbox row (Get-CASMailbox) is ``mailbox``'s."""
    return xv.lower(mailbox) in xv.mailbox_names(row)


def same(a: Any, b: Any) -> bool:
    """Exchange identities compare case-insensitively."""
    return str(a or "").strip().lower() == str(b or "").strip().lower()


def first(rows: list[Row]) -> Row:
    """The single object a Get- of a singleton (TransportConfig, OrganizationConfig) returns."""
    if not rows:
        raise NotFound("the tenant returned no object")
    return rows[0]

