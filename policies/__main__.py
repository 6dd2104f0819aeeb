"""The o365-relay CrossGuard pack: ``pulumi preview --policy-pack policies``.

Only builds the pack (constructing ``PolicyPack`` starts the analyzer and blocks); the policies live
in ``relay_policies`` so tests can import them.
"""

from pulumi_policy import PolicyPack
from relay_policies import PACK_NAME, all_policies, stack_enforcement

PolicyPack(
    name=PACK_NAME,
    policies=all_policies(),
    enforcement_level=stack_enforcement(),
    description="Relay guard-rails: the rules of relayctl lint, applied to the stack's spec and resources.",
)
