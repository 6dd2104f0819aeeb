"""exchange:OutboundConnector: a route from Exchange Online to smart hosts or partners, with its TLS."""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi.dynamic import CheckFailure

from components.providers import exo
from components.providers.base import Props, TenantProvider, TenantResource
from components.providers.fields import (
    Field,
    check_domain,
    check_smart_host,
    norm_bool,
    norm_domains,
    norm_lower,
)
from components.providers.session import TenantSession
from o365relay.exchange_values import smart_hosts as norm_hosts  # the audit's normalisation

TLS_SETTINGS = ("EncryptionOnly", "CertificateValidation", "DomainValidation")
# Input key -> New/Set-OutboundConnector parameter (Name is the identity, never Set).
PARAMETERS = {
    "connector_type": "ConnectorType",
    "recipient_domains": "RecipientDomains",
    "is_transport_rule_scoped": "IsTransportRuleScoped",
    "smart_hosts": "SmartHosts",
    "use_mx_record": "UseMXRecord",
    "tls_settings": "TlsSettings",
    "tls_domain": "TlsDomain",
    "enabled": "Enabled",
    "comment": "Comment",
}
# Get-OutboundConnector field -> input key (the record differs from the inbound one: reference 2.2).
_RECORD = {param: key for key, param in PARAMETERS.items()}


class OutboundConnectorProvider(TenantProvider):
    kind = "outbound connector"
    fields = (
        Field("name", str, replace=True, norm=norm_lower),
        Field("connector_type", str, choices=("Partner", "OnPremises")),
        Field("recipient_domains", list, norm=norm_domains, item_check=check_domain),
        Field("is_transport_rule_scoped", bool, norm=norm_bool),
        Field("smart_hosts", list, norm=norm_hosts, item_check=check_smart_host),
        Field("use_mx_record", bool, norm=norm_bool),
        Field("tls_settings", str, required=False, choices=TLS_SETTINGS),
        Field("tls_domain", str, required=False, norm=norm_lower, item_check=check_domain),
        Field("enabled", bool, norm=norm_bool),
        Field("comment", str, required=False),
    )

    def object_id(self, props: Props) -> str:
        return str(props["name"])

    def validate(self, props: Props) -> list[CheckFailure]:
        """The parameter rules Exchange enforces, caught before any call (reference 2.2)."""
        failures = []
        if bool(props.get("recipient_domains")) == bool(props.get("is_transport_rule_scoped")):
            failures.append(CheckFailure("recipient_domains", "give recipient_domains or "
                                         "is_transport_rule_scoped=True, exactly one of them"))
        if bool(props.get("smart_hosts")) == bool(props.get("use_mx_record")):
            failures.append(CheckFailure("smart_hosts", "give smart_hosts or use_mx_record=True, exactly one "
                                         "of them"))
        if bool(props.get("tls_domain")) != (props.get("tls_settings") == "DomainValidation"):
            failures.append(CheckFailure("tls_domain", "tls_domain is required with, and only with, "
                                         "tls_settings DomainValidation"))
        return failures

    def guidance(self, props: Props) -> str:
        return (f"another outbound connector named {props['name']!r} already exists: rename the connector in "
                f"the spec, or delete the existing one (Remove-OutboundConnector -Identity '{props['name']}') "
                "if it is a leftover, then run again")

    async def fetch(self, session: TenantSession, props: Props) -> Props | None:
        row = await exo.find(session, "Get-OutboundConnector", {"Identity": props["name"]},
                             lambda r: exo.same(r.get("Name"), props["name"]))
        if row is None:
            return None
        current = {key: row.get(param) for param, key in _RECORD.items()}
        return {**current, "name": row.get("Name"), "recipient_domains": list(row.get("RecipientDomains") or []),
                "smart_hosts": list(row.get("SmartHosts") or []), "comment": row.get("Comment") or "",
                "guid": row.get("Guid")}

    def _parameters(self, props: Props) -> dict[str, Any]:
        return {param: props.get(key, "" if key == "comment" else None) for key, param in PARAMETERS.items()}

    async def create_object(self, session: TenantSession, props: Props) -> Props:
        parameters = {k: v for k, v in self._parameters(props).items() if v not in (None, [])}
        rows = await exo.invoke(session, "New-OutboundConnector", {"Name": props["name"], **parameters})
        return {"guid": rows[0].get("Guid")} if rows else {}

    async def update_object(self, session: TenantSession, olds: Props, news: Props) -> Props:
        """Absolute values: lists go as given ([] clears), an absent TLS setting as null."""
        await exo.invoke(session, "Set-OutboundConnector", {"Identity": olds["name"], **self._parameters(news)})
        return self.computed(olds)

    async def delete_object(self, session: TenantSession, props: Props) -> None:
        await exo.invoke(session, "Remove-OutboundConnector", {"Identity": props["name"], "Confirm": False})


class OutboundConnector(TenantResource, module="exchange", name="OutboundConnector"):
    """An Exchange Online outbound connector (``pulumi-python:dynamic/exchange:OutboundConnector``)."""

    guid: pulumi.Output[str]

    provider_class = OutboundConnectorProvider
    computed_outputs = ("guid",)
