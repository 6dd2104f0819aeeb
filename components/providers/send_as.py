"""exchange:SendAsGrant: Send As on a mailbox for a service account (Add-RecipientPermission)."""

from __future__ import annotations

from components.providers import exo
from components.providers.base import Props, TenantProvider, TenantResource
from components.providers.session import TenantSession
from o365relay import exchange_values as xv
from o365relay.kinds.base import Field
from o365relay.spec.addresses import check_address


class SendAsGrantProvider(TenantProvider):
    kind = "send-as grant"
    fields = (
        Field("mailbox", str, replace=True, norm=xv.lower, item_check=check_address),
        Field("trustee", str, replace=True, norm=xv.lower),
        Field("service_account", str, tenant=False),
    )

    def object_id(self, props: Props) -> str:
        return f"{props['mailbox']}/SendAs/{props['trustee']}"

    async def fetch(self, session: TenantSession, props: Props) -> Props | None:
        row = await exo.find_on_mailbox(
            session, "Get-RecipientPermission", props["mailbox"],
            {"Trustee": props["trustee"], "AccessRights": "SendAs"},
            lambda r: exo.same(r.get("Trustee"), props["trustee"]) and "sendas" in xv.access_rights(r))
        return None if row is None else {"mailbox": props["mailbox"], "trustee": props["trustee"]}

    async def create_object(self, session: TenantSession, props: Props) -> Props:
        await exo.invoke(session, "Add-RecipientPermission", {
            "Identity": props["mailbox"], "Trustee": props["trustee"], "AccessRights": "SendAs", "Confirm": False})
        return {}

    async def delete_object(self, session: TenantSession, props: Props) -> None:
        if await self.fetch(session, props) is None:
            return  # already gone (Remove- of an absent grant only warns in Exchange)
        await exo.invoke(session, "Remove-RecipientPermission", {
            "Identity": props["mailbox"], "Trustee": props["trustee"], "AccessRights": "SendAs", "Confirm": False})


class SendAsGrant(TenantResource, module="exchange", name="SendAsGrant"):
    """Send As on ``mailbox`` for ``trustee`` (``pulumi-python:dynamic/exchange:SendAsGrant``)."""

    provider_class = SendAsGrantProvider
