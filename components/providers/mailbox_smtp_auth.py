"""exchange:MailboxSmtpAuth: the per-mailbox SMTP AUTH exception (Set-CASMailbox).

``SmtpClientAuthenticationDisabled`` is tri-state: False = enabled, True = disabled, null = follow
the organisation. Removing the resource sets it back to null, i.e. "no exception for this mailbox".
"""

from __future__ import annotations

from components.providers import exo
from components.providers.base import Props, SettingProvider, TenantResource
from components.providers.session import TenantSession
from o365relay import exchange_values as xv
from o365relay.kinds.base import Field
from o365relay.spec.addresses import check_address


class MailboxSmtpAuthProvider(SettingProvider):
    kind = "mailbox SMTP AUTH setting"
    fields = (
        Field("mailbox", str, replace=True, norm=xv.lower, item_check=check_address),
        Field("enabled", bool, norm=xv.boolean),
    )

    def object_id(self, props: Props) -> str:
        return str(props["mailbox"])

    async def fetch(self, session: TenantSession, props: Props) -> Props | None:
        row = await exo.find(session, "Get-CASMailbox", {"Identity": props["mailbox"]},
                             lambda r: exo.names_mailbox(r, props["mailbox"]))
        if row is None:
            return None
        disabled = row.get("SmtpClientAuthenticationDisabled")
        return {"mailbox": props["mailbox"], "enabled": None if disabled is None else not disabled}

    async def update_object(self, session: TenantSession, olds: Props, news: Props) -> Props:
        await self._set(session, news["mailbox"], not news["enabled"])
        return {}

    async def release(self, session: TenantSession, props: Props) -> None:
        await self._set(session, props["mailbox"], None)

    async def _set(self, session: TenantSession, mailbox: str, disabled: bool | None) -> None:
        await exo.invoke(session, "Set-CASMailbox",
                         {"Identity": mailbox, "SmtpClientAuthenticationDisabled": disabled})


class MailboxSmtpAuth(TenantResource, module="exchange", name="MailboxSmtpAuth"):
    """SMTP AUTH on one mailbox (``pulumi-python:dynamic/exchange:MailboxSmtpAuth``)."""

    provider_class = MailboxSmtpAuthProvider
