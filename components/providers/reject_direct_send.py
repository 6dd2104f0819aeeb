"""exchange:RejectDirectSend: reject anonymous mail from our own domains that no connector matches."""

from __future__ import annotations

from components.providers.base import TenantResource
from components.providers.org_switch import OrgSwitchProvider


class RejectDirectSendProvider(OrgSwitchProvider):
    kind = "reject-direct-send setting"
    getter, setter, parameter = "Get-OrganizationConfig", "Set-OrganizationConfig", "RejectDirectSend"


class RejectDirectSend(TenantResource, module="exchange", name="RejectDirectSend"):
    """Reject unauthenticated direct send (``pulumi-python:dynamic/exchange:RejectDirectSend``)."""

    provider_class = RejectDirectSendProvider
