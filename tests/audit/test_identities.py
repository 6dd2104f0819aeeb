"""Who a declared sender is in the tenant, as the Send As comparison shows it: a trustee Exchange names by any of
the sender's names is the declared grant, and a sender whose identity could not be read makes its grant unknown."""

from __future__ import annotations

from o365relay.audit.compare_send_as import compare_send_as
from o365relay.audit.identities import resolve
from o365relay.audit.model import Item
from o365relay.audit.snapshot import Read, Snapshot
from o365relay.spec.model import RelaySpec, SendAsGrant, ServiceAccount, Tenant

TENANT = Tenant("7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a", "contoso.onmicrosoft.com")
SCANNER_OBJECT_ID = "a1b2c3d4-0000-4c55-9d0e-6a1b2c3d4e5f"


def snapshot(grants: list[dict], *, cas: list[dict], holders: Read | None = None) -> Snapshot:
    return Snapshot(
        connectors=Read("Get-InboundConnector", []),
        transport_config=Read("Get-TransportConfig", {}),
        organization_config=Read("Get-OrganizationConfig", {}),
        exchange_service_principals=Read("Get-ServicePrincipal", []),
        dkim_configs=Read("Get-DkimSigningConfig", []),
        cas_mailboxes=Read("Get-CASMailbox", cas),
        domains=Read("GET /domains", []),
        send_as_app_holders=holders or Read("holders", []),
        send_as_grants=Read("Get-RecipientPermission", grants),
    )


def grant(trustee: str) -> dict:
    return {"Identity": "shared", "Trustee": trustee, "AccessRights": ["SendAs"], "IsInherited": False,
            "AccessControlType": "Allow"}


def send_as(spec: RelaySpec, snap: Snapshot) -> list[Item]:
    return compare_send_as(spec, {n: resolve(a, snap) for n, a in spec.service_accounts.items()}, snap)


def test_a_trustee_named_by_the_sender_mailboxs_object_id_is_the_declared_grant():
    scanner = ServiceAccount("scanner", "mailbox", "Scanner@Contoso.com")
    spec = RelaySpec(1, TENANT, service_accounts={"scanner": scanner},
                     send_as=(SendAsGrant("scanner", "shared@contoso.com"),))
    cas = [{"Identity": "Shared", "PrimarySmtpAddress": "shared@contoso.com"},
           {"Identity": "Scanner Device", "PrimarySmtpAddress": "scanner@contoso.com",
            "ExternalDirectoryObjectId": SCANNER_OBJECT_ID}]
    items = send_as(spec, snapshot([grant(SCANNER_OBJECT_ID.upper())], cas=cas))
    assert [(i.name, i.status) for i in items] == [("scanner on shared@contoso.com", "in_sync")]


def test_an_application_senders_grant_is_unknown_when_its_holder_could_not_be_read():
    spec = RelaySpec(1, TENANT, service_accounts={"erp": ServiceAccount("erp", "application", "erp@contoso.com")},
                     send_as=(SendAsGrant("erp", "shared@contoso.com"),))
    failed = Read("GET /servicePrincipals/{Exchange}/appRoleAssignedTo", error="503 Service Unavailable")
    cas = [{"Identity": "Shared", "PrimarySmtpAddress": "shared@contoso.com"}]
    items = send_as(spec, snapshot([grant("o365-relay erp")], cas=cas, holders=failed))
    reason = "GET /servicePrincipals/{Exchange}/appRoleAssignedTo: 503 Service Unavailable"
    assert items == [Item("send_as", "erp on shared@contoso.com", "unknown", spec_path="spec.sendAs[0]", reason=reason),
                     # the row may be the declared grant under a name the failed read would have given: unknown too
                     Item("send_as", "o365-relay erp on shared@contoso.com", "unknown", reason=reason)]
