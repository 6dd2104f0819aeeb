"""The SMTP AUTH switches and reject-direct-send through the real provider host against the sandbox."""

from __future__ import annotations

from dynamic_host import DynamicHost
from provider_support import Driven, Tenant

from components.providers.mailbox_smtp_auth import MailboxSmtpAuthProvider
from components.providers.org_smtp_auth import OrgSmtpAuthProvider
from components.providers.reject_direct_send import RejectDirectSendProvider

DYN = "pulumi-python:dynamic/exchange:"


def cas(tenant: Tenant, mailbox: str = "scanner3@contoso.com") -> object:
    return tenant.exchange("Get-CASMailbox", {"Identity": mailbox})[0]["SmtpClientAuthenticationDisabled"]


def test_mailbox_smtp_auth_lifecycle(host: DynamicHost, tenant: Tenant) -> None:
    assert cas(tenant) is None  # follows the organisation
    res = Driven(host, MailboxSmtpAuthProvider(), DYN + "MailboxSmtpAuth", "scanner")
    res.create({"mailbox": "scanner3@contoso.com", "enabled": True})
    assert res.id == "scanner3@contoso.com" and cas(tenant) is False
    assert res.diff({"mailbox": "SCANNER3@contoso.com", "enabled": True}).changes == "DIFF_NONE"
    d = res.diff({"mailbox": "scanner3@contoso.com", "enabled": False})
    assert (d.changes, d.replaces) == ("DIFF_SOME", [])
    assert res.update({"mailbox": "scanner3@contoso.com", "enabled": False})["enabled"] is False
    assert cas(tenant) is True
    assert res.diff({"mailbox": "erp@contoso.com", "enabled": False}).replaces == ["mailbox"]

    tenant.exchange("Set-CASMailbox", {"Identity": "scanner3@contoso.com", "SmtpClientAuthenticationDisabled": False})
    assert res.read()[1]["enabled"] is True  # refresh sees the drift

    res.delete()
    assert cas(tenant) is None  # back to "no exception for this mailbox"
    res.delete()


def test_mailbox_smtp_auth_on_a_missing_mailbox_fails_clearly(host: DynamicHost) -> None:
    import grpc
    import pytest

    res = Driven(host, MailboxSmtpAuthProvider(), DYN + "MailboxSmtpAuth", "ghost")
    with pytest.raises(grpc.RpcError) as err:
        res.create({"mailbox": "ghost@contoso.com", "enabled": True})
    assert "mailbox SMTP AUTH setting 'ghost@contoso.com' does not exist in the tenant" in err.value.details()
    res.id, res.outputs = "ghost@contoso.com", {"mailbox": "ghost@contoso.com", "enabled": True, "__provider": res.blob}
    res.delete()  # a mailbox that is gone needs nothing released


def test_mailbox_smtp_auth_create_after_interrupted_create(host: DynamicHost, tenant: Tenant) -> None:
    tenant.exchange("Set-CASMailbox", {"Identity": "scanner3@contoso.com", "SmtpClientAuthenticationDisabled": False})
    res = Driven(host, MailboxSmtpAuthProvider(), DYN + "MailboxSmtpAuth", "scanner")
    assert res.create({"mailbox": "scanner3@contoso.com", "enabled": True})["enabled"] is True
    assert cas(tenant) is False


def test_org_smtp_auth(host: DynamicHost, tenant: Tenant) -> None:
    def disabled() -> bool:
        return tenant.exchange("Get-TransportConfig")[0]["SmtpClientAuthenticationDisabled"]

    assert disabled() is True
    res = Driven(host, OrgSmtpAuthProvider(), DYN + "OrgSmtpAuth", "org")
    res.create({"enabled": False})  # already so: adopted, nothing changes
    assert res.id == "TransportConfig" and disabled() is True
    d = res.diff({"enabled": True})
    assert (d.changes, d.replaces) == ("DIFF_SOME", [])
    res.update({"enabled": True})
    assert disabled() is False
    assert res.read() == ("TransportConfig", {**res.outputs})
    res.delete()
    assert disabled() is False  # released as left: removing the resource never flips the switch
    res.delete()


def test_reject_direct_send(host: DynamicHost, tenant: Tenant) -> None:
    def rejecting() -> bool:
        return tenant.exchange("Get-OrganizationConfig")[0]["RejectDirectSend"]

    assert rejecting() is False
    res = Driven(host, RejectDirectSendProvider(), DYN + "RejectDirectSend", "rds")
    assert res.create({"enabled": True})["enabled"] is True
    assert rejecting() is True
    assert res.diff({"enabled": True}).changes == "DIFF_NONE"
    tenant.exchange("Set-OrganizationConfig", {"RejectDirectSend": False})
    _, drifted = res.read()
    res.outputs = drifted
    assert res.diff({"enabled": True}).changes == "DIFF_SOME"
    res.update({"enabled": True})
    assert rejecting() is True
    _, failures = res.check({"enabled": "on"})
    assert failures == [("enabled", "enabled must be true or false, not 'on'")]
