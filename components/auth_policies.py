"""o365relay:exchange:AuthenticationPolicies: the declared authentication policies, the senders' users
they apply to, and the org default.

Assignments are named by the sender's mailbox and are children of this one component, so moving a
sender to another policy, or renaming its key, is an update of the same resource (never a delete of
the old one after the new one is set, which would leave the user with no policy). The order keeps a
basic SMTP sender working: its policy exists before it is assigned, and a default that blocks basic SMTP
applies only after every declared sender has its own policy.
"""

from __future__ import annotations

from collections.abc import Sequence

import pulumi

from components.providers.auth_policy import (
    AuthenticationPolicy,
    AuthenticationPolicyAssignment,
    DefaultAuthenticationPolicy,
)
from o365relay.spec.model import RelaySpec


class AuthenticationPolicies(pulumi.ComponentResource):
    """Every ``authenticationPolicies`` entry and ``tenant.defaultAuthenticationPolicy``."""

    def __init__(self, name: str, spec: RelaySpec, senders: Sequence[pulumi.Resource],
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("o365relay:exchange:AuthenticationPolicies", name, {}, opts)
        policies = {key: AuthenticationPolicy(key, {"name": key, "allow_basic_auth": list(p.allow_basic_auth)},
                                              pulumi.ResourceOptions(parent=self))
                    for key, p in spec.authentication_policies.items()}
        assignments = []
        for key, policy in spec.authentication_policies.items():
            for account in policy.applies_to:
                mailbox = spec.service_accounts[account].mailbox.lower()
                assignments.append(AuthenticationPolicyAssignment(
                    f"{mailbox}-auth-policy", {"mailbox": mailbox, "policy": key},
                    pulumi.ResourceOptions(parent=self, depends_on=[policies[key], *senders])))
        default = spec.tenant.default_authentication_policy
        if default is not None:
            DefaultAuthenticationPolicy("default-auth-policy", {"policy": default}, pulumi.ResourceOptions(
                parent=self, depends_on=[policies[default], *assignments]))
        self.register_outputs({})
