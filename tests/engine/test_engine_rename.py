"""Renaming a sender's spec key under the real engine must not switch off what its mailbox needs.

The tenant objects of a mailbox are the mailbox's, not the key's: after ``old-name → new-name`` (same
mailbox) the device behind it still authenticates (SMTP AUTH stays enabled on that mailbox).
"""

from __future__ import annotations

import json

import pytest
from engine_stack import Stack

from o365relay.sandbox import store as st

pytestmark = pytest.mark.slow

SPEC = {
    "version": 1,
    "tenant": {"id": "7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a", "initialDomain": "contoso.onmicrosoft.com"},
    "domains": {"contoso.com": {"dmarc": {"policy": "reject"}}},
    "serviceAccounts": {"scanner-floor3": {"kind": "mailbox", "mailbox": "scanner3@contoso.com"}},
    "sendAs": [{"trustee": "scanner-floor3", "mailbox": "invoices@contoso.com"}],
    "waivers": [{"rule": "no-basic-smtp-auth", "target": "serviceAccounts.scanner-floor3",
                 "reason": "Scanner firmware has no OAuth; FAC-1182", "expires": "2027-03-31"}],
}


def smtp_auth_disabled(stack: Stack, mailbox: str) -> bool | None:
    """The mailbox's SmtpClientAuthenticationDisabled as the sandbox tenant holds it."""
    (user,) = [u for u in stack.sandbox.store.list(st.USER)
               if str(u.get("userPrincipalName", "")).casefold() == mailbox]
    return user["xSmtpClientAuthenticationDisabled"]


def send_as(stack: Stack) -> list[tuple[str, str]]:
    """(mailbox, trustee) of every Send As permission in the sandbox tenant."""
    users = {u["id"]: str(u.get("userPrincipalName", "")).casefold() for u in stack.sandbox.store.list(st.USER)}
    return sorted((users.get(p["xMailboxId"], p["xMailboxId"]), users.get(p["xTrusteeId"], p["xTrusteeId"]))
                  for p in stack.sandbox.store.list(st.RECIPIENT_PERMISSION))


def exchange_writes(stack: Stack, since: int) -> list[str]:
    return [c for e in stack.requests() if e["seq"] > since for c in e["cmdlets"] if not c.startswith("Get-")]


def test_renaming_a_mailbox_senders_key_keeps_smtp_auth_on_its_mailbox(stack: Stack) -> None:
    stack.write_spec(SPEC)
    stack.pulumi.up()
    assert smtp_auth_disabled(stack, "scanner3@contoso.com") is False
    renamed = {**SPEC, "serviceAccounts": {"scanner-lobby": SPEC["serviceAccounts"]["scanner-floor3"]},
               "sendAs": [{"trustee": "scanner-lobby", "mailbox": "invoices@contoso.com"}],
               "waivers": [{**SPEC["waivers"][0], "target": "serviceAccounts.scanner-lobby"}]}
    stack.write_spec(renamed)
    stack.pulumi.up()
    assert smtp_auth_disabled(stack, "scanner3@contoso.com") is False  # the scanner still authenticates
    assert ("invoices@contoso.com", "scanner3@contoso.com") in send_as(stack)  # and still sends as invoices@
    stack.pulumi.run("preview", "--expect-no-changes")


def test_a_stack_applied_before_mailbox_names_takes_them_over_without_a_change(stack: Stack) -> None:
    # the checkpoint as the previous version left it: the exception named by the key, under its account
    state = stack.pulumi.export()
    resources = state["deployment"]["resources"]
    (smtp,) = [r for r in resources if r["type"].endswith("exchange:MailboxSmtpAuth")]
    (account,) = [r for r in resources if r["type"] == "o365relay:identity:SmtpServiceAccount"]
    new_urn = smtp["urn"]
    old_urn = new_urn.replace("o365relay:index:RelayStack$", "o365relay:index:RelayStack$"
                              "o365relay:identity:SmtpServiceAccount$").replace(
        "::scanner3@contoso.com-smtp-auth", "::scanner-lobby-smtp-auth")
    smtp["parent"] = account["urn"]
    old_state = json.loads(json.dumps(state).replace(new_urn, old_urn).replace(
        "::scanner3@contoso.com-sendas", "::scanner-lobby-sendas"))
    checkpoint = stack.workdir / "old-checkpoint.json"
    checkpoint.write_text(json.dumps(old_state), encoding="utf-8")
    stack.pulumi.run("stack", "import", "--file", str(checkpoint))

    since = max((e["seq"] for e in stack.requests()), default=0)
    stack.pulumi.run("preview", "--expect-no-changes")  # the alias takes it over: no replace, no delete
    stack.pulumi.up()
    assert not exchange_writes(stack, since)
    assert [r["urn"] for r in stack.pulumi.export()["deployment"]["resources"]
            if r["type"].endswith("exchange:MailboxSmtpAuth")] == [new_urn]
    assert smtp_auth_disabled(stack, "scanner3@contoso.com") is False
    assert ("invoices@contoso.com", "scanner3@contoso.com") in send_as(stack)
