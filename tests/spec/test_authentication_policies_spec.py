# ruff: noqa: E501  (exact inputs and messages read best one per line)
"""authenticationPolicies and tenant.defaultAuthenticationPolicy: what the loader accepts, and every
contradiction it reports with its location (a basic SMTP AUTH sender whose policy blocks basic SMTP)."""

from __future__ import annotations

import pytest

from o365relay.errors import SpecError
from o365relay.spec.document import to_document
from o365relay.spec.loader import load_text
from o365relay.spec.model import AuthenticationPolicy

HEAD = """version: 1
tenant:
  id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a
  initialDomain: contoso.onmicrosoft.com
serviceAccounts:
  scanner-floor3: {kind: mailbox, mailbox: scanner3@contoso.onmicrosoft.com}
  erp-mailer:
    kind: application
    mailbox: erp@contoso.onmicrosoft.com
    credential: {type: secret}
"""


def problems(text: str) -> list[tuple[int, int, str, str]]:
    with pytest.raises(SpecError) as caught:
        load_text(text, "relay.yaml")
    return [(p.line, p.column, p.path, p.message) for p in caught.value.problems]


def test_policies_load_round_trip_and_say_which_applies_to_a_sender() -> None:
    text = HEAD.replace("  initialDomain: contoso.onmicrosoft.com\n", "  initialDomain: contoso.onmicrosoft.com\n  defaultAuthenticationPolicy: Block Basic Auth\n") + (
        "authenticationPolicies:\n"
        "  Block Basic Auth: {}\n"
        "  Relay basic SMTP: {allowBasicAuth: [smtp], appliesTo: [scanner-floor3]}\n")
    spec = load_text(text)
    relay = AuthenticationPolicy("Relay basic SMTP", allow_basic_auth=("smtp",), applies_to=("scanner-floor3",))
    assert spec.authentication_policies == {"Block Basic Auth": AuthenticationPolicy("Block Basic Auth"),
                                            "Relay basic SMTP": relay}
    assert spec.tenant.default_authentication_policy == "Block Basic Auth"
    assert spec.authentication_policy_of("scanner-floor3") == relay
    assert spec.authentication_policy_of("erp-mailer") == AuthenticationPolicy("Block Basic Auth")
    document = to_document(spec)
    assert document["authenticationPolicies"] == {"Block Basic Auth": {}, "Relay basic SMTP": {
        "allowBasicAuth": ["smtp"], "appliesTo": ["scanner-floor3"]}}
    assert load_text(text) == spec


def test_without_policies_nothing_applies_and_nothing_is_written() -> None:
    spec = load_text(HEAD)
    assert spec.authentication_policy_of("scanner-floor3") is None
    assert "authenticationPolicies" not in to_document(spec)


def test_a_mailbox_sender_whose_own_policy_blocks_basic_smtp_is_a_contradiction() -> None:
    text = HEAD + "authenticationPolicies:\n  Relay devices: {allowBasicAuth: [imap], appliesTo: [scanner-floor3, erp-mailer]}\n"
    assert problems(text) == [(6, 19, "spec.serviceAccounts.scanner-floor3", "sends with basic SMTP AUTH (kind: mailbox) but its policy 'Relay devices' blocks basic SMTP: Exchange would refuse it (535 5.7.139); add smtp to that policy's allowBasicAuth, give the sender a policy that allows it, or move it to kind: application (OAuth)")]


def test_the_org_default_blocking_a_mailbox_sender_without_its_own_policy_is_a_contradiction() -> None:
    text = HEAD.replace("  initialDomain: contoso.onmicrosoft.com\n", "  initialDomain: contoso.onmicrosoft.com\n  defaultAuthenticationPolicy: Block Basic Auth\n") + "authenticationPolicies:\n  Block Basic Auth: {}\n"
    [(line, _col, path, message)] = problems(text)
    assert (line, path) == (7, "spec.serviceAccounts.scanner-floor3")
    assert "the tenant's default policy 'Block Basic Auth' blocks basic SMTP" in message


@pytest.mark.parametrize(("policies", "expected"), [
    ("  Relay: {allowBasicAuth: [smtp], appliesTo: [scaner-floor3]}\n",
     [(12, 47, "spec.authenticationPolicies.Relay.appliesTo[0]", "'scaner-floor3' is not a declared service account; did you mean 'scanner-floor3'?")]),
    ("  Relay: {allowBasicAuth: [smtp], appliesTo: [scanner-floor3]}\n  Other: {allowBasicAuth: [smtp], appliesTo: [scanner-floor3]}\n",
     [(13, 47, "spec.authenticationPolicies.Other.appliesTo[0]", "scanner-floor3 is also in authenticationPolicies.Relay.appliesTo; a user has one authentication policy: keep it in one")]),
    ("  Relay: {allowBasicAuth: [smtp, ews]}\n",
     [(12, 34, "spec.authenticationPolicies.Relay.allowBasicAuth[1]", "'ews' is not allowed; use one of: 'activeSync', 'autodiscover', 'imap', 'mapi', 'offlineAddressBook', 'outlookService', 'pop', 'powershell', 'reportingWebServices', 'rpc', 'smtp', 'webServices'")]),
    ("  'Relay: basic': {}\n",
     [(12, 3, "spec.authenticationPolicies.Relay: basic", "'Relay: basic' must be an authentication policy name of at most 64 characters, without a colon or surrounding spaces, for example Relay basic SMTP")]),
])
def test_policy_problems_are_located(policies: str, expected: list[tuple[int, int, str, str]]) -> None:
    assert problems(HEAD + "authenticationPolicies:\n" + policies) == expected


def test_an_undeclared_default_is_named_with_a_hint() -> None:
    text = HEAD.replace("  initialDomain: contoso.onmicrosoft.com\n", "  initialDomain: contoso.onmicrosoft.com\n  defaultAuthenticationPolicy: Block basic auth\n") + "authenticationPolicies:\n  Block Basic Auth: {allowBasicAuth: [smtp]}\n"
    assert problems(text) == [(5, 32, "spec.tenant.defaultAuthenticationPolicy", "'Block basic auth' is not a declared authentication policy; did you mean 'authenticationPolicies.Block Basic Auth'?")]


def test_a_waiver_may_target_a_policy() -> None:
    text = HEAD + "authenticationPolicies:\n  Relay devices: {allowBasicAuth: [smtp, imap]}\nwaivers:\n  - {rule: auth-policy-basic-scope, target: authenticationPolicies.Relay devices, reason: old MFP scans to IMAP, expires: 2027-01-31}\n"
    assert load_text(text).waivers[0].target == "authenticationPolicies.Relay devices"
