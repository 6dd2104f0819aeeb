"""exchange:AuthenticationPolicy, exchange:AuthenticationPolicyAssignment and exchange:DefaultAuthenticationPolicy
through the real provider host against the sandbox: create or adopt, absolute switches, refusing someone
else's policy, references read back as DNs compared by name, delete and release."""

from __future__ import annotations

from typing import Any

import grpc
import pytest
from dynamic_host import DynamicHost
from provider_support import Driven, Tenant

from components.providers.auth_policy import (
    AuthenticationPolicyAssignmentProvider,
    AuthenticationPolicyProvider,
    DefaultAuthenticationPolicyProvider,
)

POLICY = "pulumi-python:dynamic/exchange:AuthenticationPolicy"
ASSIGNMENT = "pulumi-python:dynamic/exchange:AuthenticationPolicyAssignment"
DEFAULT = "pulumi-python:dynamic/exchange:DefaultAuthenticationPolicy"
SCANNER = "scanner3@contoso.com"


def tenant_policy(tenant: Tenant, name: str) -> dict[str, Any]:
    return tenant.exchange("Get-AuthenticationPolicy", {"Identity": name})[0]


def policy(host: DynamicHost, name: str = "Relay basic SMTP") -> Driven:
    return Driven(host, AuthenticationPolicyProvider(), POLICY, name)


def test_policy_lifecycle_sets_every_switch_absolutely(host: DynamicHost, tenant: Tenant) -> None:
    res = policy(host)
    res.create({"name": "Relay basic SMTP", "allow_basic_auth": ["smtp"]})
    row = tenant_policy(tenant, "Relay basic SMTP")
    assert res.id == "Relay basic SMTP" and row["AllowBasicAuthSmtp"] is True and row["AllowBasicAuthPop"] is False
    assert res.diff({"name": "relay basic smtp", "allow_basic_auth": ["smtp", "smtp"]}).changes == "DIFF_NONE"
    d = res.diff({"name": "Relay basic SMTP", "allow_basic_auth": ["imap"]})
    assert (d.changes, d.replaces) == ("DIFF_SOME", [])
    res.update({"name": "Relay basic SMTP", "allow_basic_auth": ["imap"]})
    row = tenant_policy(tenant, "Relay basic SMTP")
    assert (row["AllowBasicAuthSmtp"], row["AllowBasicAuthImap"]) == (False, True)
    assert res.diff({"name": "Other", "allow_basic_auth": ["imap"]}).replaces == ["name"]  # no rename in Exchange
    tenant.exchange("Set-AuthenticationPolicy", {"Identity": "Relay basic SMTP", "AllowBasicAuthPop": True})
    assert res.read()[1]["allow_basic_auth"] == ["imap", "pop"]  # a hand edit shows on refresh
    res.delete()
    assert tenant.exchange("Get-AuthenticationPolicy") == []
    res.delete()  # already gone: fine


def test_adopts_an_identical_policy_and_refuses_a_different_one(host: DynamicHost, tenant: Tenant) -> None:
    tenant.exchange("New-AuthenticationPolicy", {"Name": "Relay basic SMTP", "AllowBasicAuthSmtp": True})
    guid = tenant_policy(tenant, "Relay basic SMTP")["Guid"]
    policy(host).create({"name": "relay basic smtp", "allow_basic_auth": ["smtp"]})
    assert tenant_policy(tenant, "Relay basic SMTP")["Guid"] == guid
    tenant.exchange("New-AuthenticationPolicy", {"Name": "Block Basic Auth"})
    with pytest.raises(grpc.RpcError) as err:
        policy(host, "Block Basic Auth").create({"name": "Block Basic Auth", "allow_basic_auth": ["smtp"]})
    assert "authentication policy 'Block Basic Auth' already exists in the tenant with different settings" in (
        err.value.details())
    assert tenant_policy(tenant, "Block Basic Auth")["AllowBasicAuthSmtp"] is False  # left alone


def test_check_refuses_an_unknown_protocol(host: DynamicHost) -> None:
    _, failures = policy(host).check({"name": "Relay", "allow_basic_auth": ["ews"]})
    assert failures and failures[0][0] == "allow_basic_auth" and "'ews' is not one of" in failures[0][1]


def test_assignment_and_default_read_dns_as_names_and_release(host: DynamicHost, tenant: Tenant) -> None:
    for name, smtp in (("Relay basic SMTP", True), ("Block Basic Auth", False)):
        tenant.exchange("New-AuthenticationPolicy", {"Name": name, "AllowBasicAuthSmtp": smtp})
    assignment = Driven(host, AuthenticationPolicyAssignmentProvider(), ASSIGNMENT, f"{SCANNER}-auth-policy")
    assignment.create({"mailbox": SCANNER, "policy": "Relay basic SMTP"})
    user = tenant.exchange("Get-User", {"Identity": SCANNER})[0]
    assert user["AuthenticationPolicy"].startswith("CN=Relay basic SMTP,CN=Auth Policies,")
    assert assignment.read()[1]["policy"] == "Relay basic SMTP"
    assert assignment.diff({"mailbox": SCANNER, "policy": "relay basic smtp"}).changes == "DIFF_NONE"

    tenant.exchange("Set-OrganizationConfig", {"DefaultAuthenticationPolicy": "Relay basic SMTP"})  # by hand
    default = Driven(host, DefaultAuthenticationPolicyProvider(), DEFAULT, "default-auth-policy")
    assert default.create({"policy": "Block Basic Auth"})["adopted_policy"] == "Relay basic SMTP"
    assert tenant.exchange("Get-OrganizationConfig")[0]["DefaultAuthenticationPolicy"].startswith(
        "CN=Block Basic Auth,")
    default.update({"policy": "block basic auth"})
    assert default.outputs["adopted_policy"] == "Relay basic SMTP"  # the adoption record survives updates
    default.delete()  # what the tenant had before the stack comes back
    assert tenant.exchange("Get-OrganizationConfig")[0]["DefaultAuthenticationPolicy"].startswith(
        "CN=Relay basic SMTP,")
    assignment.delete()  # the user falls back to the default
    assert tenant.exchange("Get-User", {"Identity": SCANNER})[0]["AuthenticationPolicy"] is None


def test_assignment_to_a_missing_user_fails_clearly(host: DynamicHost) -> None:
    with pytest.raises(grpc.RpcError) as err:
        Driven(host, AuthenticationPolicyAssignmentProvider(), ASSIGNMENT, "x").create(
            {"mailbox": "nobody@contoso.com", "policy": "Relay basic SMTP"})
    assert "nobody@contoso.com" in err.value.details() and "does not exist" in err.value.details()
