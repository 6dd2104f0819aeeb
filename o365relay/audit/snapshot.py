"""The tenant as read for one audit: every read is a :class:`Read` that either holds data or says
why it failed, so comparisons can tell "absent" from "could not look"."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

T = TypeVar("T")
Row = dict[str, Any]


@dataclass(frozen=True)
class Read(Generic[T]):
    """A read's outcome: ``value`` when it succeeded, else ``error`` (the reason, safe to show)."""

    what: str
    value: T | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def failed(what: str, error: BaseException | str) -> Read[Any]:
    return Read(what, None, str(error) or type(error).__name__)


@dataclass
class Snapshot:
    """Everything the audit compares. Per-mailbox reads are keyed by lower-case address."""

    connectors: Read[list[Row]]
    transport_config: Read[Row]
    organization_config: Read[Row]
    exchange_service_principals: Read[list[Row]]
    dkim_configs: Read[list[Row]]
    cas_mailboxes: Read[list[Row]]
    domains: Read[list[Row]]
    send_as_app_holders: Read[list[Row]]
    mailbox_permissions: dict[str, Read[list[Row]]] = field(default_factory=dict)
    users: dict[str, Read[Row | None]] = field(default_factory=dict)
    outbound_connectors: Read[list[Row]] = field(default_factory=lambda: Read("Get-OutboundConnector", []))
    # the application behind each SMTP.SendAsApp holder (by principalId), with its credentials ("fics")
    applications: Read[dict[str, Row]] = field(default_factory=lambda: Read("applications", {}))
    connection_filter: Read[Row] = field(default_factory=lambda: Read("Get-HostedConnectionFilterPolicy", {}))
    # every Send As grant in the tenant (one list: Exchange has one, so no mailbox is read on its own)
    send_as_grants: Read[list[Row]] = field(default_factory=lambda: Read("Get-RecipientPermission", []))
    auth_policies: Read[list[Row]] = field(default_factory=lambda: Read("Get-AuthenticationPolicy", []))
    exchange_users: Read[list[Row]] = field(default_factory=lambda: Read("Get-User", []))
    every_mailbox: bool = False  # mailbox_permissions holds every mailbox's, not only the senders' (--every-mailbox)
