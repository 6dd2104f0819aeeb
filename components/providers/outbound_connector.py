"""exchange:OutboundConnector: a route from Exchange Online to smart hosts or partners, with its TLS."""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi.dynamic import CheckFailure

from components.providers.base import Props, TenantResource
from components.providers.connector import ConnectorProvider
from components.providers.fields import (
    Field,
    check_domain,
    check_smart_host,
    norm_bool,
    norm_domains,
    norm_lower,
)
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


class OutboundConnectorProvider(ConnectorProvider):
    kind = "outbound connector"
    noun = "OutboundConnector"
    parameters = PARAMETERS
    unset_on_create = (None, [])
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

    def record(self, row: dict[str, Any]) -> Props:
        current = {key: row.get(param) for param, key in _RECORD.items()}
        return {**current, "recipient_domains": list(row.get("RecipientDomains") or []),
                "smart_hosts": list(row.get("SmartHosts") or [])}


class OutboundConnector(TenantResource, module="exchange", name="OutboundConnector"):
    """An Exchange Online outbound connector (``pulumi-python:dynamic/exchange:OutboundConnector``)."""

    guid: pulumi.Output[str]

    provider_class = OutboundConnectorProvider
    computed_outputs = ("guid",)
