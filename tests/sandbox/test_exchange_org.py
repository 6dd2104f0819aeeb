"""SMTP AUTH switches, RejectDirectSend, mailboxes, accepted domains and DKIM."""

from __future__ import annotations

import httpx

NOT_FOUND = "Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException"


def test_cas_mailbox_smtp_auth_is_tri_state(exo) -> None:
    assert (
        exo.ok("Get-CASMailbox", {"Identity": "scanner3@contoso.com"})[0]["SmtpClientAuthenticationDisabled"]
        is None
    )
    for value in (False, True, None):
        exo.ok(
            "Set-CASMailbox", {"Identity": "scanner3@contoso.com", "SmtpClientAuthenticationDisabled": value}
        )
        row = exo.ok("Get-CASMailbox", {"Identity": "scanner3"})[0]
        assert row["SmtpClientAuthenticationDisabled"] is value
    assert exo.fails("Get-CASMailbox", {"Identity": "ghost@contoso.com"})[0] == NOT_FOUND
    assert (
        exo.fails(
            "Set-CASMailbox", {"Identity": "ghost@contoso.com", "SmtpClientAuthenticationDisabled": False}
        )[0]
        == NOT_FOUND
    )


def test_transport_and_organization_config(exo) -> None:
    assert exo.ok("Get-TransportConfig")[0]["SmtpClientAuthenticationDisabled"] is True
    exo.ok("Set-TransportConfig", {"SmtpClientAuthenticationDisabled": False})
    assert exo.ok("Get-TransportConfig")[0]["SmtpClientAuthenticationDisabled"] is False
    assert exo.ok("Get-OrganizationConfig")[0]["RejectDirectSend"] is False
    exo.ok("Set-OrganizationConfig", {"RejectDirectSend": "$true"})
    assert exo.ok("Get-OrganizationConfig")[0]["RejectDirectSend"] is True
    exc, _ = exo.fails("Set-OrganizationConfig", {"RejectDirectSend": "maybe"})
    assert exc.endswith("ParameterBindingException")


def test_mailboxes_and_accepted_domains(exo) -> None:
    mailbox = exo.ok("Get-Mailbox", {"Identity": "erp@contoso.com"})[0]
    assert (
        mailbox["PrimarySmtpAddress"] == "erp@contoso.com"
        and mailbox["RecipientTypeDetails"] == "UserMailbox"
    )
    assert len(exo.ok("Get-Mailbox")) == 8
    assert exo.fails("Get-Mailbox", {"Identity": "ghost"})[0] == NOT_FOUND
    assert exo.ok("Get-AcceptedDomain", {"Identity": "contoso.com"})[0]["Default"] is True


def _publish(exo, domain: str, config: dict) -> None:
    records = [
        {"name": f"selector{n}._domainkey.{domain}", "type": "CNAME", "value": config[f"Selector{n}CNAME"]}
        for n in (1, 2)
    ]
    response = exo.http.post(f"{exo.sandbox.base_url}/_sandbox/dns", json={"records": records})
    assert response.status_code == 200


def test_dkim_cannot_be_enabled_before_both_cnames_are_published(exo) -> None:
    config = exo.ok("Get-DkimSigningConfig", {"Identity": "contoso.com"})[0]
    assert config["Enabled"] is False and config["Selector1CNAME"].startswith(
        "selector1-contoso-com._domainkey."
    )
    assert "KeySize" not in config and config["Selector1KeySize"] == 2048
    exc, text = exo.fails("Set-DkimSigningConfig", {"Identity": "contoso.com", "Enabled": True})
    assert exc == "Microsoft.Exchange.ManagementTasks.ValidationException"
    assert (
        text.startswith("CNAME record does not exist for this config.") and config["Selector2CNAME"] in text
    )
    exo.http.post(
        f"{exo.sandbox.base_url}/_sandbox/dns",
        json={"records": [{"name": "selector1._domainkey.contoso.com", "value": config["Selector1CNAME"]}]},
    )
    exo.fails("Set-DkimSigningConfig", {"Identity": "contoso.com", "Enabled": True})  # one is not enough
    _publish(exo, "contoso.com", config)
    exo.ok("Set-DkimSigningConfig", {"Identity": "contoso.com", "Enabled": True})
    enabled = exo.ok("Get-DkimSigningConfig", {"Identity": "contoso.com"})[0]
    assert enabled["Enabled"] is True and enabled["Status"] == "Valid"


def test_dkim_new_duplicate_and_rotate(exo) -> None:
    exc, text = exo.fails("New-DkimSigningConfig", {"DomainName": "contoso.com", "Enabled": False})
    assert "already exists" in text
    assert (
        exo.fails("New-DkimSigningConfig", {"DomainName": "fabrikam.com", "Enabled": False})[0] == NOT_FOUND
    )
    config = exo.ok("Get-DkimSigningConfig", {"Identity": "notify.contoso.com"})[0]
    _publish(exo, "notify.contoso.com", config)
    exo.ok("Set-DkimSigningConfig", {"Identity": "notify.contoso.com", "Enabled": True})
    exo.ok("Rotate-DkimSigningConfig", {"Identity": "notify.contoso.com", "KeySize": 1024})
    rotated = exo.ok("Get-DkimSigningConfig", {"Identity": "notify.contoso.com"})[0]
    assert sorted([rotated["Selector1KeySize"], rotated["Selector2KeySize"]]) == [
        1024,
        2048,
    ]  # inactive one only
    assert rotated["SelectorAfterRotateOnDate"] != config["SelectorAfterRotateOnDate"]
    exo.fails("Rotate-DkimSigningConfig", {"Identity": "notify.contoso.com", "KeySize": 4096})


def test_dns_view_admin_routes(exo) -> None:
    base = exo.sandbox.base_url
    exo.http.post(
        f"{base}/_sandbox/dns", json={"records": [{"name": "X._domainkey.Contoso.com.", "value": "T."}]}
    )
    assert {"name": "x._domainkey.contoso.com", "type": "CNAME", "value": "t"} in exo.http.get(
        f"{base}/_sandbox/dns"
    ).json()["records"]
    assert exo.http.delete(f"{base}/_sandbox/dns/x._domainkey.contoso.com").status_code == 204
    bad = exo.http.post(
        f"{base}/_sandbox/dns", json={"records": [{"name": "x", "type": "A", "value": "192.0.2.1"}]}
    )
    assert isinstance(bad, httpx.Response) and bad.status_code == 400
    assert "holds CNAME, TXT, MX records" in bad.json()["error"]
