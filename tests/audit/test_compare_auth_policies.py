"""Authentication policies, the org default and each sender's assignment, item by item: status, fields,
evidence, spec path and the exact reason (whether the policy blocks a basic SMTP sender, and whom). Pure:
Get-AuthenticationPolicy, Get-OrganizationConfig and Get-User rows as Exchange returns them, in a snapshot."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from audit_helpers import PROD_SPEC, snapshot

from o365relay.audit.compare_auth_policies import compare_auth_policies
from o365relay.audit.model import FieldDiff, Item
from o365relay.audit.snapshot import Read
from o365relay.spec.loader import load_spec
from o365relay.spec.model import AuthenticationPolicy, RelaySpec, ServiceAccount

PROD = load_spec(PROD_SPEC)  # erp-mailer and monitoring-alerts (OAuth), scanner-floor3 (a mailbox sender)
BLOCK, RELAY = "Block Basic Auth", "Relay basic SMTP"
PROTOCOLS = ("ActiveSync", "Autodiscover", "Imap", "Mapi", "OfflineAddressBook", "OutlookService", "Pop",
             "Powershell", "ReportingWebServices", "Rpc", "Smtp", "WebServices")
POLICIES = "Get-AuthenticationPolicy"
UNASSIGNED = "which the spec does not assign"


def dn(name: str) -> str:
    """A policy reference as Exchange hands it back (Get-User, Get-OrganizationConfig)."""
    return (f"CN={name},CN=Auth Policies,CN=Configuration,CN=contoso.onmicrosoft.com,CN=ConfigurationUnits,"
            "DC=EURPR05A001,DC=PROD,DC=OUTLOOK,DC=COM")


def policy_row(name: str, *allowed: str) -> dict[str, Any]:
    return {"Name": name, "Identity": name, "DistinguishedName": dn(name),
            **{f"AllowBasicAuth{p}": p in allowed for p in PROTOCOLS}}


def switches(*allowed: str) -> dict[str, bool]:
    """A policy item's evidence: every switch as read."""
    return {f"AllowBasicAuth{p}": p in allowed for p in PROTOCOLS}


def user(address: str, policy: str | None, upn: str | None = None) -> dict[str, Any]:
    return {"Identity": address.split("@")[0], "UserPrincipalName": upn or address, "WindowsEmailAddress": address,
            "AuthenticationPolicy": dn(policy) if policy else None, "RecipientType": "UserMailbox"}


def spec_with(policies: dict[str, AuthenticationPolicy], default: str | None = None,
              mailboxes: tuple[str, ...] = ()) -> RelaySpec:
    """The example spec with authentication policies, an org default, and more mailbox senders."""
    more = {name: ServiceAccount(name, "mailbox", f"{name}@contoso.com") for name in mailboxes}
    return replace(PROD, tenant=replace(PROD.tenant, default_authentication_policy=default),
                   authentication_policies=policies, service_accounts={**PROD.service_accounts, **more})


def audit(spec: RelaySpec, rows: list[dict[str, Any]], users: list[dict[str, Any]],
          default: str | None = None) -> list[Item]:
    org = {"DefaultAuthenticationPolicy": dn(default) if default else None}
    return compare_auth_policies(spec, snapshot(auth_policies=Read(POLICIES, rows),
                                                exchange_users=Read("Get-User", users),
                                                organization_config=Read("Get-OrganizationConfig", org)))


def test_declared_policies_are_in_sync_drift_or_missing_with_every_switch_as_evidence() -> None:
    spec = spec_with({"block basic auth": AuthenticationPolicy("block basic auth"),
                      RELAY: AuthenticationPolicy(RELAY, ("smtp",)), "Gone": AuthenticationPolicy("Gone", ("pop",))})
    rows = [policy_row(BLOCK), policy_row(RELAY, "Smtp", "Imap")]
    assert audit(spec, rows, []) == [
        Item("auth_policy", "block basic auth", "in_sync", evidence=switches(),
             spec_path="spec.authenticationPolicies.block basic auth", fields=(FieldDiff("allowBasicAuth", [], []),)),
        Item("auth_policy", RELAY, "drift", (FieldDiff("allowBasicAuth", ["smtp"], ["imap", "smtp"]),),
             evidence=switches("Smtp", "Imap"), spec_path=f"spec.authenticationPolicies.{RELAY}",
             fields=(FieldDiff("allowBasicAuth", ["smtp"], ["imap", "smtp"]),)),
        Item("auth_policy", "Gone", "missing", spec_path="spec.authenticationPolicies.Gone"),
    ]


def test_the_declared_org_default_compares_by_name_across_the_dn_exchange_returns() -> None:
    spec = spec_with({"block basic auth": AuthenticationPolicy("block basic auth")}, default="block basic auth")
    rows = [policy_row(BLOCK), policy_row(RELAY, "Smtp")]
    path = "spec.tenant.defaultAuthenticationPolicy"

    def default_item(actual: str | None) -> Item:
        return next(i for i in audit(spec, rows, [], default=actual) if i.name == "Default authentication policy")

    same = FieldDiff("DefaultAuthenticationPolicy", "block basic auth", "block basic auth")
    assert default_item(BLOCK) == Item("auth_policy", "Default authentication policy", "in_sync", evidence={
        "DefaultAuthenticationPolicy": dn(BLOCK)}, spec_path=path, fields=(same,))
    other = FieldDiff("DefaultAuthenticationPolicy", "block basic auth", RELAY)
    assert default_item(RELAY) == Item("auth_policy", "Default authentication policy", "drift", (other,), evidence={
        "DefaultAuthenticationPolicy": dn(RELAY)}, spec_path=path, fields=(other,))
    none = FieldDiff("DefaultAuthenticationPolicy", "block basic auth", None)
    assert default_item(None) == Item("auth_policy", "Default authentication policy", "drift", (none,), evidence={
        "DefaultAuthenticationPolicy": None}, spec_path=path, fields=(none,))


def test_an_undeclared_org_default_is_unexpected_naming_the_senders_it_applies_to_and_blocks() -> None:
    """The senders without a policy of their own inherit it: here two mailbox senders, not the one the spec
    gives a policy (that allows SMTP), and not the OAuth senders (no basic SMTP AUTH to block)."""
    spec = spec_with({RELAY: AuthenticationPolicy(RELAY, ("smtp",), applies_to=("lobby-printer",))},
                     mailboxes=("lobby-printer", "scanner-floor2"))
    rows = [policy_row(BLOCK), policy_row(RELAY, "Smtp")]
    [default] = [i for i in audit(spec, rows, [], default=BLOCK) if i.name == "Default authentication policy"]
    assert default == Item("auth_policy", "Default authentication policy", "unexpected", reason=(
        "the org default 'Block Basic Auth' is not declared (tenant.defaultAuthenticationPolicy) and applies to "
        "scanner-floor2, scanner-floor3; it blocks basic SMTP AUTH, so Exchange refuses scanner-floor2, "
        "scanner-floor3 (535 5.7.139 basic authentication is disabled): declare a policy that allows smtp for it"),
        evidence={"DefaultAuthenticationPolicy": dn(BLOCK)})


def test_an_undeclared_org_default_that_allows_smtp_or_is_not_listed_says_nothing_of_blocking() -> None:
    rows = [policy_row(RELAY, "Smtp")]
    for actual in (RELAY, "Removed policy"):
        [default] = [i for i in audit(spec_with({}), rows, [], default=actual) if i.kind == "auth_policy"]
        assert default.reason == (f"the org default {actual!r} is not declared (tenant.defaultAuthenticationPolicy) "
                                  "and applies to scanner-floor3")


def test_no_org_default_or_nobody_inheriting_it_is_no_finding() -> None:
    rows = [policy_row(BLOCK), policy_row(RELAY, "Smtp")]
    assert audit(spec_with({}), rows, []) == []
    everyone_assigned = spec_with({RELAY: AuthenticationPolicy(RELAY, ("smtp",), applies_to=("scanner-floor3",))})
    assert [i.kind for i in audit(everyone_assigned, rows, [], default=BLOCK)] == ["auth_policy"]  # RELAY's own


def test_a_senders_declared_assignment_is_found_by_address_or_principal_name_and_compared_by_name() -> None:
    """Exchange names policies case-insensitively: the spec's ``relay basic smtp`` is the tenant's RELAY."""
    relay = RELAY.lower()
    spec = spec_with({BLOCK: AuthenticationPolicy(BLOCK, applies_to=("erp-mailer",)),
                      relay: AuthenticationPolicy(relay, ("smtp",), applies_to=("scanner-floor3",))})
    rows = [policy_row(BLOCK), policy_row(RELAY, "Smtp")]
    users = [user("someone@contoso.com", BLOCK),
             user("SCANNER3@contoso.com", RELAY, upn="scanner3.svc@contoso.onmicrosoft.com"),
             user("erp.mailbox@contoso.com", None, upn="ERP@contoso.com")]
    assignments = [i for i in audit(spec, rows, users) if i.kind == "auth_policy_assignment"]
    in_sync = FieldDiff("AuthenticationPolicy", relay, relay)
    unset = FieldDiff("AuthenticationPolicy", BLOCK, None)
    assert assignments == [
        Item("auth_policy_assignment", "erp@contoso.com", "drift", (unset,),
             evidence={"UserPrincipalName": "ERP@contoso.com", "AuthenticationPolicy": None},
             spec_path=f"spec.authenticationPolicies.{BLOCK}.appliesTo", fields=(unset,)),
        Item("auth_policy_assignment", "scanner3@contoso.com", "in_sync",
             evidence={"UserPrincipalName": "scanner3.svc@contoso.onmicrosoft.com", "AuthenticationPolicy": dn(RELAY)},
             spec_path=f"spec.authenticationPolicies.{relay}.appliesTo", fields=(in_sync,)),
    ]
    users[1] = user("scanner3@contoso.com", BLOCK)
    [scanner] = [i for i in audit(spec, rows, users) if i.name == "scanner3@contoso.com"]
    assert (scanner.status, scanner.diffs) == ("drift", (FieldDiff("AuthenticationPolicy", relay, BLOCK),))


def test_an_unassigned_policy_on_a_sender_is_unexpected_and_says_whom_it_blocks() -> None:
    """A mailbox sender's basic SMTP AUTH is refused under a policy without smtp; an OAuth sender (compared
    here because the spec declares the default it would inherit) has no basic SMTP AUTH to lose."""
    spec = spec_with({RELAY: AuthenticationPolicy(RELAY, ("smtp",))}, default=RELAY)
    rows = [policy_row(BLOCK), policy_row(RELAY, "Smtp")]
    users = [user("erp@contoso.com", BLOCK), user("scanner3@contoso.com", BLOCK),
             user("alerts@notify.contoso.com", None)]
    assert [i for i in audit(spec, rows, users, default=RELAY) if i.kind == "auth_policy_assignment"] == [
        Item("auth_policy_assignment", "erp@contoso.com", "unexpected",
             reason=f"erp@contoso.com (sender erp-mailer) has the authentication policy {BLOCK!r}, {UNASSIGNED}",
             evidence={"UserPrincipalName": "erp@contoso.com", "AuthenticationPolicy": dn(BLOCK)},
             spec_path="spec.serviceAccounts.erp-mailer"),
        Item("auth_policy_assignment", "scanner3@contoso.com", "unexpected", reason=(
            f"scanner3@contoso.com (sender scanner-floor3) has the authentication policy {BLOCK!r}, {UNASSIGNED}"
            "; it blocks basic SMTP AUTH, so Exchange refuses scanner-floor3 (535 5.7.139 basic authentication is "
            "disabled): declare a policy that allows smtp for it"),
             evidence={"UserPrincipalName": "scanner3@contoso.com", "AuthenticationPolicy": dn(BLOCK)},
             spec_path="spec.serviceAccounts.scanner-floor3"),
    ]


def test_an_unassigned_policy_that_allows_smtp_is_unexpected_without_blocking_anyone() -> None:
    rows = [policy_row(RELAY, "Smtp")]
    [scanner] = audit(spec_with({}), rows, [user("scanner3@contoso.com", RELAY)])
    assert scanner.reason == (f"scanner3@contoso.com (sender scanner-floor3) has the authentication policy {RELAY!r}, "
                              f"{UNASSIGNED}")


def test_failed_reads_are_unknown_never_in_sync() -> None:
    spec = spec_with({RELAY: AuthenticationPolicy(RELAY, ("smtp",), applies_to=("erp-mailer",))})
    ok = Read(POLICIES, [policy_row(RELAY, "Smtp")])
    assert compare_auth_policies(spec, snapshot(auth_policies=Read(POLICIES, error="503"))) == [
        Item("auth_policy", "Authentication policies", "unknown", reason=f"{POLICIES}: 503",
             spec_path="spec.authenticationPolicies")]
    org_failed = snapshot(auth_policies=ok, organization_config=Read("Get-OrganizationConfig", error="503"))
    assert [i for i in compare_auth_policies(spec, org_failed) if i.name == "Default authentication policy"] == [
        Item("auth_policy", "Default authentication policy", "unknown", reason="Get-OrganizationConfig: 503",
             spec_path="spec.tenant.defaultAuthenticationPolicy")]
    users_failed = snapshot(auth_policies=ok, exchange_users=Read("Get-User", error="timed out"))
    assert [i for i in compare_auth_policies(spec, users_failed) if i.kind == "auth_policy_assignment"] == [
        Item("auth_policy_assignment", mailbox, "unknown", reason="Get-User: timed out",
             spec_path=f"spec.serviceAccounts.{key}")
        for key, mailbox in (("erp-mailer", "erp@contoso.com"), ("scanner-floor3", "scanner3@contoso.com"))]
