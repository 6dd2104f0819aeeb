"""exchange:OrgSmtpAuth: SMTP AUTH for the whole organisation (Set-TransportConfig)."""

from __future__ import annotations

from components.providers.base import TenantResource
from components.providers.org_switch import OrgSwitchProvider


class OrgSmtpAuthProvider(OrgSwitchProvider):
    kind = "organisation SMTP AUTH setting"
    getter, setter, parameter, inverted = ("Get-TransportConfig", "Set-TransportConfig",
                                           "SmtpClientAuthenticationDisabled", True)


class OrgSmtpAuth(TenantResource, module="exchange", name="OrgSmtpAuth"):
    """Organisation-wide SMTP AUTH (``pulumi-python:dynamic/exchange:OrgSmtpAuth``)."""

    provider_class = OrgSmtpAuthProvider
