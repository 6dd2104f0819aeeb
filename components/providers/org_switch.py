"""The shape shared by exchange:OrgSmtpAuth and exchange:RejectDirectSend: organisation-wide switches.

Both are singletons of the tenant. Removing either resource from the stack leaves the switch as the
stack last set it: releasing management must neither open SMTP AUTH nor re-allow direct send.
"""

from __future__ import annotations

from typing import ClassVar

from components.providers import exo
from components.providers.base import Props, SettingProvider
from components.providers.session import TenantSession
from o365relay.kinds.switches import Switch


class OrgSwitchProvider(SettingProvider):
    """A boolean property of one organisation-wide config object; subclasses set ``descriptor``."""

    descriptor: ClassVar[Switch]  # type: ignore[misc]

    def object_id(self, props: Props) -> str:
        return self.descriptor.noun

    async def fetch(self, session: TenantSession, props: Props) -> Props | None:
        return {"enabled": self.descriptor.enabled(exo.first(await exo.invoke(session, f"Get-{self.descriptor.noun}")))}

    async def update_object(self, session: TenantSession, olds: Props, news: Props) -> Props:
        await exo.invoke(session, f"Set-{self.descriptor.noun}", self.descriptor.setting(bool(news["enabled"])))
        return {}

    async def release(self, session: TenantSession, props: Props) -> None:
        return None
