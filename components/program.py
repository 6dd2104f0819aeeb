"""The Pulumi program: stack config in, spec loaded through the core, relay stack out.

Kept out of ``__main__.py`` so tests run it under mocks exactly as the engine would.
"""

from __future__ import annotations

from pathlib import Path

import pulumi

from components.stack import RelayStack
from o365relay.errors import RelayError, SpecError, UsageError

ENFORCEMENT_LEVELS = ("mandatory", "advisory")


def run() -> RelayStack:
    """Build the stack from the stack config; turn a bad spec or config into a clean failure."""
    try:
        return _build()
    except SpecError as err:
        for problem in err.problems:
            pulumi.log.error(str(problem))
        raise pulumi.RunError(f"{err}: fix it and run again (relayctl validate shows the same)") from None
    except RelayError as err:
        pulumi.log.error(str(err))
        raise pulumi.RunError(str(err)) from None


def _build() -> RelayStack:
    from o365relay.spec.loader import load_spec

    config = pulumi.Config("o365-relay")
    spec_path = Path(config.require("spec"))
    enforcement = config.get("enforcement") or "advisory"
    if enforcement not in ENFORCEMENT_LEVELS:
        raise UsageError(f"o365-relay:enforcement is {enforcement!r}; use mandatory or advisory")
    spec = load_spec(spec_path)
    tenant_id = config.get("tenantId")
    if tenant_id and tenant_id.lower() != spec.tenant.id.lower():
        raise UsageError(f"o365-relay:tenantId is {tenant_id} but {spec_path} declares tenant {spec.tenant.id}; "
                         "a stack deploys one tenant: fix whichever is wrong")
    stack = RelayStack("relay", spec, spec_path.parent)
    pulumi.export("senders", stack.senders)
    pulumi.export("dnsRecords", stack.dns_records)
    pulumi.export("zoneFiles", stack.zone_files)
    pulumi.export("secrets", stack.secrets)
    pulumi.export("policyEnforcement", enforcement)
    return stack
