"""o365relay:exchange:RelayConnector: one SMTP relay connector (devices recognised by IP or certificate)."""

from __future__ import annotations

import pulumi

from components.providers.inbound_connector import InboundConnector
from o365relay.kinds.inbound_connector import INBOUND_CONNECTOR
from o365relay.spec.model import Connector


class RelayConnector(pulumi.ComponentResource):
    """An OnPremises inbound connector built from a spec connector."""

    connector_name: pulumi.Output[str]
    sender_ips: pulumi.Output[list[str]]

    def __init__(self, name: str, connector: Connector, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("o365relay:exchange:RelayConnector", name, {}, opts)
        props = INBOUND_CONNECTOR.inputs(connector)
        self.connector = InboundConnector(f"{name}-connector", props, pulumi.ResourceOptions(parent=self))
        self.connector_name = pulumi.Output.from_input(connector.name)
        self.sender_ips = pulumi.Output.from_input(list(connector.sender_ips))
        self.register_outputs({"connector_name": self.connector_name, "sender_ips": self.sender_ips})
