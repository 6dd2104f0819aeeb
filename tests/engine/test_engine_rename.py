"""Renaming a sender's spec key under the real engine must not switch off what its mailbox needs.

The tenant objects of a mailbox are the mailbox's, not the key's: after ``old-name → new-name`` (same
mailbox) the device behind it still authenticates (SMTP AUTH stays enabled on that mailbox).
"""

from __future__ import annotations

import pytest
from engine_stack import Stack

from o365relay.sandbox import store as st

pytestmark = pytest.mark.slow

SPEC = {
    "version": 1,
    "tenant": {"id": "7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a", "initialDomain": "contoso.onmicrosoft.com"},
    "domains": {"contoso.com": {"dmarc": {"policy": "reject"}}},
    "serviceAccounts": {"scanner-floor3": {"kind": "mailbox", "mailbox": "scanner3@contoso.com"}},
    "waivers": [{"rule": "no-basic-smtp-auth", "target": "serviceAccounts.scanner-floor3",
                 "reason": "Scanner firmware has no OAuth; FAC-1182", "expires": "2027-03-31"}],
}


def smtp_auth_disabled(stack: Stack, mailbox: str) -> bool | None:
    """The mailbox's SmtpClientAuthenticationDisabled as the sandbox tenant holds it."""
    (user,) = [u for u in stack.sandbox.store.list(st.USER)
               if str(u.get("userPrincipalName", "")).casefold() == mailbox]
    return user["xSmtpClientAuthenticationDisabled"]


def test_renaming_a_mailbox_senders_key_keeps_smtp_auth_on_its_mailbox(stack: Stack) -> None:
    stack.write_spec(SPEC)
    stack.pulumi.up()
    assert smtp_auth_disabled(stack, "scanner3@contoso.com") is False
    renamed = {**SPEC, "serviceAccounts": {"scanner-lobby": SPEC["serviceAccounts"]["scanner-floor3"]},
               "waivers": [{**SPEC["waivers"][0], "target": "serviceAccounts.scanner-lobby"}]}
    stack.write_spec(renamed)
    stack.pulumi.up()
    assert smtp_auth_disabled(stack, "scanner3@contoso.com") is False  # the scanner still authenticates
    stack.pulumi.run("preview", "--expect-no-changes")
