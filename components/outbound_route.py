"""o365relay:exchange:OutboundRoute: one outbound connector (mail from Exchange Online to partners or a smart host)."""

from __future__ import annotations

import pulumi

from components.providers.outbound_connector import OutboundConnector as OutboundConnectorResource
from o365relay.kinds.outbound_connector import OUTBOUND_CONNECTOR
from o365relay.spec.model import OutboundConnector


class OutboundRoute(pulumi.ComponentResource):
    """An outbound connector built from a ``direction: outbound`` spec connector."""

    connector_name: pulumi.Output[str]

    def __init__(self, name: str, connector: OutboundConnector, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("o365relay:exchange:OutboundRoute", name, {}, opts)
        props = OUTBOUND_CONNECTOR.inputs(connector)
        self.connector = OutboundConnectorResource(f"{name}-connector", props, pulumi.ResourceOptions(parent=self))
        self.connector_name = pulumi.Output.from_input(connector.name)
        self.register_outputs({"connector_name": self.connector_name})
