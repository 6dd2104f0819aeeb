"""The shape shared by exchange:OrgSmtpAuth and exchange:RejectDirectSend: organisation-wide switches.

Both are singletons of the tenant. Removing either resource from the stack leaves the switch as the
stack last set it: releasing management must neither open SMTP AUTH nor re-allow direct send.
"""

from __future__ import annotations

from typing import ClassVar

from components.providers import exo
from components.providers.base import Props, SettingProvider
from components.providers.session import TenantSession
from o365relay import exchange_values as xv
from o365relay.kinds.base import Field


class OrgSwitchProvider(SettingProvider):
    """A boolean property of one organisation-wide config object."""

    fields = (Field("enabled", bool, norm=xv.boolean),)
    getter: ClassVar[str]
    setter: ClassVar[str]
    parameter: ClassVar[str]
    inverted: ClassVar[bool] = False  # the cmdlet property says "disabled"

    def object_id(self, props: Props) -> str:
        return self.getter.removeprefix("Get-")

    async def fetch(self, session: TenantSession, props: Props) -> Props | None:
        value = exo.first(await exo.invoke(session, self.getter)).get(self.parameter)
        return {"enabled": None if value is None else bool(value) != self.inverted}

    async def update_object(self, session: TenantSession, olds: Props, news: Props) -> Props:
        await exo.invoke(session, self.setter, {self.parameter: bool(news["enabled"]) != self.inverted})
        return {}

    async def release(self, session: TenantSession, props: Props) -> None:
        return None
