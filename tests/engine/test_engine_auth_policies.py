"""`pulumi up/refresh/destroy` of authentication policies against the sandbox, one step per test, in order:
the policies, the senders' assignments and the org default applied in an order that never blocks a basic
SMTP sender; a hand-made assignment that blocks one shows in refresh and the audit and `up` restores it;
destroy puts the tenant's default back."""

from __future__ import annotations

import json
import os
import smtplib
import ssl
import subprocess
import sys

import pytest
from engine_stack import ROOT, Stack
from exo_client import ExoCaller

from o365relay.sandbox import store as st

pytestmark = pytest.mark.slow

SCANNER = "scanner3@contoso.com"
DEFAULT = "Block Basic Auth"
RELAY = "Relay basic SMTP"


def basic_login(stack: Stack) -> int:
    """The reply code of the scanner's AUTH LOGIN on the submission endpoint."""
    sandbox = stack.sandbox
    with smtplib.SMTP(sandbox.smtp_host, sandbox.smtp_port, timeout=30) as client:
        client.starttls(context=ssl.create_default_context(cafile=str(sandbox.ca_file)))
        client.ehlo()
        try:
            return client.login(SCANNER, sandbox.secret_for(SCANNER))[0]
        except smtplib.SMTPAuthenticationError as refused:
            return refused.smtp_code


def audit_items(stack: Stack) -> tuple[int, list[dict[str, object]]]:
    done = subprocess.run([sys.executable, "-m", "o365relay.cli.main", "audit", str(stack.spec), "--format", "json"],
                          cwd=ROOT, env={**os.environ, **stack.sandbox.env()}, capture_output=True, text=True,
                          timeout=300, check=False)
    return done.returncode, json.loads(done.stdout)["items"]


def org(stack: Stack) -> dict[str, object]:
    return stack.sandbox.store.organization()


def user_policy(stack: Stack, upn: str) -> object:
    return stack.sandbox.store.find(st.USER, userPrincipalName=upn)["xAuthenticationPolicy"]  # type: ignore[index]


def test_up_applies_policies_then_assignments_then_the_default(stack: Stack) -> None:
    spec = stack.read_spec()
    spec["tenant"]["defaultAuthenticationPolicy"] = DEFAULT
    spec["authenticationPolicies"] = {DEFAULT: {}, RELAY: {"allowBasicAuth": ["smtp"],
                                                           "appliesTo": ["scanner-floor3", "erp-legacy"]}}
    stack.write_spec(spec)
    stack.pulumi.up(parallel=16)
    calls = [(c, p, e["start"], e["end"]) for e in stack.requests() if e["status"] == 200
             for c, p in zip(e["cmdlets"], e["parameters"], strict=True)]
    assigned = [end for c, _, _, end in calls if c == "Set-User"]
    default = [start for c, p, start, _ in calls
               if c == "Set-OrganizationConfig" and "DefaultAuthenticationPolicy" in p]
    assert len(assigned) == 2 and len(default) == 1 and default[0] >= max(assigned)
    assert org(stack)["defaultAuthenticationPolicy"] == DEFAULT.lower()
    assert {p["Name"]: p["AllowBasicAuthSmtp"] for p in stack.sandbox.store.list(st.AUTH_POLICY)} == {
        DEFAULT: False, RELAY: True}
    assert user_policy(stack, SCANNER) == user_policy(stack, "erp@contoso.com") == RELAY.lower()
    assert basic_login(stack) == 235  # the declared basic sender keeps sending under the blocking default
    stack.pulumi.run("preview", "--expect-no-changes")
    code, items = audit_items(stack)
    assert code == 0, [i for i in items if i["status"] != "in_sync"]


def test_a_hand_made_assignment_blocking_a_sender_shows_and_up_restores_it(stack: Stack) -> None:
    ExoCaller(stack.sandbox).ok("Set-User", {"Identity": SCANNER, "AuthenticationPolicy": DEFAULT})
    assert basic_login(stack) == 535
    code, items = audit_items(stack)
    assert code == 1 and [(i["kind"], i["status"]) for i in items if i["status"] != "in_sync"] == [
        ("auth_policy_assignment", "drift")]
    stack.pulumi.run("refresh", "--yes")
    stack.pulumi.up()
    assert user_policy(stack, SCANNER) == RELAY.lower() and basic_login(stack) == 235


def test_destroy_removes_the_policies_and_puts_the_tenants_default_back(stack: Stack) -> None:
    stack.pulumi.run("destroy", "--yes")
    assert stack.sandbox.store.list(st.AUTH_POLICY) == []
    assert org(stack).get("defaultAuthenticationPolicy") is None
    assert user_policy(stack, SCANNER) is None
