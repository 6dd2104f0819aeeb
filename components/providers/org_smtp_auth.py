"""exchange:OrgSmtpAuth: SMTP AUTH for the whole organisation (Set-TransportConfig)."""

from __future__ import annotations

from components.providers.base import TenantResource
from components.providers.org_switch import OrgSwitchProvider
from o365relay.kinds.switches import ORG_SMTP_AUTH


class OrgSmtpAuthProvider(OrgSwitchProvider):
    descriptor = ORG_SMTP_AUTH


class OrgSmtpAuth(TenantResource, module="exchange", name="OrgSmtpAuth"):
    """Organisation-wide SMTP AUTH (``pulumi-python:dynamic/exchange:OrgSmtpAuth``)."""

    provider_class = OrgSmtpAuthProvider
