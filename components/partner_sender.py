"""o365relay:exchange:PartnerSender: a SaaS platform that sends as the tenant's domains, through its own
Partner inbound connector (pinned to the partner's IPs or certificate)."""

from __future__ import annotations

import pulumi

from components.providers.partner_connector import PartnerConnector
from o365relay.kinds.partner_connector import PARTNER_CONNECTOR
from o365relay.spec.model import PartnerConnector as PartnerSpec


class PartnerSender(pulumi.ComponentResource):
    """A Partner inbound connector built from a spec partner connector."""

    connector_name: pulumi.Output[str]

    def __init__(self, name: str, partner: PartnerSpec, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("o365relay:exchange:PartnerSender", name, {}, opts)
        props = PARTNER_CONNECTOR.inputs(partner)
        self.connector = PartnerConnector(f"{name}-connector", props, pulumi.ResourceOptions(parent=self))
        self.connector_name = pulumi.Output.from_input(partner.name)
        self.register_outputs({"connector_name": self.connector_name})
