"""exchange:MailboxSmtpAuth: the per-mailbox SMTP AUTH exception (Set-CASMailbox).

The switch is tri-state (enabled, disabled, or follow the organisation: :mod:`o365relay.kinds.switches`).
Removing the resource sets it back to "follow the organisation", i.e. no exception for this mailbox.
"""

from __future__ import annotations

from components.providers import exo
from components.providers.base import Props, SettingProvider, TenantResource
from components.providers.session import TenantSession
from o365relay.kinds.switches import MAILBOX_SMTP_AUTH


class MailboxSmtpAuthProvider(SettingProvider):
    descriptor = MAILBOX_SMTP_AUTH

    def object_id(self, props: Props) -> str:
        return str(props["mailbox"])

    async def fetch(self, session: TenantSession, props: Props) -> Props | None:
        row = await exo.find(session, f"Get-{MAILBOX_SMTP_AUTH.noun}", {"Identity": props["mailbox"]},
                             lambda r: exo.names_mailbox(r, props["mailbox"]))
        return None if row is None else {"mailbox": props["mailbox"], "enabled": MAILBOX_SMTP_AUTH.enabled(row)}

    async def update_object(self, session: TenantSession, olds: Props, news: Props) -> Props:
        await self._set(session, news["mailbox"], bool(news["enabled"]))
        return {}

    async def release(self, session: TenantSession, props: Props) -> None:
        await self._set(session, props["mailbox"], None)

    async def _set(self, session: TenantSession, mailbox: str, enabled: bool | None) -> None:
        await exo.invoke(session, f"Set-{MAILBOX_SMTP_AUTH.noun}",
                         {"Identity": mailbox, **MAILBOX_SMTP_AUTH.setting(enabled)})


class MailboxSmtpAuth(TenantResource, module="exchange", name="MailboxSmtpAuth"):
    """SMTP AUTH on one mailbox (``pulumi-python:dynamic/exchange:MailboxSmtpAuth``)."""

    provider_class = MailboxSmtpAuthProvider
