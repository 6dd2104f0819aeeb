"""o365relay:exchange:RelayConnector: one SMTP relay connector (devices recognised by IP or certificate)."""

from __future__ import annotations

import pulumi

from components.providers.inbound_connector import InboundConnector
from o365relay.spec.model import Connector

CONNECTOR_TYPE = "OnPremises"  # only OnPremises connectors may relay to the internet


class RelayConnector(pulumi.ComponentResource):
    """An OnPremises inbound connector built from a spec connector."""

    connector_name: pulumi.Output[str]
    sender_ips: pulumi.Output[list[str]]

    def __init__(self, name: str, connector: Connector, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("o365relay:exchange:RelayConnector", name, {}, opts)
        props = {
            "name": connector.name,
            "connector_type": CONNECTOR_TYPE,
            "sender_ips": list(connector.sender_ips),
            "sender_domains": list(connector.sender_domains),
            "require_tls": connector.require_tls,
            "enabled": connector.enabled,
            "comment": connector.comment,
        }
        if connector.certificate_name:
            props["tls_sender_certificate_name"] = connector.certificate_name
        self.connector = InboundConnector(f"{name}-connector", props, pulumi.ResourceOptions(parent=self))
        self.connector_name = pulumi.Output.from_input(connector.name)
        self.sender_ips = pulumi.Output.from_input(list(connector.sender_ips))
        self.register_outputs({"connector_name": self.connector_name, "sender_ips": self.sender_ips})
