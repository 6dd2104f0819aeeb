"""dns:AzureSpf: the relay's SPF value inside an Azure DNS TXT record set it shares with others.

The record set at a domain's apex also carries domain verification (``MS=ms…``) and other vendors'
values, and Azure replaces a record set whole. So this kind owns one value, not the set: create and
update merge the SPF value into whatever the set holds (one SPF record, every other value kept),
delete takes out only that value (and the set, if nothing else is left), and refresh reports the
set's SPF record as it is now. The read-modify-write is :mod:`o365relay.dns.azure`'s.
"""

from __future__ import annotations

from components.providers.base import Props, TenantProvider, TenantResource
from components.providers.session import TenantSession
from o365relay.dns.azure import TxtSetAddress
from o365relay.dns.txt import is_spf
from o365relay.kinds.base import Field


def _where(props: Props) -> TxtSetAddress:
    return TxtSetAddress(props["subscription"], props["resource_group"], props["zone"], props["name"])


class AzureSpfProvider(TenantProvider):
    kind = "Azure DNS SPF value"
    converge_existing = True  # the set is shared: an SPF record already there is the one the spec replaces
    fields = (
        Field("subscription", str, replace=True),
        Field("resource_group", str, replace=True),
        Field("zone", str, replace=True),
        Field("name", str, replace=True),
        Field("spf", str),
    )

    def object_id(self, props: Props) -> str:
        return _where(props).path() + "#spf"

    async def fetch(self, session: TenantSession, props: Props) -> Props | None:
        current = await (await session.azure_txt_sets()).get(_where(props))
        spf = next((v for v in current.values if is_spf(v)), None) if current else None
        if spf is None:
            return None
        return {**props, "spf": spf}

    async def create_object(self, session: TenantSession, props: Props) -> Props:
        await (await session.azure_txt_sets()).put_spf(_where(props), props["spf"])
        return {}

    async def update_object(self, session: TenantSession, olds: Props, news: Props) -> Props:
        return await self.create_object(session, news)

    async def delete_object(self, session: TenantSession, props: Props) -> None:
        await (await session.azure_txt_sets()).remove_spf(_where(props), props["spf"])


class AzureSpf(TenantResource, module="dns", name="AzureSpf"):
    """The relay's SPF value in a shared Azure DNS TXT set (``pulumi-python:dynamic/dns:AzureSpf``)."""

    provider_class = AzureSpfProvider
