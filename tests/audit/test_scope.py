"""The scope a report prints beside its verdict: every read the audit made (per-mailbox reads counted, not
listed), the ones that failed with their error, and what it did not look at, each with why."""

from __future__ import annotations

from o365relay.audit.model import Scope
from o365relay.audit.scope import DNS_NOT_READ, snapshot_scope
from o365relay.audit.snapshot import Read, Snapshot
from o365relay.spec.model import OutboundConnector, PartnerConnector, RelaySpec, Tenant

SPEC = RelaySpec(1, Tenant("7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a", "contoso.onmicrosoft.com"))
WITH_ALL_CONNECTORS = RelaySpec(
    1, SPEC.tenant, partner_connectors={"saas": PartnerConnector("saas", ("saas.example",))},
    outbound_connectors={"smarthost": OutboundConnector("smarthost", ("fabrikam.com",),
                                                        smart_hosts=("mx.fabrikam.com",))})
TENANT_WIDE = ["Get-InboundConnector", "Get-TransportConfig", "Get-OrganizationConfig", "Get-ServicePrincipal",
               "Get-DkimSigningConfig", "Get-CASMailbox", "GET /domains",
               "GET /servicePrincipals/{Exchange}/appRoleAssignedTo", "Get-OutboundConnector",
               "applications of the SMTP.SendAsApp holders", "Get-HostedConnectionFilterPolicy",
               "Get-RecipientPermission (every Send As grant)", "Get-AuthenticationPolicy", "Get-User"]
OTHER_MAILBOXES = ("FullAccess and other mailbox permissions on mailboxes the spec does not name: not read (Exchange "
                   "has no tenant-wide list of them; `relayctl audit --every-mailbox` reads each mailbox's); Send As "
                   "on them: read, compared for the declared senders only")
PARTNERS = "Inbound connectors of type Partner: read, not compared (the spec declares none)"
OUTBOUND = "Outbound connectors: read, not compared (the spec declares none)"


def snapshot(permissions: list[str], users: list[str], *, cas: Read | None = None,
             transport: Read | None = None) -> Snapshot:
    return Snapshot(
        connectors=Read("Get-InboundConnector", []),
        transport_config=transport or Read("Get-TransportConfig", {}),
        organization_config=Read("Get-OrganizationConfig", {}),
        exchange_service_principals=Read("Get-ServicePrincipal", []),
        dkim_configs=Read("Get-DkimSigningConfig", []),
        cas_mailboxes=cas or Read("Get-CASMailbox", []),
        domains=Read("GET /domains", []),
        send_as_app_holders=Read("GET /servicePrincipals/{Exchange}/appRoleAssignedTo", []),
        mailbox_permissions={m: Read(f"Get-MailboxPermission {m}", []) for m in permissions},
        users={m: Read(f"GET /users/{m}", {"id": m}) for m in users},
        applications=Read("applications of the SMTP.SendAsApp holders", {}),
        send_as_grants=Read("Get-RecipientPermission (every Send As grant)", []),
    )


def test_per_mailbox_reads_are_counted_and_what_was_not_read_says_why():
    snap = snapshot(["erp@contoso.com"], ["erp@contoso.com", "scanner@contoso.com", "shared@contoso.com"],
                    transport=Read("Get-TransportConfig", error="403 the role does not allow it"))
    snap.users["ghost@contoso.com"] = Read("GET /users/ghost@contoso.com",
                                           error="Throttled: still 429 after 6 attempts")
    assert snapshot_scope(SPEC, snap) == Scope(
        read=(*TENANT_WIDE, "Get-MailboxPermission for 1 declared mailbox", "GET /users/… for 4 declared mailboxes"),
        failed=("Get-TransportConfig: 403 the role does not allow it",
                "GET /users/ghost@contoso.com: Throttled: still 429 after 6 attempts"),
        not_read=(DNS_NOT_READ, OTHER_MAILBOXES, PARTNERS, OUTBOUND))


def test_every_mailbox_read_is_said_so_and_declared_connectors_are_compared():
    snap = snapshot(["a@contoso.com", "b@contoso.com", "c@contoso.com"], ["a@contoso.com"])
    snap.every_mailbox = True
    assert snapshot_scope(WITH_ALL_CONNECTORS, snap) == Scope(
        read=(*TENANT_WIDE, "Get-MailboxPermission for every mailbox (3)", "GET /users/… for 1 declared mailbox"),
        not_read=(DNS_NOT_READ,))


def test_every_mailbox_asked_for_but_the_mailbox_list_failed_claims_only_the_declared_ones():
    snap = snapshot(["a@contoso.com", "b@contoso.com"], [], cas=Read("Get-CASMailbox", error="503 Service Unavailable"))
    snap.every_mailbox = True
    scope = snapshot_scope(WITH_ALL_CONNECTORS, snap)
    assert scope.read[-1] == "Get-MailboxPermission for 2 declared mailboxes"
    assert scope.failed == ("Get-CASMailbox: 503 Service Unavailable",)
    assert scope.not_read == (DNS_NOT_READ, OTHER_MAILBOXES)
