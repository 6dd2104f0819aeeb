"""graph:LicenseAssignment: a licence on a user the stack creates, usage location first.

Graph refuses a licence for a user without a usage location ("License assignment cannot be done for
user with invalid usage location"), so create and update set ``usageLocation`` before assigning.
"""

from __future__ import annotations

import re
from typing import Any

import pulumi

from components.providers.base import Props, TenantProvider, TenantResource
from components.providers.session import TenantSession
from o365relay import exchange_values as xv
from o365relay.errors import NotFound
from o365relay.kinds.base import Field
from o365relay.spec.addresses import check_address

_COUNTRY = re.compile(r"^[A-Z]{2}\Z")
USER_FIELDS = ("id", "userPrincipalName", "usageLocation", "assignedLicenses")


def _check_country(value: str) -> str | None:
    return None if _COUNTRY.match(value) else f"{value!r} is not a two-letter country code such as US or DE"


class LicenseAssignmentProvider(TenantProvider):
    kind = "licence assignment"
    fields = (
        Field("user", str, replace=True, norm=xv.lower, item_check=check_address),
        Field("sku_part_number", str, replace=True, norm=xv.text),
        Field("usage_location", str, norm=xv.text, item_check=_check_country),
    )

    def object_id(self, props: Props) -> str:
        return f"{props['user']}/{props['sku_part_number']}"

    async def _sku_id(self, session: TenantSession, part_number: str) -> str:
        graph = await session.graph()
        for sku in await graph.list_subscribed_skus():
            if sku.sku_part_number == part_number:
                return str(sku.sku_id)
        raise NotFound(f"the tenant has no subscription for licence {part_number!r}; "
                       "check the spelling (e.g. EXCHANGESTANDARD, O365_BUSINESS_ESSENTIALS) with "
                       "GET /subscribedSkus")

    async def fetch(self, session: TenantSession, props: Props) -> Props | None:
        graph = await session.graph()
        try:
            user = await graph.get_user(props["user"], select=USER_FIELDS)
        except NotFound:
            return None
        sku_id = await self._sku_id(session, props["sku_part_number"])
        if sku_id not in {str(lic.sku_id) for lic in user.assigned_licenses or []}:
            return None
        return {"user": props["user"], "sku_part_number": props["sku_part_number"],
                "usage_location": user.usage_location, "sku_id": sku_id, "user_id": user.id}

    async def create_object(self, session: TenantSession, props: Props) -> Props:
        graph = await session.graph()
        user = await graph.get_user(props["user"], select=USER_FIELDS)
        if user.usage_location != props["usage_location"]:
            await self._set_usage_location(graph, props)
        sku_id = await self._sku_id(session, props["sku_part_number"])
        await graph.assign_license(props["user"], [sku_id])
        return {"sku_id": sku_id, "user_id": user.id}

    async def update_object(self, session: TenantSession, olds: Props, news: Props) -> Props:
        await self._set_usage_location(await session.graph(), news)
        return self.computed(olds)

    async def _set_usage_location(self, graph: Any, props: Props) -> None:
        from msgraph.generated.models.user import User

        await graph.update_user(props["user"], User(usage_location=props["usage_location"]))

    async def delete_object(self, session: TenantSession, props: Props) -> None:
        current = await self.fetch(session, props)
        if current is None:
            return
        graph = await session.graph()
        await graph.assign_license(props["user"], [], [current["sku_id"]])


class LicenseAssignment(TenantResource, module="graph", name="LicenseAssignment"):
    """A licence on a user (``pulumi-python:dynamic/graph:LicenseAssignment``)."""

    sku_id: pulumi.Output[str]

    provider_class = LicenseAssignmentProvider
    computed_outputs = ("sku_id", "user_id")
