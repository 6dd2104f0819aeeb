"""dns:RecordCheck: a record the stack cannot publish itself (DNS backend ``none``) is live in DNS.

With ``none`` a DNS team publishes the records from the stack's zone snippet. DKIM signing must not
be switched on before its selector CNAMEs resolve, so each CNAME gets this check and the DKIM switch
depends on it: create looks the record up and, if it is missing, fails with the exact line to
publish; refresh reports a record that disappeared. Deleting the check leaves DNS alone.
"""

from __future__ import annotations

import os
from typing import Any

from components.providers.base import Props, TenantProvider, TenantResource
from components.providers.session import NAMESERVER, TenantSession
from o365relay import exchange_values as xv
from o365relay.errors import NotFound
from o365relay.kinds.base import Field
from o365relay.spec.addresses import check_dns_name


def norm_name(value: Any) -> str:
    return xv.text(value).strip().rstrip(".").lower()


class RecordCheckProvider(TenantProvider):
    kind = "DNS record"
    fields = (
        Field("fqdn", str, replace=True, norm=norm_name, item_check=check_dns_name),
        Field("type", str, replace=True, choices=("CNAME",)),
        Field("value", str, replace=True, norm=norm_name, item_check=check_dns_name),
    )

    def object_id(self, props: Props) -> str:
        return f"{norm_name(props['fqdn'])}/{props['type']}"

    def _line(self, props: Props) -> str:
        return f"{norm_name(props['fqdn'])}. 3600 IN {props['type']} {norm_name(props['value'])}."

    def guidance(self, props: Props) -> str:
        return f"DNS must hold exactly: {self._line(props)}; fix the record and run again"

    async def fetch(self, session: TenantSession, props: Props) -> Props | None:
        from o365relay.dnscheck.resolver import Dns, parse_nameserver

        server = self._config.get(NAMESERVER) or os.environ.get("RELAY_NAMESERVER")
        resolver = Dns([parse_nameserver(server)] if server else None)
        answers = await resolver.alookup(norm_name(props["fqdn"]), props["type"])
        if not answers:
            return None
        return {"fqdn": props["fqdn"], "type": props["type"], "value": answers[0]}

    async def create_object(self, session: TenantSession, props: Props) -> Props:
        raise NotFound(f"{norm_name(props['fqdn'])} has no {props['type']} record yet: publish "
                       f"{self._line(props)} (pulumi stack output zoneFiles has every record), then run again")

    async def delete_object(self, session: TenantSession, props: Props) -> None:
        return None  # the record belongs to the DNS team


class RecordCheck(TenantResource, module="dns", name="RecordCheck"):
    """Proof that DNS serves a record (``pulumi-python:dynamic/dns:RecordCheck``)."""

    provider_class = RecordCheckProvider
