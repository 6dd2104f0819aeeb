"""exchange:SendAsGrant: Send As on a mailbox for a service account (Add-RecipientPermission)."""

from __future__ import annotations

from components.providers.base import TenantResource
from components.providers.grant import GrantProvider
from o365relay.kinds.permissions import SEND_AS


class SendAsGrantProvider(GrantProvider):
    descriptor = SEND_AS


class SendAsGrant(TenantResource, module="exchange", name="SendAsGrant"):
    """Send As on ``mailbox`` for ``trustee`` (``pulumi-python:dynamic/exchange:SendAsGrant``)."""

    provider_class = SendAsGrantProvider
