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
from o365relay.kinds.service_principal import SERVICE_PRINCIPAL


class ServicePrincipalProvider(TenantProvider):
    descriptor = SERVICE_PRINCIPAL
    converge_existing = True  # the same app registered with another display name is ours to rename

    def object_id(self, props: Props) -> str:
        return str(props["app_id"]).lower()

    def guidance(self, props: Props) -> str:
        return ("Exchange already has a service principal for this app with other values; if its ObjectId "
                "is the app registration's object id (a common mistake), remove it "
                f"(Remove-ServicePrincipal -Identity {props['app_id']}) and run again")

    async def fetch(self, session: TenantSession, props: Props) -> Props | None:
        row = await exo.find(session, f"Get-{SERVICE_PRINCIPAL.noun}", {"Identity": props["app_id"]},
                             lambda r: exo.same(SERVICE_PRINCIPAL.app_id_of(r), props["app_id"]))
        return None if row is None else SERVICE_PRINCIPAL.props(row)

    async def create_object(self, session: TenantSession, props: Props) -> Props:
        rows = await exo.invoke(session, f"New-{SERVICE_PRINCIPAL.noun}", {
            SERVICE_PRINCIPAL.parameter("app_id"): props["app_id"], **SERVICE_PRINCIPAL.parameters(props)})
        identity = SERVICE_PRINCIPAL.props(rows[0])["identity"] if rows else None
        if identity is None:  # some cmdlets answer with an empty list: read the identity back
            identity = ((await self.fetch(session, props)) or {}).get("identity")
        return {"identity": identity}

    async def update_object(self, session: TenantSession, olds: Props, news: Props) -> Props:
        if xv.lower(olds.get("object_id")) != xv.lower(news["object_id"]):
            raise Conflict(f"{self.kind} {self.object_id(news)!r} already exists in the tenant with ObjectId "
                           f"{olds.get('object_id')!r}, not {news['object_id']!r}; {self.guidance(news)}")
        await exo.invoke(session, f"Set-{SERVICE_PRINCIPAL.noun}", {
            "Identity": news["app_id"], SERVICE_PRINCIPAL.parameter("display_name"): news["display_name"]})
        return self.computed(olds)

    async def delete_object(self, session: TenantSession, props: Props) -> None:
        await exo.invoke(session, f"Remove-{SERVICE_PRINCIPAL.noun}", {"Identity": props["app_id"], "Confirm": False})


class ServicePrincipal(TenantResource, module="exchange", name="ServicePrincipal"):
    """Exchange's registration of an Entra service principal (``pulumi-python:dynamic/exchange:ServicePrincipal``).

    ``identity`` is what the FullAccess and Send As grants name as the holder of the right.
    """

    identity: pulumi.Output[str]

    provider_class = ServicePrincipalProvider
    computed_outputs = ("identity",)
