"""exchange:OrgSmtpAuth: SMTP AUTH for the whole organisation (Set-TransportConfig)."""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi.dynamic import Resource

from components.providers.org_switch import OrgSwitchProvider


class OrgSmtpAuthProvider(OrgSwitchProvider):
    kind = "organisation SMTP AUTH setting"
    getter, setter, parameter, inverted = ("Get-TransportConfig", "Set-TransportConfig",
                                           "SmtpClientAuthenticationDisabled", True)


class OrgSmtpAuth(Resource, module="exchange", name="OrgSmtpAuth"):
    """Organisation-wide SMTP AUTH (``pulumi-python:dynamic/exchange:OrgSmtpAuth``)."""

    def __init__(self, resource_name: str, props: dict[str, Any],
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(OrgSmtpAuthProvider(), resource_name, props, opts)
