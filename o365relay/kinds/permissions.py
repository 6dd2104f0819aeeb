"""Mailbox permissions: Send As (Add/Get/Remove-RecipientPermission) and FullAccess on a sender's
mailbox for its Exchange service principal (Add/Get/Remove-MailboxPermission).

A grant is a row naming the mailbox (``Identity``), who holds the right, and the rights (a list or a
comma-separated string, any case). A row counts as the grant only when it allows the right: Exchange
also lists denials and rights inherited from above the mailbox, which nobody granted here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from o365relay import exchange_values as xv
from o365relay.kinds.base import Field, Kind
from o365relay.spec.addresses import check_address

RIGHTS, INHERITED, DENY, CONTROL = "AccessRights", "IsInherited", "Deny", "AccessControlType"
SELF = "nt authority\\self"  # the mailbox's own entry: no grant anyone made


@dataclass(frozen=True)
class Grant(Kind):
    """A permission kind. ``right``: the AccessRights value it grants; ``holder``: the input key of who
    holds it; ``rights_value``: how Add-/Remove- are given the right; ``filter_by_right``: whether a
    Get- asks for that right only; ``add_options``: Add-'s other parameters."""

    right: str = ""
    holder: str = ""
    rights_value: Any = None
    filter_by_right: bool = False
    add_options: Mapping[str, Any] = field(default_factory=dict)

    def rights(self, row: Mapping[str, Any]) -> set[str]:
        """The rights of a row, lower-cased: a list, or a comma-separated string."""
        rights = row.get(RIGHTS) or []
        if isinstance(rights, str):
            rights = rights.split(",")
        return {str(r).strip().lower() for r in rights}

    def rights_as_written(self, row: Mapping[str, Any], rights: set[str]) -> list[str]:
        """Those of ``rights`` the row holds, spelled as the tenant spells them (FullAccess, not fullaccess)."""
        raw = row.get(RIGHTS) or []
        spelled = raw.split(",") if isinstance(raw, str) else raw
        return [str(r).strip() for r in spelled if str(r).strip().lower() in rights]

    def denied(self, row: Mapping[str, Any]) -> bool:
        return bool(xv.boolean(row.get(DENY))) or row.get(CONTROL, "Allow") != "Allow"

    def allows(self, row: Mapping[str, Any]) -> bool:
        """Whether the row allows this kind's right (a denial does not)."""
        return self.right.lower() in self.rights(row) and not self.denied(row)

    def explicit(self, row: Mapping[str, Any]) -> bool:
        """Whether the row is a permission someone gave: allowed, not inherited, not the mailbox's own entry."""
        return not self.denied(row) and not xv.boolean(row.get(INHERITED)) and self.holder_of(row) != SELF

    def granted(self, row: Mapping[str, Any]) -> bool:
        """Whether the row is an explicit grant of this kind's right."""
        return self.right.lower() in self.rights(row) and self.explicit(row)

    def holder_of(self, row: Mapping[str, Any]) -> str:
        """Who holds the right in a row, lower-cased."""
        return xv.lower(row.get(self.parameter(self.holder)))

    def shown_holder(self, row: Mapping[str, Any]) -> str:
        """Who holds the right, as the tenant writes it."""
        return str(row.get(self.parameter(self.holder)))

    def query(self, mailbox: str | None, holder: str | None = None) -> dict[str, Any]:
        """Get- parameters for the grants on ``mailbox`` (every mailbox: None), held by ``holder`` when given."""
        found: dict[str, Any] = {} if mailbox is None else {self.parameter("mailbox"): mailbox}
        if holder is not None:
            found[self.parameter(self.holder)] = holder
        if self.filter_by_right:
            found[RIGHTS] = self.right
        return found

    def change(self, props: Mapping[str, Any], adding: bool) -> dict[str, Any]:
        """Add- (``adding``) or Remove- parameters for the grant ``props``."""
        options = self.add_options if adding else {"Confirm": False}
        return {self.parameter("mailbox"): props["mailbox"], self.parameter(self.holder): props[self.holder],
                RIGHTS: self.rights_value, **options}


SEND_AS = Grant(
    name="send-as grant",
    noun="RecipientPermission",
    identity="mailbox",
    fields=(
        Field("mailbox", str, "Identity", spec="mailbox", replace=True, norm=xv.lower, item_check=check_address),
        Field("trustee", str, "Trustee", replace=True, norm=xv.lower),
        Field("service_account", str, spec="trustee", tenant=False),
    ),
    extra_evidence=(RIGHTS, CONTROL, INHERITED),
    right="SendAs",
    holder="trustee",
    rights_value="SendAs",
    filter_by_right=True,
    add_options={"Confirm": False},
)

FULL_ACCESS = Grant(
    name="FullAccess grant",
    noun="MailboxPermission",
    identity="mailbox",
    fields=(
        Field("mailbox", str, "Identity", replace=True, norm=xv.lower, item_check=check_address),
        Field("user", str, "User", replace=True, norm=xv.lower),
        Field("service_account", str, tenant=False),
    ),
    extra_evidence=(RIGHTS, INHERITED),
    right="FullAccess",
    holder="user",
    rights_value=["FullAccess"],
    add_options={"AutoMapping": False},
)
