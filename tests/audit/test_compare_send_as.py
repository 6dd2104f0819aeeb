"""Send As items from hand-built Get-RecipientPermission and Get-CASMailbox rows: which rows count as the
declared grant, how an undeclared trustee is named, unknown when a trustee could not be resolved, and how
the one tenant-wide list is cut per mailbox."""

from __future__ import annotations

from audit_helpers import snapshot

from o365relay.audit.compare_send_as import compare_send_as, declared_mailboxes, display_trustee
from o365relay.audit.identities import resolve
from o365relay.audit.model import Item
from o365relay.audit.send_as_list import send_as_by_mailbox
from o365relay.audit.snapshot import Read, Snapshot
from o365relay.spec.model import RelaySpec, SendAsGrant, ServiceAccount, Tenant

TENANT = Tenant("7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a", "contoso.onmicrosoft.com")
SCANNER = ServiceAccount("scanner", "mailbox", "scanner@contoso.com")
ERP = ServiceAccount("erp", "application", "erp@contoso.com")
SPEC = RelaySpec(version=1, tenant=TENANT, service_accounts={"scanner": SCANNER, "erp": ERP},
                 send_as=(SendAsGrant("scanner", "Shared@Contoso.com"), SendAsGrant("erp", "shared@contoso.com")))
CAS = [{"Identity": "scanner", "PrimarySmtpAddress": "scanner@contoso.com"},
       {"Identity": "shared", "Alias": "shared", "PrimarySmtpAddress": "shared@contoso.com"},
       {"Identity": "erp", "PrimarySmtpAddress": "erp@contoso.com"},
       {"Identity": "bob", "Name": "Bob", "PrimarySmtpAddress": "bob@contoso.com"},
       {"Identity": "nobody", "PrimarySmtpAddress": None}]
ERP_ID = "0b7f9c2e-1d3a-4e5f-8a9b-0c1d2e3f4a5b"
HOLDERS = [{"principalId": ERP_ID, "principalDisplayName": "o365-relay erp"}]
PRINCIPALS = [{"Identity": "erp-sp", "ObjectId": ERP_ID, "AppId": "a1", "DisplayName": "o365-relay erp"},
              {"Identity": "helpdesk-sp", "ObjectId": "h1", "AppId": "a2", "DisplayName": None}]
EVIDENCE = ("Identity", "Trustee", "AccessRights", "AccessControlType", "IsInherited")


def grant(mailbox: str, trustee: str, **extra: object) -> dict:
    return {"Identity": mailbox, "Trustee": trustee, "AccessRights": ["SendAs"], "AccessControlType": "Allow",
            "IsInherited": False, "WhenChanged": "2026-11-02", **extra}


def tenant(*grants: dict, **reads: Read) -> Snapshot:
    return snapshot(**{"cas_mailboxes": Read("Get-CASMailbox", CAS), "send_as_app_holders": Read("holders", HOLDERS),
                       "exchange_service_principals": Read("Get-ServicePrincipal", PRINCIPALS),
                       "send_as_grants": Read("Get-RecipientPermission", list(grants)), **reads})


def send_as(snap: Snapshot, spec: RelaySpec = SPEC) -> list[Item]:
    identities = {name: resolve(account, snap) for name, account in spec.service_accounts.items()}
    return compare_send_as(spec, identities, snap)


def shown(row: dict) -> dict:
    return {k: row[k] for k in EVIDENCE}


def test_declared_mailboxes_are_the_grant_targets_and_the_senders_own_in_lower_case():
    assert declared_mailboxes(SPEC) == ["erp@contoso.com", "scanner@contoso.com", "shared@contoso.com"]


def test_declared_grants_are_matched_by_any_name_of_mailbox_and_trustee():
    rows = [grant("shared", "scanner@contoso.com"), grant("shared@contoso.com", "erp-sp")]
    assert send_as(tenant(*rows)) == [
        Item("send_as", "scanner on Shared@Contoso.com", "in_sync", evidence=shown(rows[0]),
             spec_path="spec.sendAs[0]"),
        Item("send_as", "erp on shared@contoso.com", "in_sync", evidence=shown(rows[1]), spec_path="spec.sendAs[1]"),
    ]


def test_a_denied_or_inherited_row_is_not_the_declared_grant():
    rows = [grant("shared", "scanner", AccessControlType="Deny"), grant("shared", ERP_ID, IsInherited=True),
            grant("shared", "scanner", AccessRights=["ReadPermission"])]
    assert send_as(tenant(*rows)) == [
        Item("send_as", "scanner on Shared@Contoso.com", "missing", spec_path="spec.sendAs[0]"),
        Item("send_as", "erp on shared@contoso.com", "missing", spec_path="spec.sendAs[1]")]


def test_undeclared_grants_on_declared_mailboxes_are_unexpected_named_as_people_know_the_trustee():
    rows = [grant("shared", "scanner"), grant("shared", "erp-sp"), grant("shared", "bob"), grant("erp", "Bob"),
            grant("scanner", "h1"), grant("scanner", "nobody"), grant("scanner", "stranger@fabrikam.com"),
            grant("elsewhere", "bob")]
    reason = "a Send As grant the spec does not declare"
    assert send_as(tenant(*rows))[2:] == [
        Item("send_as", "bob@contoso.com on erp@contoso.com", "unexpected", reason=reason, evidence=shown(rows[3])),
        # a principal with no display name, a mailbox with no address, a trustee the tenant does not list
        Item("send_as", "h1 on scanner@contoso.com", "unexpected", reason=reason, evidence=shown(rows[4])),
        Item("send_as", "nobody on scanner@contoso.com", "unexpected", reason=reason, evidence=shown(rows[5])),
        Item("send_as", "stranger@fabrikam.com on scanner@contoso.com", "unexpected", reason=reason,
             evidence=shown(rows[6])),
        Item("send_as", "bob@contoso.com on shared@contoso.com", "unexpected", reason=reason, evidence=shown(rows[2]))]


def test_the_trustee_is_shown_by_its_service_principals_display_name_first():
    snap = tenant()
    assert display_trustee("ERP-SP", snap) == "o365-relay erp"
    assert display_trustee("Bob", snap) == "bob@contoso.com"
    assert display_trustee("someone", snap) == "someone"
    assert display_trustee("bob", snapshot(cas_mailboxes=Read("Get-CASMailbox", None))) == "bob"


def test_an_unresolved_trustee_makes_its_grant_and_the_other_rows_on_that_mailbox_unknown():
    """The app's holders could not be read, so erp's grant may be any row on shared@: none is unexpected there;
    a mailbox with no grant of erp's still reports its strangers."""
    failed = Read("GET /servicePrincipals/SMTP.SendAsApp/appRoleAssignedTo", error="429 Throttled")
    rows = [grant("shared", "scanner"), grant("shared", "bob"), grant("scanner", "bob")]
    items = send_as(tenant(*rows, send_as_app_holders=failed))
    why = "GET /servicePrincipals/SMTP.SendAsApp/appRoleAssignedTo: 429 Throttled"
    stranger = "a Send As grant the spec does not declare"
    assert [(i.kind, i.name, i.status, i.reason) for i in items] == [
        ("send_as", "scanner on Shared@Contoso.com", "in_sync", ""),
        ("send_as", "erp on shared@contoso.com", "unknown", why),
        ("send_as", "bob@contoso.com on scanner@contoso.com", "unexpected", stranger),
        ("send_as", "bob@contoso.com on shared@contoso.com", "unknown", why),
    ]
    assert items[1].spec_path == "spec.sendAs[1]" and items[3].spec_path == ""


def test_a_failed_list_makes_the_declared_grants_unknown_and_reports_no_stranger():
    failed = Read("Get-RecipientPermission (every Send As grant)", error="503 Service Unavailable")
    assert send_as(tenant(send_as_grants=failed)) == [
        Item("send_as", "scanner on Shared@Contoso.com", "unknown", spec_path="spec.sendAs[0]",
             reason="Get-RecipientPermission (every Send As grant): 503 Service Unavailable"),
        Item("send_as", "erp on shared@contoso.com", "unknown", spec_path="spec.sendAs[1]",
             reason="Get-RecipientPermission (every Send As grant): 503 Service Unavailable")]


def test_each_mailbox_gets_the_rows_naming_it_by_any_of_its_names_in_list_order():
    rows = [grant("shared@contoso.com", "a"), grant("bob", "b"), grant("Shared", "c"), grant("nobody", "d")]
    reads = send_as_by_mailbox(tenant(*rows), ["Shared@contoso.com", "shared@contoso.com", "ghost@contoso.com"])
    assert list(reads) == ["ghost@contoso.com", "shared@contoso.com"]
    assert reads["shared@contoso.com"].value == [rows[0], rows[2]] and reads["shared@contoso.com"].ok
    assert reads["ghost@contoso.com"].value == []  # no such mailbox: no rows, not a failed read


def test_a_recipient_get_casmailbox_does_not_list_gets_the_rows_naming_its_address():
    """A Send As target that is no mailbox (a group) is known only by the address the spec gives."""
    rows = [grant("sales@contoso.com", "scanner"), grant("sales", "bob")]
    assert send_as_by_mailbox(tenant(*rows), ["Sales@contoso.com"])["sales@contoso.com"].value == [rows[0]]


def test_either_failed_list_stands_as_every_mailboxs_read():
    grants = Read("Get-RecipientPermission", error="503")
    cas = Read("Get-CASMailbox", error="throttled")
    assert send_as_by_mailbox(tenant(send_as_grants=grants), ["b@contoso.com", "a@contoso.com"]) == {
        "a@contoso.com": grants, "b@contoso.com": grants}
    assert send_as_by_mailbox(tenant(cas_mailboxes=cas), ["a@contoso.com"]) == {"a@contoso.com": cas}
    assert send_as_by_mailbox(tenant(cas_mailboxes=cas, send_as_grants=grants), ["a@contoso.com"]) == {
        "a@contoso.com": grants}
    none = send_as_by_mailbox(tenant(send_as_grants=Read("Get-RecipientPermission", None),
                                     cas_mailboxes=Read("Get-CASMailbox", None)), ["a@contoso.com"])
    assert none["a@contoso.com"].value == []
