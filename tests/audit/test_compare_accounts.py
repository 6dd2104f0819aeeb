"""Service-account items (mailboxes, SMTP.SendAsApp holders, Exchange service principals, FullAccess, SMTP AUTH
exceptions) as an auditor reads them: the exact kind, name, status, reason, evidence and spec path of each, from
hand-built snapshots shaped like the tenant's answers (the sandbox tests cover the same items end to end)."""

from __future__ import annotations

from o365relay.audit.compare_accounts import compare_applications, compare_mailboxes, compare_smtp_auth
from o365relay.audit.identities import resolve
from o365relay.audit.model import FieldDiff, Item
from o365relay.audit.snapshot import Read, Row, Snapshot
from o365relay.spec.model import RelaySpec, ServiceAccount, Tenant

ERP_ID, OLD_ID, LEGACY_ID = "5f0c2a64-0b1e-4c55-9d0e-6a1b2c3d4e5f", "0d9e8f7a-1111-4c55-9d0e-6a1b2c3d4e5f", \
    "77aa0c1e-2222-4c55-9d0e-6a1b2c3d4e5f"
ROLE = "2a48ad86-e3f4-4a0c-9f5b-6d7c8e9f0a1b"
# A mailbox sender first: application items must still be reported for the accounts after it.
SCANNER = ServiceAccount("scanner", "mailbox", "scanner@contoso.com")
ERP = ServiceAccount("erp-mailer", "application", "Erp@Contoso.com")
SPEC = RelaySpec(1, Tenant("7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a", "contoso.onmicrosoft.com"),
                 service_accounts={"scanner": SCANNER, "erp-mailer": ERP})
ERP_PATH = "spec.serviceAccounts.erp-mailer"


def holder(principal_id: str, display_name: str) -> Row:
    """A Graph appRoleAssignment of SMTP.SendAsApp."""
    return {"id": "x1", "principalId": principal_id, "principalDisplayName": display_name, "appRoleId": ROLE,
            "createdDateTime": "2026-10-01T08:00:00Z", "resourceId": "r1"}


def principal(object_id: str, display_name: str) -> Row:
    """A Get-ServicePrincipal row."""
    return {"AppId": "c0ffee00-0000-4c55-9d0e-6a1b2c3d4e5f", "ObjectId": object_id, "DisplayName": display_name,
            "Identity": object_id, "ServiceId": object_id, "WhenCreatedUTC": "2026-10-01T08:01:00Z"}


def permission(user: str, rights: list[str], **extra: object) -> Row:
    """A Get-MailboxPermission row on erp@contoso.com."""
    return {"Identity": "erp@contoso.com", "User": user, "AccessRights": rights, "IsInherited": False,
            "Deny": False, **extra}


def cas(address: str, disabled: bool | None, **extra: object) -> Row:
    """A Get-CASMailbox row (SmtpClientAuthenticationDisabled: False = on, True = off, None = the org's)."""
    return {"Identity": address.split("@")[0], "PrimarySmtpAddress": address,
            "SmtpClientAuthenticationDisabled": disabled, **extra}


def snapshot(*, holders: Read | None = None, principals: Read | None = None, cas_rows: Read | None = None,
             permissions: dict[str, Read] | None = None, users: dict[str, Read] | None = None) -> Snapshot:
    return Snapshot(
        connectors=Read("Get-InboundConnector", []),
        transport_config=Read("Get-TransportConfig", {}),
        organization_config=Read("Get-OrganizationConfig", {}),
        exchange_service_principals=principals or Read("Get-ServicePrincipal", []),
        dkim_configs=Read("Get-DkimSigningConfig", []),
        cas_mailboxes=cas_rows or Read("Get-CASMailbox", []),
        domains=Read("GET /domains", []),
        send_as_app_holders=holders or Read("holders", []),
        mailbox_permissions=permissions or {},
        users=users or {},
    )


def applications(snap: Snapshot) -> list[Item]:
    return compare_applications({n: resolve(a, snap) for n, a in SPEC.service_accounts.items()}, snap)


def smtp_auth(snap: Snapshot, spec: RelaySpec = SPEC) -> list[Item]:
    return compare_smtp_auth({n: resolve(a, snap) for n, a in spec.service_accounts.items()}, snap)


def test_a_declared_mailbox_is_in_sync_missing_or_unknown_with_the_user_record_as_evidence():
    shared = {"id": "u1", "userPrincipalName": "shared@contoso.com", "mail": "Shared@contoso.com",
              "accountEnabled": False}
    users = {"shared@contoso.com": Read("GET /users/shared@contoso.com",
                                        {**shared, "displayName": "Shared", "@odata.etag": "W/1"}),
             "ghost@contoso.com": Read("GET /users/ghost@contoso.com", None),
             "locked@contoso.com": Read("GET /users/locked@contoso.com", error="403 Authorization_RequestDenied")}
    items = compare_mailboxes(["shared@contoso.com", "Locked@Contoso.com", "ghost@contoso.com", "shared@contoso.com",
                               "later@contoso.com"], snapshot(users=users))
    assert items == [
        Item("mailbox", "Locked@Contoso.com", "unknown",
             reason="GET /users/locked@contoso.com: 403 Authorization_RequestDenied"),
        Item("mailbox", "ghost@contoso.com", "missing", reason="no such user in the directory"),
        Item("mailbox", "later@contoso.com", "unknown", reason="user later@contoso.com: not read"),
        Item("mailbox", "shared@contoso.com", "in_sync", evidence=shared),
    ]


def test_an_application_sender_in_place_is_in_sync_and_an_undeclared_holder_unexpected():
    stale = principal(OLD_ID, "o365-relay erp-mailer")  # an older registration under the same name
    current = principal(ERP_ID, "ERP mailer (renamed in Exchange)")
    permissions = [permission(LEGACY_ID, ["FullAccess"]),  # someone else's FullAccess on the mailbox
                   permission(ERP_ID, ["ReadPermission"]),
                   permission(ERP_ID, ["FullAccess"], AccessControlType="Deny"),
                   permission(ERP_ID, ["FullAccess"], InheritanceType="All")]
    snap = snapshot(
        holders=Read("holders", [holder(LEGACY_ID, "legacy-mailer"), holder(OLD_ID, "erp-mailer"),
                                 holder(ERP_ID, "O365-Relay ERP-Mailer")]),
        principals=Read("Get-ServicePrincipal", [stale, current]),
        permissions={"erp@contoso.com": Read("Get-MailboxPermission Erp@Contoso.com", permissions)})
    assert applications(snap) == [
        # the program's name wins over the bare spec name, in any letter case
        Item("application", "erp-mailer", "in_sync", spec_path=ERP_PATH, evidence={
            "principalId": ERP_ID, "principalDisplayName": "O365-Relay ERP-Mailer", "appRoleId": ROLE}),
        # the registration for the holder's object id, not the one that only shares its name
        Item("exchange_service_principal", "erp-mailer", "in_sync", spec_path=ERP_PATH, evidence={
            "AppId": current["AppId"], "ObjectId": ERP_ID, "DisplayName": "ERP mailer (renamed in Exchange)",
            "Identity": ERP_ID}),
        Item("full_access", "erp-mailer on Erp@Contoso.com", "in_sync", spec_path=ERP_PATH, evidence={
            "Identity": "erp@contoso.com", "User": ERP_ID, "AccessRights": ["FullAccess"], "IsInherited": False}),
        Item("application", "legacy-mailer", "unexpected",
             reason="holds SMTP.SendAsApp but is not a declared service account",
             evidence={"principalId": LEGACY_ID, "principalDisplayName": "legacy-mailer",
                       "createdDateTime": "2026-10-01T08:00:00Z"}),
        Item("application", "erp-mailer", "unexpected",
             reason="holds SMTP.SendAsApp but is not a declared service account",
             evidence={"principalId": OLD_ID, "principalDisplayName": "erp-mailer",
                       "createdDateTime": "2026-10-01T08:00:00Z"}),
    ]


def test_an_adopted_application_is_found_by_its_bare_spec_name():
    snap = snapshot(holders=Read("holders", [holder(ERP_ID, "ERP-Mailer")]),
                    principals=Read("Get-ServicePrincipal", [principal(ERP_ID, "erp-mailer")]),
                    permissions={"erp@contoso.com": Read("Get-MailboxPermission erp@contoso.com",
                                                         [permission(ERP_ID, ["FullAccess"])])})
    items = applications(snap)
    assert [(i.kind, i.status) for i in items] == [
        ("application", "in_sync"), ("exchange_service_principal", "in_sync"), ("full_access", "in_sync")]
    assert items[0].evidence["principalId"] == ERP_ID


def test_a_registration_without_a_holder_is_found_by_the_program_name_first():
    snap = snapshot(principals=Read("Get-ServicePrincipal", [principal(OLD_ID, "erp-mailer"),
                                                             principal(ERP_ID, "o365-relay erp-mailer")]),
                    permissions={"erp@contoso.com": Read("Get-MailboxPermission erp@contoso.com", [])})
    items = applications(snap)
    assert items[0] == Item("application", "erp-mailer", "missing", spec_path=ERP_PATH,
                            reason="no application named so holds SMTP.SendAsApp")
    assert (items[1].status, items[1].evidence["ObjectId"]) == ("in_sync", ERP_ID)
    assert items[2] == Item("full_access", "erp-mailer on Erp@Contoso.com", "missing", spec_path=ERP_PATH)
    assert len(items) == 3


def test_an_application_sender_never_set_up_is_missing_with_the_reason_of_each_part():
    snap = snapshot(permissions={"erp@contoso.com": Read("Get-MailboxPermission erp@contoso.com",
                                                         [permission("someone", ["FullAccess"])])})
    assert applications(snap) == [
        Item("application", "erp-mailer", "missing", spec_path=ERP_PATH,
             reason="no application named so holds SMTP.SendAsApp"),
        Item("exchange_service_principal", "erp-mailer", "missing", spec_path=ERP_PATH,
             reason="not registered in Exchange (New-ServicePrincipal)"),
        Item("full_access", "erp-mailer on Erp@Contoso.com", "missing", spec_path=ERP_PATH,
             reason="the service account has no Exchange service principal to hold it"),
    ]


def test_failed_reads_make_each_application_item_unknown_naming_the_read():
    holders = Read("GET /servicePrincipals/{Exchange}/appRoleAssignedTo", error="503 Service Unavailable")
    snap = snapshot(holders=holders,
                    principals=Read("Get-ServicePrincipal", error="403 the role does not allow it"))
    assert applications(snap) == [
        Item("application", "erp-mailer", "unknown", spec_path=ERP_PATH,
             reason="GET /servicePrincipals/{Exchange}/appRoleAssignedTo: 503 Service Unavailable"),
        Item("exchange_service_principal", "erp-mailer", "unknown", spec_path=ERP_PATH,
             reason="Get-ServicePrincipal: 403 the role does not allow it"),
        Item("full_access", "erp-mailer on Erp@Contoso.com", "unknown", spec_path=ERP_PATH,
             reason="Get-ServicePrincipal: 403 the role does not allow it; "
                    "Get-MailboxPermission Erp@Contoso.com: not read"),
    ]


def test_a_failed_mailbox_permission_read_makes_only_full_access_unknown():
    snap = snapshot(holders=Read("holders", [holder(ERP_ID, "o365-relay erp-mailer")]),
                    principals=Read("Get-ServicePrincipal", [principal(ERP_ID, "o365-relay erp-mailer")]),
                    permissions={"erp@contoso.com": Read("Get-MailboxPermission erp@contoso.com",
                                                         error="Throttled: still 429 after 6 attempts")})
    assert [(i.kind, i.status, i.reason) for i in applications(snap)] == [
        ("application", "in_sync", ""), ("exchange_service_principal", "in_sync", ""),
        ("full_access", "unknown", "Get-MailboxPermission erp@contoso.com: Throttled: still 429 after 6 attempts")]


def test_each_sender_mailbox_needs_smtp_auth_on_and_other_mailboxes_with_it_on_are_unexpected():
    printer = ServiceAccount("printer", "mailbox", "Printer@Contoso.com")
    # the sender without a mailbox first: the senders after it are still compared
    spec = RelaySpec(SPEC.version, SPEC.tenant, service_accounts={"printer": printer, **SPEC.service_accounts})
    rows = [cas("off@contoso.com", True), cas("inherits@contoso.com", None),
            cas("scanner@contoso.com", False, Identity="Scanner"),  # a sender's own: in sync, not unexpected
            cas("erp@contoso.com", None),
            cas("copier@contoso.com", False),
            {"Identity": "old-fax", "Name": "old-fax", "UserPrincipalName": "fax@contoso.com",
             "SmtpClientAuthenticationDisabled": "False"}]
    snap = snapshot(cas_rows=Read("Get-CASMailbox", rows))
    assert smtp_auth(snap, spec) == [
        Item("mailbox_smtp_auth", "printer@contoso.com", "missing", reason="no such mailbox",
             spec_path="spec.serviceAccounts.printer"),
        Item("mailbox_smtp_auth", "scanner@contoso.com", "in_sync", spec_path="spec.serviceAccounts.scanner",
             evidence={"PrimarySmtpAddress": "scanner@contoso.com", "SmtpClientAuthenticationDisabled": False},
             fields=(FieldDiff("SmtpAuth", "enabled", "enabled"),)),
        Item("mailbox_smtp_auth", "erp@contoso.com", "drift", (FieldDiff("SmtpAuth", "enabled", "inherit"),),
             spec_path=ERP_PATH,
             evidence={"PrimarySmtpAddress": "erp@contoso.com", "SmtpClientAuthenticationDisabled": None},
             fields=(FieldDiff("SmtpAuth", "enabled", "inherit"),)),
        Item("mailbox_smtp_auth", "copier@contoso.com", "unexpected",
             reason="SMTP AUTH is switched on for a mailbox that is no declared sender's",
             evidence={"PrimarySmtpAddress": "copier@contoso.com", "Identity": "copier",
                       "SmtpClientAuthenticationDisabled": False}),
        # no primary address in the row: named by its Identity
        Item("mailbox_smtp_auth", "old-fax", "unexpected",
             reason="SMTP AUTH is switched on for a mailbox that is no declared sender's",
             evidence={"Identity": "old-fax", "SmtpClientAuthenticationDisabled": "False"}),
    ]


def test_a_sender_whose_smtp_auth_is_off_drifts():
    snap = snapshot(cas_rows=Read("Get-CASMailbox", [cas("scanner@contoso.com", True), cas("erp@contoso.com", False)]))
    assert [(i.name, i.status, i.diffs) for i in smtp_auth(snap)] == [
        ("scanner@contoso.com", "drift", (FieldDiff("SmtpAuth", "enabled", "disabled"),)),
        ("erp@contoso.com", "in_sync", ())]


def test_a_failed_cas_read_makes_each_sender_unknown_under_the_name_a_good_read_gives_it():
    failed = Read("Get-CASMailbox", error="Throttled: still 429 after 6 attempts")
    reason = "Get-CASMailbox: Throttled: still 429 after 6 attempts"
    assert smtp_auth(snapshot(cas_rows=failed)) == [
        Item("mailbox_smtp_auth", "scanner@contoso.com", "unknown", reason=reason,
             spec_path="spec.serviceAccounts.scanner"),
        Item("mailbox_smtp_auth", "erp@contoso.com", "unknown", reason=reason, spec_path=ERP_PATH),
    ]
    nobody = RelaySpec(SPEC.version, SPEC.tenant)
    assert smtp_auth(snapshot(cas_rows=failed), nobody) == [
        Item("mailbox_smtp_auth", "(undeclared SMTP AUTH exceptions)", "unknown", reason=reason)]
