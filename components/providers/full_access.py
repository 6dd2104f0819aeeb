"""exchange:FullAccessGrant: FullAccess on a sender's mailbox for its Exchange service principal.

OAuth SMTP (``SMTP.SendAsApp``) sends from a mailbox only if the app's service principal holds
FullAccess on it (Add-MailboxPermission -User <service principal identity>).
"""

from __future__ import annotations

from components.providers import exo
from components.providers.base import Props, TenantProvider, TenantResource
from components.providers.session import TenantSession
from o365relay import exchange_values as xv
from o365relay.kinds.base import Field
from o365relay.spec.addresses import check_address


class FullAccessGrantProvider(TenantProvider):
    kind = "FullAccess grant"
    fields = (
        Field("mailbox", str, replace=True, norm=xv.lower, item_check=check_address),
        Field("user", str, replace=True, norm=xv.lower),
        Field("service_account", str, tenant=False),
    )

    def object_id(self, props: Props) -> str:
        return f"{props['mailbox']}/FullAccess/{props['user']}"

    async def fetch(self, session: TenantSession, props: Props) -> Props | None:
        row = await exo.find_on_mailbox(
            session, "Get-MailboxPermission", props["mailbox"], {"User": props["user"]},
            lambda r: exo.same(r.get("User"), props["user"]) and "fullaccess" in xv.access_rights(r)
            and not r.get("Deny"))
        return None if row is None else {"mailbox": props["mailbox"], "user": props["user"]}

    async def create_object(self, session: TenantSession, props: Props) -> Props:
        await exo.invoke(session, "Add-MailboxPermission", {
            "Identity": props["mailbox"], "User": props["user"], "AccessRights": ["FullAccess"],
            "AutoMapping": False})
        return {}

    async def delete_object(self, session: TenantSession, props: Props) -> None:
        if await self.fetch(session, props) is None:
            return
        await exo.invoke(session, "Remove-MailboxPermission", {
            "Identity": props["mailbox"], "User": props["user"], "AccessRights": ["FullAccess"], "Confirm": False})


class FullAccessGrant(TenantResource, module="exchange", name="FullAccessGrant"):
    """FullAccess on ``mailbox`` for ``user`` (``pulumi-python:dynamic/exchange:FullAccessGrant``)."""

    provider_class = FullAccessGrantProvider
