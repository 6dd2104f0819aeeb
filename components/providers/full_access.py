"""exchange:FullAccessGrant: FullAccess on a sender's mailbox for its Exchange service principal.

OAuth SMTP (``SMTP.SendAsApp``) sends from a mailbox only if the app's service principal holds
FullAccess on it (Add-MailboxPermission, naming the service principal's Exchange identity).
"""

from __future__ import annotations

from components.providers.base import TenantResource
from components.providers.grant import GrantProvider
from o365relay.kinds.permissions import FULL_ACCESS


class FullAccessGrantProvider(GrantProvider):
    descriptor = FULL_ACCESS


class FullAccessGrant(TenantResource, module="exchange", name="FullAccessGrant"):
    """FullAccess on ``mailbox`` for ``user`` (``pulumi-python:dynamic/exchange:FullAccessGrant``)."""

    provider_class = FullAccessGrantProvider
