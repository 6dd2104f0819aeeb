"""o365relay:exchange:OutboundRoute: one outbound connector (mail from Exchange Online to partners or a smart host)."""

from __future__ import annotations

import pulumi

from components.providers.outbound_connector import OutboundConnector as OutboundConnectorResource
from o365relay.spec.model import OutboundConnector

# Partner: mail leaves for other organisations. (OnPremises is the hybrid form, which would also let
# the connector rewrite senders and treat mail as internal: nothing this spec asks for.)
CONNECTOR_TYPE = "Partner"


class OutboundRoute(pulumi.ComponentResource):
    """An outbound connector built from a ``direction: outbound`` spec connector."""

    connector_name: pulumi.Output[str]

    def __init__(self, name: str, connector: OutboundConnector, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("o365relay:exchange:OutboundRoute", name, {}, opts)
        props = {
            "name": connector.name,
            "connector_type": CONNECTOR_TYPE,
            "recipient_domains": list(connector.recipient_domains),
            "is_transport_rule_scoped": connector.transport_rule_scoped,
            "smart_hosts": list(connector.smart_hosts),
            "use_mx_record": connector.use_mx_record,
            "enabled": connector.enabled,
            "comment": connector.comment,
        }
        if connector.tls:
            props["tls_settings"] = connector.tls
        if connector.tls_domain:
            props["tls_domain"] = connector.tls_domain
        self.connector = OutboundConnectorResource(f"{name}-connector", props, pulumi.ResourceOptions(parent=self))
        self.connector_name = pulumi.Output.from_input(connector.name)
        self.register_outputs({"connector_name": self.connector_name})
