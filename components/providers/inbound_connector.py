"""exchange:InboundConnector: the OnPremises connector that lets devices relay by IP or certificate."""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi.dynamic import CheckFailure

from components.providers import exo
from components.providers.base import Props, TenantProvider, TenantResource
from components.providers.fields import (
    Field,
    check_domain,
    check_ipv4_range,
    norm_bool,
    norm_domains,
    norm_ips,
    norm_lower,
)
from components.providers.session import TenantSession

# Input key -> New/Set-InboundConnector parameter (Name is the identity, never Set).
PARAMETERS = {
    "connector_type": "ConnectorType",
    "sender_ips": "SenderIPAddresses",
    "sender_domains": "SenderDomains",
    "tls_sender_certificate_name": "TlsSenderCertificateName",
    "require_tls": "RequireTls",
    "enabled": "Enabled",
    "comment": "Comment",
}


class InboundConnectorProvider(TenantProvider):
    kind = "inbound connector"
    fields = (
        Field("name", str, replace=True, norm=norm_lower),
        Field("connector_type", str, choices=("OnPremises", "Partner")),
        Field("sender_ips", list, norm=norm_ips, item_check=check_ipv4_range),
        Field("sender_domains", list, norm=norm_domains, item_check=check_domain),
        Field("tls_sender_certificate_name", str, required=False, norm=norm_lower, item_check=check_domain),
        Field("require_tls", bool, norm=norm_bool),
        Field("enabled", bool, norm=norm_bool),
        Field("comment", str, required=False),
    )

    def object_id(self, props: Props) -> str:
        return str(props["name"])

    def validate(self, props: Props) -> list[CheckFailure]:
        failures = []
        if not props.get("sender_ips") and not props.get("tls_sender_certificate_name"):
            failures.append(CheckFailure("sender_ips", "a relay connector needs sender_ips or "
                                         "tls_sender_certificate_name to recognise its devices"))
        if not props.get("sender_domains"):
            failures.append(CheckFailure("sender_domains", "sender_domains must not be empty (use ['*'])"))
        return failures

    def guidance(self, props: Props) -> str:
        return (f"another connector named {props['name']!r} already exists: rename the connector in the spec, "
                f"or delete the existing one (Remove-InboundConnector -Identity '{props['name']}') "
                "if it is a leftover, then run again")

    async def fetch(self, session: TenantSession, props: Props) -> Props | None:
        row = await exo.find(session, "Get-InboundConnector", {"Identity": props["name"]},
                             lambda r: exo.same(r.get("Name"), props["name"]))
        if row is None:
            return None
        return {
            "name": row.get("Name"),
            "connector_type": row.get("ConnectorType"),
            "sender_ips": list(row.get("SenderIPAddresses") or []),
            "sender_domains": norm_domains(row.get("SenderDomains")),
            "tls_sender_certificate_name": row.get("TlsSenderCertificateName"),
            "require_tls": row.get("RequireTls"),
            "enabled": row.get("Enabled"),
            "comment": row.get("Comment") or "",
            "guid": row.get("Guid"),
        }

    def _parameters(self, props: Props) -> dict[str, Any]:
        return {param: props.get(key, "" if key == "comment" else None) for key, param in PARAMETERS.items()}

    async def create_object(self, session: TenantSession, props: Props) -> Props:
        parameters = {k: v for k, v in self._parameters(props).items() if v is not None}
        rows = await exo.invoke(session, "New-InboundConnector", {"Name": props["name"], **parameters})
        return {"guid": rows[0].get("Guid")} if rows else {}

    async def update_object(self, session: TenantSession, olds: Props, news: Props) -> Props:
        await exo.invoke(session, "Set-InboundConnector", {"Identity": olds["name"], **self._parameters(news)})
        return self.computed(olds)

    async def delete_object(self, session: TenantSession, props: Props) -> None:
        await exo.invoke(session, "Remove-InboundConnector", {"Identity": props["name"], "Confirm": False})


class InboundConnector(TenantResource, module="exchange", name="InboundConnector"):
    """An Exchange Online inbound connector (``pulumi-python:dynamic/exchange:InboundConnector``)."""

    guid: pulumi.Output[str]

    provider_class = InboundConnectorProvider
    computed_outputs = ("guid",)
