"""exchange:DkimSigningConfig: a domain's DKIM signing config, and whether it signs.

A domain needs two resources of this kind, because signing may only start once DNS holds the two
selector CNAMEs, and their targets are read from the config (never computed):

1. the config (``enabled`` absent): created disabled if missing, adopted if the tenant already
   has one; its outputs ``selector1_cname`` / ``selector2_cname`` feed the DNS records;
2. the switch (``enabled`` set), registered with ``depends_on`` on those records.

A domain's config belongs to the accepted domain, so removing either resource turns signing off and
leaves the config (and its selector keys) in place.
"""

from __future__ import annotations

import pulumi

from components.providers import exo
from components.providers.base import Props, TenantProvider, TenantResource
from components.providers.session import TenantSession
from o365relay import exchange_values as xv
from o365relay.kinds.dkim import DKIM


class DkimSigningConfigProvider(TenantProvider):
    descriptor = DKIM
    converge_existing = True

    def object_id(self, props: Props) -> str:
        return str(props["domain"]).lower()

    async def fetch(self, session: TenantSession, props: Props) -> Props | None:
        row = await exo.find(session, f"Get-{DKIM.noun}", {"Identity": props["domain"]},
                             lambda r: exo.same(DKIM.domain(r), props["domain"]))
        if row is None:
            return None
        sizes = DKIM.key_sizes(row)
        return {**DKIM.props(row), "domain": props["domain"], "key_size": max(sizes) if sizes else None}

    def computed(self, current: Props) -> Props:
        # Signing state is an output only of the switch resource: the config leaves it alone.
        return {k: v for k, v in current.items() if k in ("selector1_cname", "selector2_cname", "status")}

    async def create_object(self, session: TenantSession, props: Props) -> Props:
        await exo.invoke(session, f"New-{DKIM.noun}", DKIM.new(props["domain"], props["key_size"]))
        created = await self.fetch(session, props)
        if props.get("enabled") and created is not None:
            await self._enable(session, props, True)
        return self.computed(created or {})

    async def update_object(self, session: TenantSession, olds: Props, news: Props) -> Props:
        if news.get("enabled") is not None and xv.boolean(olds.get("enabled")) != news["enabled"]:
            await self._enable(session, news, news["enabled"])
        if xv.integer(olds.get("key_size")) != news["key_size"]:
            # Exchange rotates only a signing config; a rotation gives the inactive selector the new
            # size (key_size reads the larger selector, so one rotation settles the diff).
            await exo.invoke(session, f"Rotate-{DKIM.noun}", DKIM.rotation(news["domain"], news["key_size"]))
        return self.computed(olds)

    async def delete_object(self, session: TenantSession, props: Props) -> None:
        current = await self.fetch(session, props)
        if current is not None and current.get("enabled"):
            await self._enable(session, props, False)

    async def _enable(self, session: TenantSession, props: Props, enabled: bool) -> None:
        await exo.invoke(session, f"Set-{DKIM.noun}", DKIM.signing(props["domain"], enabled))


class DkimSigningConfig(TenantResource, module="exchange", name="DkimSigningConfig"):
    """A domain's DKIM config (``pulumi-python:dynamic/exchange:DkimSigningConfig``)."""

    selector1_cname: pulumi.Output[str]
    selector2_cname: pulumi.Output[str]

    provider_class = DkimSigningConfigProvider
    computed_outputs = ("selector1_cname", "selector2_cname", "status")
