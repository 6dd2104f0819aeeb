"""A backdoor on a declared OAuth sender shows in the audit: undeclared credentials on its application,
credentials near expiry, and FullAccess on its mailbox for someone else."""

from __future__ import annotations

import asyncio
import datetime as dt

from audit_helpers import PROD_SPEC, SEEDS, item, run_audit, snapshot
from msgraph.generated.models.federated_identity_credential import FederatedIdentityCredential

from o365relay.tenant.exchange import ExchangeClient
from o365relay.tenant.graph import GraphClient

ERP = "o365-relay erp-mailer"


async def _erp_app(graph: GraphClient) -> str:
    [app] = [a for a in await graph.list_applications() if a.display_name == ERP]
    return str(app.id)


async def _backdoor(sandbox) -> str:
    async with GraphClient(sandbox.endpoints()) as graph:
        app = await _erp_app(graph)
        # the declared credential, as the stack adds it
        await graph.add_federated_identity_credential(app, FederatedIdentityCredential(
            name="o365-relay-erp-mailer", issuer="https://token.actions.githubusercontent.com",
            subject="repo:contoso/erp:environment:prod", audiences=["api://AzureADTokenExchange"]))
        # a trust nobody declared, and an extra secret expiring soon
        await graph.add_federated_identity_credential(app, FederatedIdentityCredential(
            name="ci-helper", issuer="https://token.actions.githubusercontent.com",
            subject="repo:mallory/tools:ref:refs/heads/main", audiences=["api://AzureADTokenExchange"]))
        secret = await graph.add_password(app, "temp", dt.datetime.now(dt.UTC) + dt.timedelta(days=10))
    async with ExchangeClient(sandbox.endpoints()) as exo:
        await exo.invoke("Add-MailboxPermission", {"Identity": "erp@contoso.com", "User": "scanner3@contoso.com",
                                                   "AccessRights": ["FullAccess"]})
    return str(secret.key_id)


def test_undeclared_credentials_and_mailbox_access_are_unexpected(tenant):
    sandbox = tenant(SEEDS / "applied.yaml")
    key_id = asyncio.run(_backdoor(sandbox))
    result = run_audit(sandbox)
    trust = item(result, "credential", "erp-mailer: federated ci-helper")
    assert trust.status == "unexpected"
    assert trust.evidence["subject"] == "repo:mallory/tools:ref:refs/heads/main"
    assert trust.evidence["issuer"] == "https://token.actions.githubusercontent.com"
    secret = item(result, "credential", f"erp-mailer: secret {key_id}")
    assert secret.status == "unexpected" and secret.evidence["endDateTime"]
    assert not [i for i in result.items if i.kind == "credential" and "o365-relay-erp-mailer" in i.name]
    access = item(result, "full_access", "scanner3@contoso.com on erp@contoso.com")
    assert access.status == "unexpected"
    assert result.exit_code == 1


def test_a_declared_credential_near_expiry_is_a_finding():
    from o365relay.audit.compare_credentials import compare_credentials
    from o365relay.audit.identities import Identity
    from o365relay.audit.snapshot import Read
    from o365relay.sandbox.tokens import certificate_thumbprint
    from o365relay.spec.loader import load_spec

    root = SEEDS.parents[2]
    spec = load_spec(root / "relay.prod.yaml")
    account = spec.service_accounts["monitoring-alerts"]
    thumbprint = certificate_thumbprint((root / "certs" / "monitoring-alerts.pem").read_text())
    key = {"keyId": "k1", "customKeyIdentifier": thumbprint, "endDateTime": "2027-01-13T00:00:00Z"}
    snap = snapshot(applications=Read("apps", {"sp": {"keyCredentials": [key]}}))
    ident = Identity(account, (), holder={"principalId": "sp"})
    [found] = compare_credentials(spec, {"monitoring-alerts": ident}, snap, today=dt.date(2027, 1, 1))
    assert (found.status, found.spec_path) == ("drift", "spec.serviceAccounts.monitoring-alerts.credential")
    assert compare_credentials(spec, {"monitoring-alerts": ident}, snap, today=dt.date(2026, 11, 1)) == []
    assert "expires within 30 days" in found.reason


def test_undeclared_rights_on_sender_mailboxes_exchange_principals_and_send_as_elsewhere_are_unexpected(tenant):
    """Against HTTP: every way to act as a declared sender that the spec does not declare is a finding, with
    what (the rights), who, and since when where the row has it."""
    result = run_audit(tenant(SEEDS / "sender-access.yaml"))
    found = {(i.kind, i.name): i for i in result.items if i.status == "unexpected"}
    assert set(found) == {
        ("exchange_service_principal", "helpdesk-tool"),
        ("full_access", "helpdesk-tool on scanner3@contoso.com"),
        ("full_access", "o365-relay erp-mailer on erp@contoso.com"),
        ("full_access", "admin@contoso.onmicrosoft.com on alerts@notify.contoso.com"),
        ("send_as", "monitoring-alerts on admin@contoso.onmicrosoft.com"),
    }
    principal = found[("exchange_service_principal", "helpdesk-tool")]
    assert principal.evidence["AppId"] and principal.evidence["WhenCreatedUTC"]  # who, since when
    extra = found[("full_access", "o365-relay erp-mailer on erp@contoso.com")]
    assert extra.evidence["AccessRights"] == ["ChangePermission"] and extra.reason.startswith("ChangePermission")
    assert found[("full_access", "admin@contoso.onmicrosoft.com on alerts@notify.contoso.com")].reason.startswith(
        "ChangeOwner")
    elsewhere = found[("send_as", "monitoring-alerts on admin@contoso.onmicrosoft.com")]
    assert elsewhere.evidence["AccessRights"] == ["SendAs"] and elsewhere.evidence["Trustee"]
    # the declared grants stay in sync, and the audit says what it read
    assert item(result, "full_access", "erp-mailer on erp@contoso.com").status == "in_sync"
    assert item(result, "send_as", "monitoring-alerts on noc@notify.contoso.com").status == "in_sync"
    assert "Get-RecipientPermission (every Send As grant)" in result.scope.read
    assert result.exit_code == 1


def test_a_failed_send_as_list_is_unknown_not_in_sync(tenant):
    from o365relay.audit.compare_sender_access import compare_sender_access
    from o365relay.audit.identities import resolve
    from o365relay.audit.snapshot import Read
    from o365relay.spec.loader import load_spec

    spec = load_spec(SEEDS.parents[2] / "relay.prod.yaml")
    snap = snapshot(send_as_grants=Read("Get-RecipientPermission", error="503"))
    identities = {n: resolve(a, snap) for n, a in spec.service_accounts.items()}
    [unknown] = [i for i in compare_sender_access(identities, snap, []) if i.kind == "send_as"]
    assert unknown.status == "unknown" and "Get-RecipientPermission: 503" in unknown.reason
    assert unknown.name == "declared senders' Send As on undeclared mailboxes"


def test_every_mailbox_finds_a_declared_senders_rights_on_mailboxes_the_spec_does_not_name(tenant, capsys):
    """FullAccess on another mailbox lets the sender's credential send as it; Exchange lists mailbox permissions
    per mailbox only, so the audit reads every mailbox's when asked (and says which it did)."""
    from o365relay.cli.main import main

    sandbox = tenant(SEEDS / "sender-access.yaml")
    plain = run_audit(sandbox)
    assert not [i for i in plain.items if i.name == "erp-mailer on invoices@contoso.com" and i.kind == "full_access"]
    assert any("--every-mailbox" in line for line in plain.scope.not_read)
    result = run_audit(sandbox, every_mailbox=True)
    found = item(result, "full_access", "erp-mailer on invoices@contoso.com")
    assert found.status == "unexpected" and found.reason.startswith("FullAccess for a declared sender")
    assert found.evidence["AccessRights"] == ["FullAccess"] and found.evidence["Identity"] == "invoices"
    users = len(sandbox.store.list("user"))
    assert f"Get-MailboxPermission for every mailbox ({users})" in result.scope.read
    assert not any("--every-mailbox" in line for line in result.scope.not_read)
    assert main(["audit", str(PROD_SPEC), "--every-mailbox", "--format", "json"]) == 1
    assert "erp-mailer on invoices@contoso.com" in capsys.readouterr().out
