"""Who else can act as a declared sender, from hand-built Get-MailboxPermission, Get-ServicePrincipal and
Get-RecipientPermission rows: each unexpected item's name, rights as the tenant writes them, reason and
evidence; what is not a finding (the sender's own FullAccess, SELF, inherited and denied rows); and what a
failed read leaves unsaid."""

from __future__ import annotations

from dataclasses import replace

from audit_helpers import snapshot

from o365relay.audit.compare_sender_access import compare_sender_access
from o365relay.audit.identities import Identity, resolve
from o365relay.audit.model import Item
from o365relay.audit.snapshot import Read, Snapshot
from o365relay.spec.model import ServiceAccount

ERP_ID = "0B7F9C2E-1D3A-4E5F-8A9B-0C1D2E3F4A5B"
ACCOUNTS = {"erp": ServiceAccount("erp", "application", "ERP@contoso.com"),
            "scanner": ServiceAccount("scanner", "mailbox", "scanner@contoso.com")}
CAS = [{"Identity": "erp", "PrimarySmtpAddress": "erp@contoso.com"},
       {"Identity": "scanner", "PrimarySmtpAddress": "scanner@contoso.com"},
       {"Identity": "shared", "PrimarySmtpAddress": "shared@contoso.com"},
       {"Identity": "bob", "PrimarySmtpAddress": "bob@contoso.com"},
       {"Identity": "ceo", "PrimarySmtpAddress": "ceo@contoso.com"}]
ERP_SP = {"Identity": "erp-sp", "ObjectId": ERP_ID.lower(), "AppId": "a1", "DisplayName": "o365-relay erp",
          "WhenCreatedUTC": "2026-01-01T00:00:00Z"}
HELPDESK_SP = {"Identity": "helpdesk-sp", "ObjectId": "9C1D", "AppId": "a2", "DisplayName": "helpdesk-tool",
               "WhenCreatedUTC": "2026-10-01T00:00:00Z", "Guid": "g"}
NAMELESS_SP = {"Identity": "x", "ObjectId": "7E2A", "AppId": "a3", "DisplayName": None}
REASON_ON_SENDER = "on a sender's mailbox that the spec does not declare: whoever holds it can act as the sender"


def permission(mailbox: str, user: str, rights: object = ("FullAccess",), **extra: object) -> dict:
    return {"Identity": mailbox, "User": user, "AccessRights": list(rights) if isinstance(rights, tuple) else rights,
            "IsInherited": False, "Deny": False, "WhenChangedUTC": "2026-11-20T08:00:00Z", "RowId": 1, **extra}


def grant(mailbox: str, trustee: str, **extra: object) -> dict:
    return {"Identity": mailbox, "Trustee": trustee, "AccessRights": ["SendAs"], "AccessControlType": "Allow",
            "IsInherited": False, "WhenCreated": "2026-11-01", "RowId": 2, **extra}


def tenant(permissions: dict[str, Read] | None = None, grants: list[dict] | None = None, every_mailbox: bool = False,
           **reads: Read) -> Snapshot:
    base = {"cas_mailboxes": Read("Get-CASMailbox", CAS),
            "send_as_grants": Read("Get-RecipientPermission", grants or []),
            "exchange_service_principals": Read("Get-ServicePrincipal", [ERP_SP, HELPDESK_SP]),
            "send_as_app_holders": Read("holders", [{"principalId": ERP_ID, "principalDisplayName": "o365-relay erp"}])}
    return snapshot(**{**base, **reads}, mailbox_permissions=permissions or {}, every_mailbox=every_mailbox)


def identities(snap: Snapshot, accounts: dict[str, ServiceAccount] = ACCOUNTS) -> dict[str, Identity]:
    return {name: resolve(account, snap) for name, account in accounts.items()}


def access(snap: Snapshot, declared: tuple[str, ...] = ("erp@contoso.com", "scanner@contoso.com")) -> list[Item]:
    return compare_sender_access(identities(snap), snap, list(declared))


def kept(row: dict) -> dict:
    return {k: v for k, v in row.items() if k != "RowId"}


def test_permissions_on_a_senders_mailbox_beyond_its_own_full_access_are_unexpected():
    rows = [permission("erp", "erp-sp"), permission("erp", "erp-sp", "FullAccess, ChangePermission, DeleteItem"),
            permission("erp", "bob@contoso.com"), permission("erp", "NT AUTHORITY\\SELF", ["ReadPermission"]),
            permission("erp", "ceo", IsInherited=True), permission("erp", "ceo", Deny=True),
            permission("erp", "helpdesk-sp", ["ReadPermission", "ChangeOwner"])]
    snap = tenant({"erp@contoso.com": Read("Get-MailboxPermission erp@contoso.com", rows)})
    assert access(snap) == [
        Item("full_access", "o365-relay erp on erp@contoso.com", "unexpected",
             reason=f"ChangePermission, DeleteItem {REASON_ON_SENDER}", evidence=kept(rows[1])),
        Item("full_access", "bob@contoso.com on erp@contoso.com", "unexpected", reason=f"FullAccess {REASON_ON_SENDER}",
             evidence=kept(rows[2])),
        Item("full_access", "helpdesk-tool on erp@contoso.com", "unexpected",
             reason=f"ChangeOwner, ReadPermission {REASON_ON_SENDER}", evidence=kept(rows[6])),
        helpdesk_item(),
    ]


def test_a_mailbox_senders_own_name_is_no_declared_holder_of_full_access():
    """Only an application sender's principal holds FullAccess by declaration; on a mailbox sender's mailbox
    every explicit FullAccess is someone else's way in."""
    rows = [permission("scanner", "erp-sp")]
    snap = tenant({"scanner@contoso.com": Read("Get-MailboxPermission scanner@contoso.com", rows)},
                  exchange_service_principals=Read("Get-ServicePrincipal", [ERP_SP]))
    assert [(i.name, i.reason) for i in access(snap)] == [
        ("o365-relay erp on scanner@contoso.com", f"FullAccess {REASON_ON_SENDER}")]


def test_unread_or_failed_mailbox_permissions_say_nothing_of_others():
    scanner = Read("Get-MailboxPermission scanner@contoso.com", [permission("scanner", "bob")])
    other = Read("Get-MailboxPermission other@contoso.com", [permission("other", "bob")])  # no sender's mailbox
    for erp in ({"erp@contoso.com": Read("Get-MailboxPermission erp@contoso.com", error="429")}, {}):
        snap = tenant({**erp, "scanner@contoso.com": scanner, "other@contoso.com": other},
                      exchange_service_principals=Read("Get-ServicePrincipal", [ERP_SP]))
        assert [i.name for i in access(snap)] == ["bob@contoso.com on scanner@contoso.com"]


def helpdesk_item() -> Item:
    return Item("exchange_service_principal", "helpdesk-tool", "unexpected",
                reason="registered in Exchange (New-ServicePrincipal) but no declared service account's: it can be "
                       "given mailbox permissions (and, in a role group, admin rights) outside the spec",
                evidence={k: v for k, v in HELPDESK_SP.items() if k != "Guid"})


def erp_unowned() -> Item:
    """erp's registration when no sender is declared: then nobody owns it."""
    return replace(helpdesk_item(), name="o365-relay erp", evidence=ERP_SP)


def test_exchange_principals_no_sender_owns_are_unexpected_by_display_name_else_app_id():
    upper = {**ERP_SP, "ObjectId": ERP_ID}  # Exchange's letter case is not the holder's
    snap = tenant(exchange_service_principals=Read("Get-ServicePrincipal", [upper, HELPDESK_SP, NAMELESS_SP]))
    assert [(i.kind, i.name, i.status) for i in access(snap)] == [
        ("exchange_service_principal", "helpdesk-tool", "unexpected"),
        ("exchange_service_principal", "a3", "unexpected")]
    failed = tenant(exchange_service_principals=Read("Get-ServicePrincipal", error="403"))
    assert access(failed) == []
    assert access(tenant(exchange_service_principals=Read("Get-ServicePrincipal", None))) == []


def test_send_as_held_by_a_sender_on_an_undeclared_mailbox_is_unexpected():
    rows = [grant("ceo", "scanner@contoso.com"), grant("erp", "erp-sp"), grant("ERP@contoso.com", "scanner"),
            grant("gone", "o365-relay erp"), grant("shared", "bob"), grant("bob", "scanner", AccessControlType="Deny"),
            grant("bob", "erp-sp", AccessRights=["ReadPermission"]), grant("Sales@contoso.com", "scanner"),
            grant("nobody", "scanner")]
    cas = Read("Get-CASMailbox", [*CAS, {"Identity": "nobody", "PrimarySmtpAddress": None}])
    snap = tenant(grants=rows, exchange_service_principals=Read("Get-ServicePrincipal", [ERP_SP]), cas_mailboxes=cas)
    reason = "Send As for a declared sender on a mailbox the spec does not declare: the sender can send as that mailbox"
    # sales@ (a group Get-CASMailbox does not list) is declared by its address; nobody has no address to show
    assert access(snap, ("erp@contoso.com", "scanner@contoso.com", "sales@contoso.com")) == [
        Item("send_as", "scanner on ceo@contoso.com", "unexpected", reason=reason, evidence=kept(rows[0])),
        Item("send_as", "erp on gone", "unexpected", reason=reason, evidence=kept(rows[3])),
        Item("send_as", "scanner on nobody", "unexpected", reason=reason, evidence=kept(rows[8])),
    ]


def test_a_failed_send_as_or_mailbox_list_is_unknown_when_there_is_a_sender():
    for failed in ({"send_as_grants": Read("Get-RecipientPermission", error="503")},
                   {"cas_mailboxes": Read("Get-CASMailbox", error="503")}):
        snap = tenant(exchange_service_principals=Read("Get-ServicePrincipal", [ERP_SP]), **failed)
        [what] = failed.values()
        assert access(snap) == [Item("send_as", "declared senders' Send As on undeclared mailboxes", "unknown",
                                     reason=f"{what.what}: 503")]
        assert compare_sender_access({}, snap, []) == [erp_unowned()]
    nothing = tenant(exchange_service_principals=Read("Get-ServicePrincipal", [ERP_SP]),
                     send_as_grants=Read("Get-RecipientPermission", None), cas_mailboxes=Read("Get-CASMailbox", None))
    assert access(nothing) == []


def every(reads: dict[str, Read], **others: Read) -> Snapshot:
    return tenant(reads, every_mailbox=True, exchange_service_principals=Read("Get-ServicePrincipal", [ERP_SP]),
                  **others)


def test_with_every_mailbox_a_senders_rights_on_other_mailboxes_are_unexpected():
    own = Read("Get-MailboxPermission erp@contoso.com", [permission("erp", "erp-sp")])
    ceo = [permission("ceo", "bob"), permission("ceo", "scanner", IsInherited=True),
           permission("ceo", "erp-sp", "ReadPermission,FullAccess")]
    shared = [permission("shared", "Scanner@contoso.com", ["DeleteItem"])]
    snap = every({"erp@contoso.com": own, "shared@contoso.com": Read("p", shared), "ceo@contoso.com": Read("p", ceo)})
    why = ("for a declared sender on a mailbox that is not its own: with FullAccess its credential can send as that "
           "mailbox")
    assert access(snap) == [
        Item("full_access", "erp on ceo@contoso.com", "unexpected", reason=f"FullAccess, ReadPermission {why}",
             evidence=kept(ceo[2])),
        Item("full_access", "scanner on shared@contoso.com", "unexpected", reason=f"DeleteItem {why}",
             evidence=kept(shared[0])),
    ]
    assert access(tenant({"ceo@contoso.com": Read("p", ceo)}, exchange_service_principals=Read("s", [ERP_SP]))) == []
    assert compare_sender_access({}, snap, []) == [erp_unowned()]  # no sender: no rights of theirs elsewhere


def test_with_every_mailbox_a_senders_own_mailbox_is_its_own_under_any_of_its_names():
    """The spec names erp's mailbox by its UPN; --every-mailbox reads it again by its primary address: erp's
    FullAccess there is its own, not a right on someone else's mailbox."""
    accounts = {"erp": ServiceAccount("erp", "application", "erp@contoso.onmicrosoft.com")}
    cas = Read("Get-CASMailbox", [{**CAS[0], "UserPrincipalName": "erp@contoso.onmicrosoft.com"}, *CAS[1:]])
    own = [permission("erp", "erp-sp")]
    snap = every({"erp@contoso.onmicrosoft.com": Read("p", own), "erp@contoso.com": Read("p", own),
                  "ceo@contoso.com": Read("p", [permission("ceo", "erp-sp")])}, cas_mailboxes=cas)
    assert [(i.kind, i.name) for i in compare_sender_access(identities(snap, accounts), snap, [])] == [
        ("full_access", "erp on ceo@contoso.com")]


def test_with_every_mailbox_failed_reads_are_one_unknown_naming_three_and_counting_the_rest():
    reads = {f"m{n}@contoso.com": Read(f"Get-MailboxPermission m{n}@contoso.com", error="429") for n in range(5)}
    reads["erp@contoso.com"] = Read("Get-MailboxPermission erp@contoso.com", error="429")  # its own: said elsewhere
    _, unknown = access(every(reads, cas_mailboxes=Read("Get-CASMailbox", error="503")))  # after Send As's unknown
    assert unknown == Item("full_access", "declared senders' permissions on other mailboxes", "unknown",
                           reason="Get-CASMailbox: 503; Get-MailboxPermission m0@contoso.com: 429; "
                                  "Get-MailboxPermission m1@contoso.com: 429; and 3 more: failed")
    [three] = access(every({k: reads[k] for k in list(reads)[:3]}))
    assert three.reason == ("Get-MailboxPermission m0@contoso.com: 429; Get-MailboxPermission m1@contoso.com: 429; "
                            "Get-MailboxPermission m2@contoso.com: 429")
    [four] = access(every({k: reads[k] for k in list(reads)[:4]}))
    assert four.reason.endswith("Get-MailboxPermission m2@contoso.com: 429; and 1 more: failed")
