"""Every client call through real HTTPS to the running sandbox: httpx for Exchange, msgraph-sdk for
Graph, tokens from azure-identity (ClientSecretCredential from the environment, the sandbox's CA)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from msgraph.generated.models.application import Application
from msgraph.generated.models.federated_identity_credential import FederatedIdentityCredential
from msgraph.generated.models.password_profile import PasswordProfile
from msgraph.generated.models.user import User

from o365relay.errors import NotFound
from o365relay.sandbox import trace
from o365relay.tenant.exchange import ExchangeClient
from o365relay.tenant.graph import MESSAGE_TRACE_APP_ID, GraphClient
from o365relay.tenant.settings import Endpoints

pytestmark = pytest.mark.anyio

CONNECTOR = {
    "Name": "Relay",
    "ConnectorType": "OnPremises",
    "SenderIPAddresses": ["203.0.113.10"],
    "SenderDomains": ["*"],
    "RequireTls": True,
}


async def test_exchange_calls(sandbox_env):
    async with ExchangeClient(Endpoints.from_env()) as exo:
        created = await exo.create(
            "New-InboundConnector", CONNECTOR, get_cmdlet="Get-InboundConnector", identity="Relay"
        )
        assert created["Name"] == "Relay"
        await exo.invoke("Set-InboundConnector", {"Identity": "Relay", "Comment": "managed"}, idempotent=True)
        assert (await exo.get_by_identity("Get-InboundConnector", "Relay"))["Comment"] == "managed"
        assert await exo.get_by_identity("Get-InboundConnector", "Nope") is None

        await exo.invoke(
            "Set-CASMailbox",
            {"Identity": "erp@contoso.com", "SmtpClientAuthenticationDisabled": False},
            idempotent=True,
        )
        grant = {"Identity": "invoices@contoso.com", "Trustee": "erp@contoso.com", "AccessRights": "SendAs"}
        await exo.invoke("Add-RecipientPermission", grant, idempotent=True)
        again = await exo.invoke("Add-RecipientPermission", grant, idempotent=True)
        assert again.warnings and "already present" in again.warnings[0]

        results = await exo.invoke_batch(
            [
                ("Get-CASMailbox", {"Identity": "erp@contoso.com"}),
                ("Get-RecipientPermission", {"Identity": "invoices@contoso.com"}),
                ("Get-TransportConfig", {}),
                ("Remove-InboundConnector", {"Identity": "Nope"}),
            ]
        )
        cas, perms, transport, missing = results
        assert cas[0]["SmtpClientAuthenticationDisabled"] is False
        assert any(p.get("AccessRights") in (["SendAs"], "SendAs") for p in perms)
        assert transport[0]["SmtpClientAuthenticationDisabled"] is True
        assert isinstance(missing, NotFound)

        await exo.invoke("Remove-InboundConnector", {"Identity": "Relay"})
        with pytest.raises(NotFound):
            await exo.invoke("Remove-InboundConnector", {"Identity": "Relay"})


async def test_graph_directory_calls(sandbox_env):
    async with GraphClient(Endpoints.from_env()) as graph:
        user = await graph.get_user("erp@contoso.com")
        assert user.display_name == "ERP Mailer"
        with pytest.raises(NotFound):
            await graph.get_user("nobody@contoso.com")
        listed = await graph.list_users("userPrincipalName eq 'noc@notify.contoso.com'")
        assert [u.user_principal_name for u in listed] == ["noc@notify.contoso.com"]

        new = await graph.create_user(
            User(
                account_enabled=True,
                display_name="Scanner 9",
                mail_nickname="scanner9",
                user_principal_name="scanner9@contoso.com",
                password_profile=PasswordProfile(
                    password=f"Pw-{uuid.uuid4()}", force_change_password_next_sign_in=False
                ),
            )
        )
        await graph.update_user(new.id, User(usage_location="DE"))
        assert (await graph.get_user(new.id, select=["usageLocation"])).usage_location == "DE"
        skus = {s.sku_part_number: s.sku_id for s in await graph.list_subscribed_skus()}
        await graph.assign_license(new.id, [skus["EXCHANGESTANDARD"]])
        licensed = await graph.get_user(new.id, select=["assignedLicenses"])
        assert [a.sku_id for a in licensed.assigned_licenses] == [skus["EXCHANGESTANDARD"]]

        domains = {d.id for d in await graph.list_domains()}
        assert {"contoso.com", "notify.contoso.com"} <= domains
        records = await graph.service_configuration_records("contoso.com")
        assert any(getattr(r, "mail_exchange", None) for r in records)

        rows = await graph.batch_get([f"/users/{u}" for u in ("erp@contoso.com", "ghost@contoso.com")] * 12)
        assert len(rows) == 24
        assert rows[0]["userPrincipalName"] == "erp@contoso.com"
        assert isinstance(rows[1], NotFound) and isinstance(rows[23], NotFound)


async def test_graph_application_calls(sandbox_env):
    async with GraphClient(Endpoints.from_env()) as graph:
        app = await graph.create_application(Application(display_name="relay-scanner"))
        assert (await graph.get_application(app.id)).display_name == "relay-scanner"
        assert [a.id for a in await graph.list_applications(f"appId eq '{app.app_id}'")] == [app.id]

        fic = await graph.add_federated_identity_credential(
            app.id,
            FederatedIdentityCredential(
                name="github-main",
                issuer="https://token.actions.githubusercontent.com",
                subject="repo:contoso/relay:environment:prod",
                audiences=["api://AzureADTokenExchange"],
            ),
        )
        assert fic.subject == "repo:contoso/relay:environment:prod"
        secret = await graph.add_password(
            app.id, "rotation-1", dt.datetime.now(dt.UTC) + dt.timedelta(days=30)
        )
        assert secret.secret_text and secret.key_id
        await graph.remove_password(app.id, secret.key_id)
        assert not (await graph.get_application(app.id)).password_credentials

        sp = await graph.create_service_principal(app.app_id)
        assert (await graph.find_service_principal(app.app_id)).id == sp.id
        assert (await graph.get_service_principal(sp.id)).app_id == app.app_id
        trace_sp = await graph.find_service_principal(
            MESSAGE_TRACE_APP_ID
        ) or await graph.create_service_principal(MESSAGE_TRACE_APP_ID)
        assert trace_sp.app_id == MESSAGE_TRACE_APP_ID

        exo_sp = (await graph.list_service_principals("appId eq '00000002-0000-0ff1-ce00-000000000000'"))[0]
        role = "dc50a0fb-09a3-484d-be87-e023b12c6440"  # Exchange.ManageAsApp
        assignment = await graph.create_app_role_assignment(sp.id, exo_sp.id, role)
        held = await graph.list_app_role_assignments(sp.id)
        assert [str(a.app_role_id) for a in held] == [role]
        await graph.delete_app_role_assignment(sp.id, assignment.id)
        assert await graph.list_app_role_assignments(sp.id) == []

        await graph.delete_application(app.id)
        with pytest.raises(NotFound):
            await graph.get_application(app.id)
        await graph.delete_application(app.id)  # already gone: fine for a delete


def _delivered(sandbox, sender: str, recipient: str, subject: str, hours_ago: float,
               status: str = trace.DELIVERED) -> None:
    """A message the sandbox's mail flow recorded (as its SMTP endpoints do), received ``hours_ago``."""
    trace.record(sandbox.store, sender=sender, outcomes=[trace.Outcome(recipient, status, "250 2.6.0 queued")],
                 message_id=trace.new_message_id("contoso.com"), subject=subject, size=1200,
                 from_ip="203.0.113.5", to_ip="", endpoint="Relay",
                 received=dt.datetime.now(dt.UTC) - dt.timedelta(hours=hours_ago))


async def test_message_traces_window(sandbox_env):
    _delivered(sandbox_env, "erp@contoso.com", "a@fabrikam.com", "in window", 1)
    _delivered(sandbox_env, "erp@contoso.com", "b@fabrikam.com", "failed in window", 3, status=trace.FAILED)
    _delivered(sandbox_env, "erp@contoso.com", "c@fabrikam.com", "before the window", 72)
    _delivered(sandbox_env, "erp@contoso.com", "e@fabrikam.com", "long before", 100)
    _delivered(sandbox_env, "scanner@contoso.com", "d@fabrikam.com", "another sender", 2)
    now = dt.datetime.now(dt.UTC)
    async with GraphClient(Endpoints.from_env()) as graph:
        traces = await graph.message_traces(now - dt.timedelta(days=2), now, sender="erp@contoso.com")
        failed = await graph.message_traces(now - dt.timedelta(days=2), now, sender="erp@contoso.com",
                                            status="failed")
        to_d = await graph.message_traces(now - dt.timedelta(days=2), now, recipient="d@fabrikam.com")
        earlier = await graph.message_traces(now - dt.timedelta(hours=80), now - dt.timedelta(hours=60))
    assert sorted(t.subject for t in traces) == ["failed in window", "in window"]
    assert {t.sender_address for t in traces} == {"erp@contoso.com"}
    assert [t.subject for t in failed] == ["failed in window"]
    assert [(t.sender_address, t.subject) for t in to_d] == [("scanner@contoso.com", "another sender")]
    assert [t.subject for t in earlier] == ["before the window"]


async def test_message_trace_rows_are_the_models_records_as_json(sandbox_env):
    """The raw mode `relayctl usage` reads: the same records, filters and window as the model path."""
    for n in range(3):
        _delivered(sandbox_env, "erp@contoso.com", f"r{n}@fabrikam.com", f"m{n}", n + 1)
    _delivered(sandbox_env, "scanner@contoso.com", "d@fabrikam.com", "another sender", 2)
    _delivered(sandbox_env, "erp@contoso.com", "old@fabrikam.com", "before the window", 72)
    now = dt.datetime.now(dt.UTC)
    async with GraphClient(Endpoints.from_env()) as graph:
        window = (now - dt.timedelta(days=2), now)
        models = await graph.message_traces(*window, sender="erp@contoso.com")
        rows = await graph.message_trace_rows(*window, sender="ERP@contoso.com")
    assert sorted(r["subject"] for r in rows) == ["m0", "m1", "m2"]
    assert sorted((r["id"], r["recipientAddress"], r["status"]) for r in rows) == sorted(
        (m.id, m.recipient_address, m.status.value) for m in models)
