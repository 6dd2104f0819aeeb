"""exchange:PartnerConnector: an inbound connector of type Partner, for a SaaS platform that sends as the
tenant's domains, restricted to the partner's IPs or certificate (same noun as exchange:InboundConnector,
its own type name so policies can hold partners to their own rules)."""

from __future__ import annotations

import pulumi
from pulumi.dynamic import CheckFailure

from components.providers.base import Props, TenantResource
from components.providers.connector import ConnectorProvider
from o365relay.kinds.partner_connector import PARTNER_CONNECTOR


class PartnerConnectorProvider(ConnectorProvider):
    descriptor = PARTNER_CONNECTOR

    def validate(self, props: Props) -> list[CheckFailure]:
        """What Exchange refuses (New-InboundConnector): no sender domains, a restriction to nothing."""
        failures = []
        if not props.get("sender_domains"):
            failures.append(CheckFailure("sender_domains", "sender_domains must name the domains the partner "
                                         "sends as"))
        if props.get("restrict_domains_to_ip_addresses") and not props.get("sender_ips"):
            failures.append(CheckFailure("restrict_domains_to_ip_addresses", "restricting to IP addresses "
                                         "needs sender_ips"))
        if props.get("restrict_domains_to_certificate") and not props.get("tls_sender_certificate_name"):
            failures.append(CheckFailure("restrict_domains_to_certificate", "restricting to a certificate "
                                         "needs tls_sender_certificate_name"))
        return failures


class PartnerConnector(TenantResource, module="exchange", name="PartnerConnector"):
    """An Exchange Online Partner inbound connector (``pulumi-python:dynamic/exchange:PartnerConnector``)."""

    guid: pulumi.Output[str]

    provider_class = PartnerConnectorProvider
    computed_outputs = ("guid",)
