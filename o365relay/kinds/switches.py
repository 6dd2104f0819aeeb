"""On/off switches: SMTP AUTH for the organisation (Set-TransportConfig), direct send
(Set-OrganizationConfig -RejectDirectSend) and the per-mailbox SMTP AUTH exception (Set-CASMailbox).

SMTP AUTH's parameter says "disabled" (``inverted``), and a mailbox's is tri-state: False = enabled,
True = disabled, null = follow the organisation (Microsoft Learn, "Enable or disable SMTP AUTH in
Exchange Online").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from o365relay import exchange_values as xv
from o365relay.kinds.base import Field, Kind
from o365relay.spec.addresses import check_address

State = Literal["enabled", "disabled", "inherit"]
SMTP_AUTH_DISABLED = "SmtpClientAuthenticationDisabled"


@dataclass(frozen=True)
class Switch(Kind):
    """A kind whose tenant value is the ``enabled`` field's parameter, True meaning off when ``inverted``."""

    inverted: bool = False

    def flag(self, row: Mapping[str, Any]) -> bool | None:
        """The parameter's value in a Get- row, as the tenant holds it (None: unset)."""
        return xv.boolean(row.get(self.parameter("enabled")))

    def enabled(self, row: Mapping[str, Any]) -> bool | None:
        """Whether the switch is on in a Get- row (None: unset, i.e. inherited)."""
        flag = self.flag(row)
        return None if flag is None else flag != self.inverted

    def state(self, row: Mapping[str, Any]) -> State:
        """The switch in words (an unset mailbox switch inherits the organisation's)."""
        on = self.enabled(row)
        return "inherit" if on is None else "enabled" if on else "disabled"

    def setting(self, enabled: bool | None) -> dict[str, Any]:
        """Set- parameters that switch it on or off, or back to unset (None)."""
        return {self.parameter("enabled"): None if enabled is None else enabled != self.inverted}


ORG_SMTP_AUTH = Switch(
    name="organisation SMTP AUTH setting",
    noun="TransportConfig",
    identity="",
    fields=(Field("enabled", bool, SMTP_AUTH_DISABLED, norm=xv.boolean),),
    inverted=True,
)

REJECT_DIRECT_SEND = Switch(
    name="reject-direct-send setting",
    noun="OrganizationConfig",
    identity="",
    fields=(Field("enabled", bool, "RejectDirectSend", norm=xv.boolean),),
)

MAILBOX_SMTP_AUTH = Switch(
    name="mailbox SMTP AUTH setting",
    noun="CASMailbox",
    identity="mailbox",
    fields=(
        Field("mailbox", str, "Identity", replace=True, norm=xv.lower, item_check=check_address),
        Field("enabled", bool, SMTP_AUTH_DISABLED, norm=xv.boolean),
    ),
    inverted=True,
)
