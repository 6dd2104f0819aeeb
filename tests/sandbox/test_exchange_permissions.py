"""Send As, Full Access and Exchange service principal cmdlets."""

from __future__ import annotations

from o365relay.sandbox import store as st

NOT_FOUND = "Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException"
SELF_SEND_AS = {"Identity": "invoices", "Trustee": "NT AUTHORITY\\SELF", "AccessControlType": "Allow",
                "AccessRights": ["SendAs"], "IsInherited": False, "InheritanceType": "None"}


def _deployer_sp(exo) -> dict:
    return exo.sandbox.store.find(st.SERVICE_PRINCIPAL, appId=exo.sandbox.deployer_client_id)


def _register(exo) -> dict:
    sp = _deployer_sp(exo)
    return exo.ok(
        "New-ServicePrincipal", {"AppId": sp["appId"], "ObjectId": sp["id"], "DisplayName": "relay app"}
    )[0]


def test_new_service_principal_needs_the_enterprise_app_object_id(exo) -> None:
    app = exo.sandbox.store.find(st.APPLICATION, appId=exo.sandbox.deployer_client_id)
    exc, text = exo.fails("New-ServicePrincipal", {"AppId": app["appId"], "ObjectId": app["id"]})
    assert "app registration" in text and "enterprise application" in text
    exo.fails("New-ServicePrincipal", {"AppId": app["appId"], "ObjectId": st.new_id()})
    created = _register(exo)
    assert created["ObjectId"] == _deployer_sp(exo)["id"] and created["AppId"] == app["appId"]
    exc, text = exo.fails("New-ServicePrincipal", {"AppId": app["appId"], "ObjectId": created["ObjectId"]})
    assert "already exists" in text


def test_get_service_principal_by_unknown_identity_returns_all(exo) -> None:
    created = _register(exo)
    assert exo.ok("Get-ServicePrincipal", {"Identity": created["AppId"]}) == [created]
    assert exo.ok("Get-ServicePrincipal", {"Identity": "nobody"}) == [created]
    exo.ok("Set-ServicePrincipal", {"Identity": created["Identity"], "DisplayName": "renamed"})
    assert exo.ok("Get-ServicePrincipal")[0]["DisplayName"] == "renamed"
    exo.ok("Remove-ServicePrincipal", {"Identity": created["Identity"]})
    assert exo.ok("Get-ServicePrincipal") == []
    assert exo.fails("Remove-ServicePrincipal", {"Identity": created["Identity"]})[0] == NOT_FOUND


def test_send_as_grant_lifecycle(exo) -> None:
    sp = _register(exo)
    grant = {"Identity": "invoices@contoso.com", "Trustee": sp["Identity"], "AccessRights": "SendAs"}
    row = exo.ok("Add-RecipientPermission", {**grant, "Confirm": False})[0]
    assert row == {
        "Identity": "invoices",
        "Trustee": sp["Identity"],
        "AccessControlType": "Allow",
        "AccessRights": ["SendAs"],
        "IsInherited": False,
        "InheritanceType": "None",
    }
    assert exo.ok("Get-RecipientPermission", {"Identity": "invoices@contoso.com"}) == [SELF_SEND_AS, row]
    assert exo.ok("Get-RecipientPermission", {"Trustee": sp["AppId"]}) == [row]
    again = exo.invoke("Add-RecipientPermission", grant).json()
    assert again["value"] == [] and "already present" in again["@adminapi.warnings"][0]
    exo.ok("Remove-RecipientPermission", grant)
    assert exo.ok("Get-RecipientPermission", {"Identity": "invoices@contoso.com"}) == [SELF_SEND_AS]


def test_send_as_without_identity_lists_every_grant_in_the_tenant(exo) -> None:
    """One call answers for every mailbox: each grant naming its mailbox by alias, and each mailbox's own SELF
    entry (the hidden rows a tenant-wide inventory shows), whatever mailbox was granted last."""
    sp = _register(exo)
    for mailbox in ("invoices@contoso.com", "purchasing@contoso.com"):
        exo.ok("Add-RecipientPermission", {"Identity": mailbox, "Trustee": sp["Identity"], "AccessRights": "SendAs"})
    rows = exo.ok("Get-RecipientPermission", {"AccessRights": "SendAs", "ResultSize": "Unlimited"})
    granted = sorted(r["Identity"] for r in rows if r["Trustee"] == sp["Identity"])
    assert granted == ["invoices", "purchasing"]
    mailboxes = exo.ok("Get-CASMailbox", {"ResultSize": "Unlimited"})
    assert sorted(r["Identity"] for r in rows if r["Trustee"] == "NT AUTHORITY\\SELF") == sorted(
        m["Identity"] for m in mailboxes)
    assert len(rows) == len(mailboxes) + 2
    exc, _ = exo.fails("Get-RecipientPermission", {"AccessRights": "FullAccess"})
    assert exc.endswith("ParameterBindingException")


def test_send_as_only_and_unknown_objects(exo) -> None:
    exc, _ = exo.fails(
        "Add-RecipientPermission",
        {"Identity": "invoices@contoso.com", "Trustee": "erp@contoso.com", "AccessRights": "FullAccess"},
    )
    assert exc.endswith("ParameterBindingException")
    assert (
        exo.fails(
            "Add-RecipientPermission",
            {"Identity": "nobody@contoso.com", "Trustee": "erp@contoso.com", "AccessRights": "SendAs"},
        )[0]
        == NOT_FOUND
    )
    assert exo.fails("Get-RecipientPermission", {"Identity": "nobody@contoso.com"})[0] == NOT_FOUND


def test_full_access_for_a_service_principal(exo) -> None:
    sp = _register(exo)
    exo.ok(
        "Add-MailboxPermission",
        {
            "Identity": "alerts@notify.contoso.com",
            "User": sp["Identity"],
            "AccessRights": ["FullAccess"],
            "AutoMapping": False,
        },
    )
    rows = exo.ok("Get-MailboxPermission", {"Identity": "alerts@notify.contoso.com"})
    assert [r["User"] for r in rows] == ["NT AUTHORITY\\SELF", sp["Identity"]]
    assert rows[1]["AccessRights"] == ["FullAccess"] and rows[1]["Deny"] is False
    exo.ok(
        "Remove-MailboxPermission",
        {"Identity": "alerts@notify.contoso.com", "User": sp["Identity"], "AccessRights": ["FullAccess"]},
    )
    assert [r["User"] for r in exo.ok("Get-MailboxPermission", {"Identity": "alerts"})] == [
        "NT AUTHORITY\\SELF"
    ]
