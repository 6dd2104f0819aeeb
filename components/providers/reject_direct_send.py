"""exchange:RejectDirectSend: reject anonymous mail from our own domains that no connector matches."""

from __future__ import annotations

from components.providers.base import TenantResource
from components.providers.org_switch import OrgSwitchProvider
from o365relay.kinds.switches import REJECT_DIRECT_SEND


class RejectDirectSendProvider(OrgSwitchProvider):
    descriptor = REJECT_DIRECT_SEND


class RejectDirectSend(TenantResource, module="exchange", name="RejectDirectSend"):
    """Reject unauthenticated direct send (``pulumi-python:dynamic/exchange:RejectDirectSend``)."""

    provider_class = RejectDirectSendProvider
