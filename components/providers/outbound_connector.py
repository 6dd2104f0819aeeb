"""exchange:OutboundConnector: a route from Exchange Online to smart hosts or partners, with its TLS."""

from __future__ import annotations

import pulumi
from pulumi.dynamic import CheckFailure

from components.providers.base import Props, TenantResource
from components.providers.connector import ConnectorProvider
from o365relay.kinds.outbound_connector import OUTBOUND_CONNECTOR


class OutboundConnectorProvider(ConnectorProvider):
    descriptor = OUTBOUND_CONNECTOR
    unset_on_create = (None, [])

    def validate(self, props: Props) -> list[CheckFailure]:
        """The parameter rules Exchange enforces, caught before any call (Microsoft Learn, New-OutboundConnector)."""
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


class OutboundConnector(TenantResource, module="exchange", name="OutboundConnector"):
    """An Exchange Online outbound connector (``pulumi-python:dynamic/exchange:OutboundConnector``)."""

    guid: pulumi.Output[str]

    provider_class = OutboundConnectorProvider
    computed_outputs = ("guid",)
