"""Authentication policies in the sandbox: Exchange's cmdlets (Get/New/Set/Remove-AuthenticationPolicy,
Get/Set-User -AuthenticationPolicy, Set-OrganizationConfig -DefaultAuthenticationPolicy) and what a basic
SMTP AUTH sender meets when its policy, or the org default, blocks basic SMTP."""

from __future__ import annotations

import smtplib
import ssl
from typing import Any

import pytest

from o365relay.sandbox import store as st

NOT_FOUND = "Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException"
SCANNER = "scanner3@contoso.com"
BASIC_DISABLED = b"5.7.139 Authentication unsuccessful, basic authentication is disabled."


def test_a_new_policy_blocks_every_protocol_until_a_switch_allows_it(exo: Any) -> None:
    [created] = exo.ok("New-AuthenticationPolicy", {"Name": "Relay devices", "AllowBasicAuthSmtp": True})
    assert created["AllowBasicAuthSmtp"] is True and created["AllowBasicAuthImap"] is False
    assert created["DistinguishedName"].startswith("CN=Relay devices,CN=Auth Policies,CN=Configuration,")
    exo.ok("Set-AuthenticationPolicy", {"Identity": "relay devices", "AllowBasicAuthSmtp": "$false",
                                        "AllowBasicAuthPop": True})
    [row] = exo.ok("Get-AuthenticationPolicy", {"Identity": "Relay devices"})
    assert (row["AllowBasicAuthSmtp"], row["AllowBasicAuthPop"]) == (False, True)
    assert [p["Name"] for p in exo.ok("Get-AuthenticationPolicy")] == ["Relay devices"]


def test_refusals_name_and_identity(exo: Any) -> None:
    exo.ok("New-AuthenticationPolicy", {"Name": "Block Basic Auth"})
    duplicate = exo.fails("New-AuthenticationPolicy", {"Name": "block basic auth"})
    assert duplicate[0].endswith("ADObjectAlreadyExistsException")
    assert "maximum length is 64" in exo.fails("New-AuthenticationPolicy", {"Name": "x" * 65})[1]
    assert exo.fails("Set-AuthenticationPolicy", {"Identity": "Nope", "AllowBasicAuthSmtp": True})[0] == NOT_FOUND
    assert exo.fails("Set-User", {"Identity": SCANNER, "AuthenticationPolicy": "Nope"})[0] == NOT_FOUND
    assert exo.fails("Set-OrganizationConfig", {"DefaultAuthenticationPolicy": "Nope"})[0] == NOT_FOUND
    assert exo.fails("Set-AuthenticationPolicy", {"Identity": "Block Basic Auth", "Name": "renamed"})[0].endswith(
        "ParameterBindingException")  # a policy's name cannot change


def test_assignments_read_back_as_the_policy_dn_and_null_removes_them(exo: Any) -> None:
    [policy] = exo.ok("New-AuthenticationPolicy", {"Name": "Block Basic Auth"})
    exo.ok("Set-User", {"Identity": SCANNER, "AuthenticationPolicy": "Block Basic Auth"})
    exo.ok("Set-OrganizationConfig", {"DefaultAuthenticationPolicy": "Block Basic Auth"})
    [user] = exo.ok("Get-User", {"Identity": SCANNER})
    assert (user["UserPrincipalName"], user["AuthenticationPolicy"]) == (SCANNER, policy["DistinguishedName"])
    assert exo.ok("Get-OrganizationConfig")[0]["DefaultAuthenticationPolicy"] == policy["DistinguishedName"]
    exo.ok("Set-User", {"Identity": SCANNER, "AuthenticationPolicy": None})
    exo.ok("Set-OrganizationConfig", {"DefaultAuthenticationPolicy": "$null"})
    assert exo.ok("Get-User", {"Identity": SCANNER})[0]["AuthenticationPolicy"] is None
    assert exo.ok("Get-OrganizationConfig")[0]["DefaultAuthenticationPolicy"] is None
    exo.ok("Remove-AuthenticationPolicy", {"Identity": "Block Basic Auth"})
    assert exo.ok("Get-AuthenticationPolicy") == []
    assert exo.fails("Remove-AuthenticationPolicy", {"Identity": "Block Basic Auth"})[0] == NOT_FOUND


def basic_login(sandbox: Any, user: str, password: str) -> tuple[int, bytes]:
    """AUTH LOGIN on the submission endpoint after STARTTLS: the reply code and text."""
    with smtplib.SMTP(sandbox.smtp_host, sandbox.smtp_port, timeout=30) as client:
        client.starttls(context=ssl.create_default_context(cafile=str(sandbox.ca_file)))
        client.ehlo()
        try:
            code, text = client.login(user, password)
        except smtplib.SMTPAuthenticationError as refused:
            return refused.smtp_code, refused.smtp_error
        return code, text


@pytest.mark.parametrize("where", ["user", "default"])
def test_basic_smtp_auth_is_refused_by_the_users_policy_or_the_org_default(sandbox: Any, exo: Any,
                                                                          where: str) -> None:
    password = sandbox.secret_for(SCANNER)
    exo.ok("Set-CASMailbox", {"Identity": SCANNER, "SmtpClientAuthenticationDisabled": False})
    assert basic_login(sandbox, SCANNER, password)[0] == 235
    exo.ok("New-AuthenticationPolicy", {"Name": "Block Basic Auth"})
    if where == "user":
        exo.ok("Set-User", {"Identity": SCANNER, "AuthenticationPolicy": "Block Basic Auth"})
    else:
        exo.ok("Set-OrganizationConfig", {"DefaultAuthenticationPolicy": "Block Basic Auth"})
    signins = sandbox.store.count(st.SIGN_IN)
    assert basic_login(sandbox, SCANNER, password) == (535, BASIC_DISABLED + b" [SANDBOX01.prod.outlook.com]")
    assert basic_login(sandbox, SCANNER, "wrong password")[1].startswith(BASIC_DISABLED)  # before the password
    assert sandbox.store.count(st.SIGN_IN) == signins  # blocked before Entra: no sign-in logged
    exo.ok("Set-AuthenticationPolicy", {"Identity": "Block Basic Auth", "AllowBasicAuthSmtp": True})
    assert basic_login(sandbox, SCANNER, password)[0] == 235


def test_a_users_own_policy_wins_over_the_org_default(sandbox: Any, exo: Any) -> None:
    exo.ok("Set-CASMailbox", {"Identity": SCANNER, "SmtpClientAuthenticationDisabled": False})
    exo.ok("New-AuthenticationPolicy", {"Name": "Block Basic Auth"})
    exo.ok("New-AuthenticationPolicy", {"Name": "Relay devices", "AllowBasicAuthSmtp": True})
    exo.ok("Set-OrganizationConfig", {"DefaultAuthenticationPolicy": "Block Basic Auth"})
    exo.ok("Set-User", {"Identity": SCANNER, "AuthenticationPolicy": "Relay devices"})
    assert basic_login(sandbox, SCANNER, sandbox.secret_for(SCANNER))[0] == 235
    exo.ok("Remove-AuthenticationPolicy", {"Identity": "Relay devices"})  # the default applies again
    assert basic_login(sandbox, SCANNER, sandbox.secret_for(SCANNER))[1].startswith(BASIC_DISABLED)
