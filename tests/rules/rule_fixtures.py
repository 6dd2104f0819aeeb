"""Small named spec fixtures for the rule tests.

``clean_doc()`` is a spec document no rule objects to; each failing case changes one thing in it and
goes through the real loader (``spec_from_document``), so the fixtures are specs a user could write.
Cases the loader itself refuses (a /23 range, an undeclared trustee) are built as model objects:
the rules still guard them, for specs that reach the rules another way (the policy pack's resources).
"""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

from o365relay.spec.loader import spec_from_document
from o365relay.spec.model import RelaySpec

TODAY = date(2026, 11, 27)

CLEAN: dict[str, Any] = {
    "version": 1,
    "tenant": {"id": "7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a", "initialDomain": "contoso.onmicrosoft.com"},
    "domains": {
        "contoso.com": {"dmarc": {"policy": "reject", "rua": ["mailto:dmarc-reports@contoso.com"]}},
    },
    "connectors": {"dc1-relay": {"senderIPs": ["203.0.113.0/28", "198.51.100.25"]}},
    "serviceAccounts": {
        "erp-mailer": {
            "kind": "application",
            "mailbox": "erp@contoso.com",
            "credential": {"type": "federated", "issuer": "https://token.actions.githubusercontent.com",
                           "subject": "repo:contoso/erp:environment:prod"},
        },
    },
    "sendAs": [{"trustee": "erp-mailer", "mailbox": "invoices@contoso.com"}],
}


def clean_doc() -> dict[str, Any]:
    return copy.deepcopy(CLEAN)


def build(doc: dict[str, Any]) -> RelaySpec:
    return spec_from_document(doc, source="fixture.yaml")
