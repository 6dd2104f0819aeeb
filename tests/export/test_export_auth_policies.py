"""Authentication policies as export writes them: only those touching an exported sender, and what the
loader would refuse (a blocking policy on a basic sender, a name the spec cannot hold) left out with a
warning that says why."""

from __future__ import annotations

from o365relay.export.auth_policies import exported_policies
from o365relay.spec.model import AuthenticationPolicy, ServiceAccount

DN = "CN={},CN=Auth Policies,CN=Configuration,CN=contoso.onmicrosoft.com"
SCANNER = ServiceAccount("scanner", "mailbox", "scanner@contoso.com")
APP = ServiceAccount("erp", "application", "erp@contoso.com")


def policy(name: str, **switches: bool) -> dict[str, object]:
    return {"Name": name, **switches}


def user(upn: str, policy_name: str | None) -> dict[str, object]:
    return {"UserPrincipalName": upn, "AuthenticationPolicy": DN.format(policy_name) if policy_name else None}


def test_a_default_that_blocks_a_basic_sender_is_left_out_with_a_warning() -> None:
    warnings: list[str] = []
    policies, default = exported_policies([policy("Block Basic Auth")], [user("scanner@contoso.com", None)],
                                          {"DefaultAuthenticationPolicy": DN.format("Block Basic Auth")},
                                          [SCANNER, APP], warnings)
    assert (policies, default) == ({}, None)
    assert warnings == ["authentication policy 'Block Basic Auth' left out for scanner: the org default blocks "
                        "basic SMTP, so Exchange refuses this mailbox sender today; declare a policy that allows smtp"]


def test_an_assigned_policy_allowing_smtp_is_exported_with_its_sender_and_an_oauth_senders_policy_too() -> None:
    warnings: list[str] = []
    rows = [policy("Relay", AllowBasicAuthSmtp=True), policy("Apps")]
    policies, default = exported_policies(rows, [user("scanner@contoso.com", "relay"), user("erp@contoso.com", "Apps")],
                                          {}, [SCANNER, APP], warnings)
    assert policies == {"Relay": AuthenticationPolicy("Relay", ("smtp",), ("scanner",)),
                        "Apps": AuthenticationPolicy("Apps", (), ("erp",))}
    assert default is None and warnings == []


def test_a_name_the_spec_cannot_hold_is_warned() -> None:
    warnings: list[str] = []
    policies, _ = exported_policies([policy("Relay: SMTP", AllowBasicAuthSmtp=True)],
                                    [user("scanner@contoso.com", "Relay: SMTP")], {}, [SCANNER], warnings)
    assert policies == {} and warnings[0].startswith("authentication policy 'Relay: SMTP' left out: the spec cannot")
