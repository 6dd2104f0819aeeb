"""A sandbox seeded for test-send: working senders and one sender per misconfiguration (the spec and
helpers are in testsend_helpers, a name no other test directory shares)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from o365relay.sandbox.seed import DEFAULT_SEED

SEED = """
extends: {default}
users:
  erp@contoso.com: {{smtpAuth: enabled}}
  oncall@notify.contoso.com: {{smtpAuth: enabled}}
  scanner3@contoso.com: {{smtpAuth: enabled, password: generate}}
applications:
  erp-mailer: {{secret: generate, roles: [SMTP.SendAsApp], exchangeServicePrincipal: true}}
  roleless-mailer: {{secret: generate, exchangeServicePrincipal: true}}
  unregistered-mailer: {{secret: generate, roles: [SMTP.SendAsApp]}}
exchange:
  inboundConnectors:
    dc1-relay: {{ConnectorType: OnPremises, SenderIPAddresses: [203.0.113.0/28], SenderDomains: ["*"]}}
  mailboxPermissions:
    - {{mailbox: erp@contoso.com, user: erp-mailer}}
    - {{mailbox: noc@notify.contoso.com, user: erp-mailer}}
    - {{mailbox: erp@contoso.com, user: roleless-mailer}}
  recipientPermissions:
    - {{mailbox: invoices@contoso.com, trustee: erp-mailer}}
"""


@pytest.fixture
def tenant(sandbox_factory: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    seed = tmp_path / "test-send-seed.yaml"
    seed.write_text(SEED.format(default=DEFAULT_SEED))
    sandbox = sandbox_factory(seed=seed)
    for key, value in sandbox.env().items():
        monkeypatch.setenv(key, value)
    return sandbox
