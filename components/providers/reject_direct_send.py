"""exchange:RejectDirectSend: reject anonymous mail from our own domains that no connector matches."""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi.dynamic import Resource

from components.providers.org_switch import OrgSwitchProvider


class RejectDirectSendProvider(OrgSwitchProvider):
    kind = "reject-direct-send setting"
    getter, setter, parameter = "Get-OrganizationConfig", "Set-OrganizationConfig", "RejectDirectSend"


class RejectDirectSend(Resource, module="exchange", name="RejectDirectSend"):
    """Reject unauthenticated direct send (``pulumi-python:dynamic/exchange:RejectDirectSend``)."""

    def __init__(self, resource_name: str, props: dict[str, Any],
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(RejectDirectSendProvider(), resource_name, props, opts)
