"""o365relay:exchange:SendAs: the Send As grants of one service account.

One component per trustee (not per grant) keeps a large spec cheap to render: the grants are its
children, one ``exchange:SendAsGrant`` each.
"""

from __future__ import annotations

import pulumi

from components.providers.send_as import SendAsGrant
from o365relay.spec.model import SendAsGrant as SendAsSpec


class SendAs(pulumi.ComponentResource):
    """Send As on each granted mailbox for ``trustee`` (the service account's Exchange identity)."""

    mailboxes: pulumi.Output[list[str]]

    def __init__(self, name: str, service_account: str, trustee: pulumi.Input[str], grants: list[SendAsSpec],
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("o365relay:exchange:SendAs", name, {}, opts)
        child = pulumi.ResourceOptions(parent=self)
        for grant in grants:
            SendAsGrant(f"{name}-{grant.mailbox}",
                        {"mailbox": grant.mailbox, "trustee": trustee, "service_account": service_account},
                        child)
        self.mailboxes = pulumi.Output.from_input([g.mailbox for g in grants])
        self.register_outputs({"mailboxes": self.mailboxes})
