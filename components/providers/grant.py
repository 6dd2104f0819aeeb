"""What the Send As and FullAccess grants share: a right on a mailbox, held by a trustee, added with
Add-<noun> and taken away with Remove-<noun> (the kinds: :mod:`o365relay.kinds.permissions`)."""

from __future__ import annotations

from typing import ClassVar

from components.providers import exo
from components.providers.base import Props, TenantProvider
from components.providers.session import TenantSession
from o365relay.kinds.permissions import Grant


class GrantProvider(TenantProvider):
    """Subclasses set ``descriptor`` to the permission kind."""

    descriptor: ClassVar[Grant]  # type: ignore[misc]

    def object_id(self, props: Props) -> str:
        return f"{props['mailbox']}/{self.descriptor.right}/{props[self.descriptor.holder]}"

    async def fetch(self, session: TenantSession, props: Props) -> Props | None:
        grant, holder = self.descriptor, props[self.descriptor.holder]
        row = await exo.find_on_mailbox(
            session, f"Get-{grant.noun}", props["mailbox"], grant.query(props["mailbox"], holder),
            lambda r: exo.same(grant.holder_of(r), holder) and grant.allows(r))
        return None if row is None else {"mailbox": props["mailbox"], grant.holder: holder}

    async def create_object(self, session: TenantSession, props: Props) -> Props:
        await exo.invoke(session, f"Add-{self.descriptor.noun}", self.descriptor.change(props, adding=True))
        return {}

    async def delete_object(self, session: TenantSession, props: Props) -> None:
        if await self.fetch(session, props) is None:
            return  # already gone (Remove- of an absent grant only warns in Exchange)
        await exo.invoke(session, f"Remove-{self.descriptor.noun}", self.descriptor.change(props, adding=False))
