"""Comparison rules that the seeds cannot express: inherited and SELF rows, Deny, unresolved trustees,
Exchange value forms (pure functions on hand-built snapshots shaped like the reference captures)."""

from __future__ import annotations

from o365relay import exchange_values as xv
from o365relay.audit.compare import compare
from o365relay.audit.snapshot import Read, Snapshot
from o365relay.kinds.switches import MAILBOX_SMTP_AUTH, SMTP_AUTH_DISABLED
from o365relay.spec.model import Connector, RelaySpec, SendAsGrant, ServiceAccount, Tenant

SPEC = RelaySpec(
    version=1,
    tenant=Tenant("7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a", "contoso.onmicrosoft.com"),
    service_accounts={"scanner": ServiceAccount("scanner", "mailbox", "scanner@contoso.com")},
    connectors={"relay": Connector("relay", sender_ips=("198.51.100.25",), sender_domains=("*", "Contoso.com"))},
    send_as=(SendAsGrant("scanner", "shared@contoso.com"),),
)
CAS = [{"Identity": "scanner", "PrimarySmtpAddress": "scanner@contoso.com", "SmtpClientAuthenticationDisabled": False},
       {"Identity": "shared", "PrimarySmtpAddress": "shared@contoso.com", "SmtpClientAuthenticationDisabled": None}]


def snapshot(send_as_rows: list[dict], cas: Read | None = None) -> Snapshot:
    live_connector = {"Name": "Relay", "ConnectorType": "OnPremises", "SenderIPAddresses": ["198.51.100.25/32"],
                      "SenderDomains": ["smtp:contoso.com;1", "smtp:*;1"], "RequireTls": True, "Enabled": True,
                      "Comment": None, "TlsSenderCertificateName": None}
    return Snapshot(
        connectors=Read("Get-InboundConnector", [live_connector]),
        transport_config=Read("Get-TransportConfig", {"SmtpClientAuthenticationDisabled": True}),
        organization_config=Read("Get-OrganizationConfig", {"RejectDirectSend": True}),
        exchange_service_principals=Read("Get-ServicePrincipal", []),
        dkim_configs=Read("Get-DkimSigningConfig", []),
        cas_mailboxes=cas or Read("Get-CASMailbox", CAS),
        domains=Read("GET /domains", []),
        send_as_app_holders=Read("holders", []),
        send_as_grants=Read("Get-RecipientPermission", send_as_rows),
        users={m: Read(f"GET /users/{m}", {"id": m}) for m in ("shared@contoso.com", "scanner@contoso.com")},
    )


def row(trustee: str, **extra: object) -> dict:
    return {"Identity": "shared", "Trustee": trustee, "AccessRights": ["SendAs"], "IsInherited": False,
            "AccessControlType": "Allow", **extra}


def by_kind(items, kind):
    return {(i.name, i.status) for i in items if i.kind == kind}


def test_exchange_value_forms_compare_equal():
    items = compare(SPEC, snapshot([row("scanner")]))
    assert by_kind(items, "connector") == {("relay", "in_sync")}
    assert xv.sender_domains(["smtp:*.Contoso.com;1", "*.contoso.com"]) == ["*.contoso.com"]
    assert xv.ip_ranges(["203.0.113.7/32", "203.0.113.0/28", "203.0.113.9/28"]) == ["203.0.113.0/28", "203.0.113.7"]
    assert [MAILBOX_SMTP_AUTH.state({SMTP_AUTH_DISABLED: v}) for v in (None, "False", True)] == [
        "inherit", "enabled", "disabled"]


def test_trustee_matched_by_alias_inherited_and_self_rows_ignored():
    rows = [row("scanner"), row("NT AUTHORITY\\SELF"), row("someone@contoso.com", IsInherited=True),
            row("blocked@contoso.com", AccessControlType="Deny")]
    items = compare(SPEC, snapshot(rows))
    assert by_kind(items, "send_as") == {("scanner on shared@contoso.com", "in_sync")}


def test_undeclared_grant_on_a_declared_mailbox_is_unexpected():
    items = compare(SPEC, snapshot([row("scanner@contoso.com"), row("bob@contoso.com")]))
    assert by_kind(items, "send_as") == {("scanner on shared@contoso.com", "in_sync"),
                                         ("bob@contoso.com on shared@contoso.com", "unexpected")}


def test_unresolvable_trustee_makes_other_grants_unknown_not_unexpected():
    failed = Read("Get-CASMailbox", error="Throttled: still 429 after 6 attempts")
    items = compare(SPEC, snapshot([row("scanner"), row("bob@contoso.com")], cas=failed))
    send_as = [i for i in items if i.kind == "send_as"]
    assert {i.status for i in send_as} == {"unknown"}
    assert all("Get-CASMailbox: Throttled" in i.reason for i in send_as)
    assert {i.status for i in items if i.kind == "mailbox_smtp_auth"} == {"unknown"}


def test_a_failed_send_as_list_makes_every_send_as_item_unknown_never_missing():
    snap = snapshot([])
    snap.send_as_grants = Read("Get-RecipientPermission (every Send As grant)", error="503 Service Unavailable")
    send_as = [i for i in compare(SPEC, snap) if i.kind == "send_as"]
    assert [(i.name, i.status) for i in send_as] == [("scanner on shared@contoso.com", "unknown"),
                                                     ("declared senders' Send As on undeclared mailboxes", "unknown")]
    assert {i.reason for i in send_as} == {"Get-RecipientPermission (every Send As grant): 503 Service Unavailable"}


def test_rows_are_credited_only_to_the_mailbox_they_name():
    """The list holds every mailbox's grants: scanner's grant on another mailbox is not the one declared
    (it is reported as Send As on that mailbox)."""
    items = compare(SPEC, snapshot([{**row("scanner"), "Identity": "elsewhere"}]))
    assert by_kind(items, "send_as") == {("scanner on shared@contoso.com", "missing"),
                                         ("scanner on elsewhere", "unexpected")}
