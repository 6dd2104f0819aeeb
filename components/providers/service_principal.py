"""exchange:ServicePrincipal: an Entra app's service principal registered in Exchange (New-ServicePrincipal).

``object_id`` must be the *enterprise application* (service principal) object id, not the app
registration's: the wrong one makes OAuth SMTP fail. Only the display name can change in place.
"""

from __future__ import annotations

import pulumi

from components.providers import exo
from components.providers.base import Props, TenantProvider, TenantResource
from components.providers.session import TenantSession
from o365relay import exchange_values as xv
from o365relay.errors import Conflict
from o365relay.kinds.base import Field
from o365relay.spec.addresses import check_guid


class ServicePrincipalProvider(TenantProvider):
    kind = "Exchange service principal"
    converge_existing = True  # the same app registered with another display name is ours to rename
    fields = (
        Field("app_id", str, replace=True, norm=xv.lower, item_check=check_guid),
        Field("object_id", str, replace=True, norm=xv.lower, item_check=check_guid),
        Field("display_name", str),
    )

    def object_id(self, props: Props) -> str:
        return str(props["app_id"]).lower()

    def guidance(self, props: Props) -> str:
        return ("Exchange already has a service principal for this app with other values; if its ObjectId "
                "is the app registration's object id (a common mistake), remove it "
                f"(Remove-ServicePrincipal -Identity {props['app_id']}) and run again")

    async def fetch(self, session: TenantSession, props: Props) -> Props | None:
        row = await exo.find(session, "Get-ServicePrincipal", {"Identity": props["app_id"]},
                             lambda r: exo.same(r.get("AppId"), props["app_id"]))
        if row is None:
            return None
        return {"app_id": row.get("AppId"), "object_id": row.get("ObjectId"),
                "display_name": row.get("DisplayName"), "identity": row.get("Identity")}

    async def create_object(self, session: TenantSession, props: Props) -> Props:
        rows = await exo.invoke(session, "New-ServicePrincipal", {
            "AppId": props["app_id"], "ObjectId": props["object_id"], "DisplayName": props["display_name"]})
        identity = rows[0].get("Identity") if rows else None
        if identity is None:  # some cmdlets answer with an empty list: read the identity back
            identity = ((await self.fetch(session, props)) or {}).get("identity")
        return {"identity": identity}

    async def update_object(self, session: TenantSession, olds: Props, news: Props) -> Props:
        if xv.lower(olds.get("object_id")) != xv.lower(news["object_id"]):
            raise Conflict(f"{self.kind} {self.object_id(news)!r} already exists in the tenant with ObjectId "
                           f"{olds.get('object_id')!r}, not {news['object_id']!r}; {self.guidance(news)}")
        await exo.invoke(session, "Set-ServicePrincipal",
                         {"Identity": news["app_id"], "DisplayName": news["display_name"]})
        return self.computed(olds)

    async def delete_object(self, session: TenantSession, props: Props) -> None:
        await exo.invoke(session, "Remove-ServicePrincipal", {"Identity": props["app_id"], "Confirm": False})


class ServicePrincipal(TenantResource, module="exchange", name="ServicePrincipal"):
    """Exchange's registration of an Entra service principal (``pulumi-python:dynamic/exchange:ServicePrincipal``).

    ``identity`` is what the FullAccess and Send As grants name as the holder of the right.
    """

    identity: pulumi.Output[str]

    provider_class = ServicePrincipalProvider
    computed_outputs = ("identity",)
