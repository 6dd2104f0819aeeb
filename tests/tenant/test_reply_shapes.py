"""The Exchange client against reply shapes the sandbox injects (o365relay.sandbox.fault_shapes), over
real HTTPS: a truncated read, an error body in camel case, an empty 2xx, a Get-* that ignores Identity."""

from __future__ import annotations

import pytest

from o365relay.errors import IncompleteRead, NotFound
from o365relay.sandbox.faults import FaultPlan
from o365relay.tenant.exchange import ExchangeClient
from o365relay.tenant.settings import Endpoints

pytestmark = pytest.mark.anyio

CONNECTOR = {"ConnectorType": "OnPremises", "SenderDomains": ["*"], "RequireTls": True}


async def _two_connectors(exo: ExchangeClient) -> None:
    for name, ip in (("Relay-A", "203.0.113.10"), ("Relay-B", "203.0.113.20")):
        await exo.invoke("New-InboundConnector", {**CONNECTOR, "Name": name, "SenderIPAddresses": [ip]})


async def test_a_truncated_read_is_incomplete_not_short(sandbox_env):
    async with ExchangeClient(Endpoints.from_env()) as exo:
        await _two_connectors(exo)
        sandbox_env.set_faults(FaultPlan(shapes=("truncated",)))
        with pytest.raises(IncompleteRead, match="part of the result"):
            await exo.invoke("Get-InboundConnector")
        [batched] = await exo.invoke_batch([("Get-InboundConnector", {})])
        assert isinstance(batched, IncompleteRead)


async def test_a_set_warning_is_not_truncation(sandbox_env):
    async with ExchangeClient(Endpoints.from_env()) as exo:
        grant = {"Identity": "invoices@contoso.com", "Trustee": "erp@contoso.com", "AccessRights": "SendAs"}
        await exo.invoke("Add-RecipientPermission", grant)
        again = await exo.invoke("Add-RecipientPermission", grant)
        assert "already present" in again.warnings[0]


async def test_error_text_under_camel_case_keys_is_read(sandbox_env):
    sandbox_env.set_faults(FaultPlan(shapes=("error-case",)))
    async with ExchangeClient(Endpoints.from_env()) as exo:
        assert await exo.get_by_identity("Get-InboundConnector", "Nope") is None
        with pytest.raises(NotFound, match="couldn't be found"):
            await exo.invoke("Remove-InboundConnector", {"Identity": "Nope"})


async def test_an_empty_2xx_is_success(sandbox_env):
    async with ExchangeClient(Endpoints.from_env()) as exo:
        await _two_connectors(exo)
        sandbox_env.set_faults(FaultPlan(shapes=("empty-2xx",)))
        assert await exo.invoke("Remove-InboundConnector", {"Identity": "Relay-A"}) == []
        sandbox_env.set_faults(None)
        assert [r["Name"] for r in await exo.invoke("Get-InboundConnector")] == ["Relay-B"]


async def test_unfiltered_get_is_filtered_client_side(sandbox_env):
    async with ExchangeClient(Endpoints.from_env()) as exo:
        await _two_connectors(exo)
        sandbox_env.set_faults(FaultPlan(shapes=("unfiltered",)))
        assert len(await exo.invoke("Get-InboundConnector", {"Identity": "Relay-A"})) == 2  # the shape
        assert (await exo.get_by_identity("Get-InboundConnector", "Relay-B"))["Name"] == "Relay-B"
        assert await exo.get_by_identity("Get-InboundConnector", "Nope") is None
