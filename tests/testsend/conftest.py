"""A sandbox seeded for test-send: working senders and one sender per misconfiguration."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from o365relay.sandbox import store as st
from o365relay.sandbox.seed import DEFAULT_SEED

SPEC = str(Path(__file__).parent / "relay.test.yaml")
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


def app_id(sandbox: Any, name: str) -> str:
    return str(sandbox.store.find(st.APPLICATION, displayName=name)["appId"])


def use_app(sandbox: Any, name: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Point test-send at a sender app: its id as the flag, its secret in the environment."""
    ident = app_id(sandbox, name)
    monkeypatch.setenv("RELAY_SENDER_CLIENT_SECRET", sandbox.secret_for(ident))
    return ident
