"""smtp-auth-report's proposal when the spec's default authentication policy blocks basic SMTP: the
proposed mailbox sender goes into a policy that allows it (Exchange would refuse it otherwise), and the
spec with the stanzas added still validates."""

from __future__ import annotations

from datetime import date, datetime

import yaml

from o365relay.smtpauth.judge import judge
from o365relay.smtpauth.propose import propose
from o365relay.spec.loader import load_text
from o365relay.spec.model import Evidence, SeenSender

TENANT = "7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a"
SPEC = f"""version: 1
tenant:
  id: {TENANT}
  initialDomain: contoso.onmicrosoft.com
  smtpAuth: {{stage: observe}}
  defaultAuthenticationPolicy: Block Basic Auth
domains:
  contoso.com: {{}}
authenticationPolicies:
  Block Basic Auth: {{}}
"""


def proposal(spec_text: str) -> tuple[dict[str, object], list[str]]:
    spec = load_text(spec_text)
    seen = SeenSender("printer7@contoso.com", 12, datetime(2026, 11, 2), datetime(2026, 11, 29), ("198.51.100.9",))
    evidence = Evidence(TENANT, datetime(2026, 11, 1), datetime(2026, 11, 30), "read", basic_sign_ins=(seen,),
                        senders=(seen,))
    text, notes = propose(judge(evidence, spec, date(2026, 11, 30)), spec, date(2026, 11, 30))
    return yaml.safe_load(text), notes


def test_a_new_basic_sender_gets_a_new_policy_allowing_smtp() -> None:
    stanzas, notes = proposal(SPEC)
    assert stanzas["authenticationPolicies"] == {"Relay basic SMTP": {"allowBasicAuth": ["smtp"],
                                                                      "appliesTo": ["printer7"]}}
    assert notes == ["the default authentication policy 'Block Basic Auth' blocks basic SMTP: without a policy that "
                     "allows it Exchange refuses these devices (535 5.7.139 basic authentication is disabled), so the "
                     "stanzas put printer7 in 'Relay basic SMTP'"]  # and nothing about the spec not validating


def test_a_declared_policy_allowing_smtp_takes_the_new_sender_beside_its_own() -> None:
    spec = SPEC + ("  Scanners: {allowBasicAuth: [smtp], appliesTo: [scanner]}\n"
                   "serviceAccounts:\n  scanner: {kind: mailbox, mailbox: scanner@contoso.com}\n")
    stanzas, _ = proposal(spec)
    assert stanzas["authenticationPolicies"] == {"Scanners": {"allowBasicAuth": ["smtp"],
                                                              "appliesTo": ["scanner", "printer7"]}}


def test_no_policy_stanza_when_the_default_allows_basic_smtp_or_none_is_declared() -> None:
    stanzas, _ = proposal(SPEC.replace("Block Basic Auth: {}", "Block Basic Auth: {allowBasicAuth: [smtp]}"))
    assert "authenticationPolicies" not in stanzas
