"""The issue's resilience demonstration: with 20% of responses failing as 429/503 (Retry-After) and
5% of connections dropped, a long sequence of reads and writes through the tenant clients ends in
the same tenant state as a fault-free run."""

from __future__ import annotations

from typing import Any

import anyio
import pytest
from msgraph.generated.models.application import Application
from msgraph.generated.models.user import User

from o365relay.sandbox.faults import FaultPlan
from o365relay.tenant.credentials import credential_for
from o365relay.tenant.exchange import ExchangeClient
from o365relay.tenant.graph import GraphClient

MAILBOXES = [
    "erp@contoso.com",
    "invoices@contoso.com",
    "purchasing@contoso.com",
    "scanner3@contoso.com",
    "alerts@notify.contoso.com",
    "noc@notify.contoso.com",
    "oncall@notify.contoso.com",
]


async def apply_and_read(sandbox: Any) -> dict[str, Any]:
    """About 60 writes and reads, mostly sequential, plus batches; returns the resulting state."""
    env, endpoints = sandbox.env(), sandbox.endpoints()
    async with ExchangeClient(endpoints, credential_for(endpoints, env)) as exo:
        for i in range(6):
            await exo.create(
                "New-InboundConnector",
                {
                    "Name": f"Relay {i}",
                    "ConnectorType": "OnPremises",
                    "SenderIPAddresses": [f"203.0.113.{10 + i}"],
                    "SenderDomains": ["*"],
                    "RequireTls": True,
                },
                get_cmdlet="Get-InboundConnector",
                identity=f"Relay {i}",
            )
            await exo.invoke(
                "Set-InboundConnector", {"Identity": f"Relay {i}", "Comment": f"site {i}"}, idempotent=True
            )
        await exo.invoke("Remove-InboundConnector", {"Identity": "Relay 5"})
        for n, mailbox in enumerate(MAILBOXES):
            await exo.invoke(
                "Set-CASMailbox",
                {"Identity": mailbox, "SmtpClientAuthenticationDisabled": n % 2 == 0},
                idempotent=True,
            )
            await exo.invoke(
                "Add-RecipientPermission",
                {"Identity": mailbox, "Trustee": "erp@contoso.com", "AccessRights": "SendAs"},
                idempotent=True,
            )
        await exo.invoke("Set-TransportConfig", {"SmtpClientAuthenticationDisabled": True}, idempotent=True)
        connectors = await exo.invoke("Get-InboundConnector")
        reads = await exo.invoke_batch(
            [("Get-CASMailbox", {"Identity": m}) for m in MAILBOXES]
            + [("Get-RecipientPermission", {"Identity": m}) for m in MAILBOXES]
        )
    async with GraphClient(endpoints, credential_for(endpoints, env)) as graph:
        for mailbox in MAILBOXES:
            await graph.update_user(mailbox, User(usage_location="DE"))
        app = await graph.create_application(Application(display_name="relay-sender"))
        sp = await graph.create_service_principal(app.app_id)
        users = await graph.batch_get(
            [f"/users/{m}?$select=userPrincipalName,usageLocation" for m in MAILBOXES]
        )
        apps = await graph.list_applications("displayName eq 'relay-sender'")
    assert not [r for r in reads if isinstance(r, Exception)]
    return {
        "connectors": sorted(
            (c["Name"], c.get("Comment"), tuple(c["SenderIPAddresses"])) for c in connectors
        ),
        "smtp_auth": [r[0]["SmtpClientAuthenticationDisabled"] for r in reads[: len(MAILBOXES)]],
        "send_as": [sorted(p["Trustee"] for p in r) for r in reads[len(MAILBOXES) :]],
        "usage": [u["usageLocation"] for u in users],
        "apps": len(apps),
        "sp_app": sp.app_id == app.app_id,
    }


@pytest.mark.slow
def test_faulty_run_reaches_the_fault_free_state(sandbox_factory):
    clean = anyio.run(apply_and_read, sandbox_factory())
    plan = FaultPlan(throttle=0.10, unavailable=0.10, drop=0.05, retry_after=0, seed=20)
    faulty_sandbox = sandbox_factory(faults=plan)
    faulty = anyio.run(apply_and_read, faulty_sandbox)
    assert faulty == clean
    assert (
        clean["connectors"][0] == ("Relay 0", "site 0", ("203.0.113.10",)) and len(clean["connectors"]) == 5
    )
    assert clean["apps"] == 1
    # the faults really happened, at about the rates asked
    stats = plan.stats
    assert stats["requests"] > 60
    assert stats["throttle"] + stats["unavailable"] >= 0.1 * stats["requests"]
    assert stats["drop"] >= 2
