"""The provider host's per-process plumbing: provider calls share open tenant clients, and the
process runs a bounded number of operations at once whatever the engine's --parallel."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from components.providers.session import OPERATIONS, TenantSession, run
from o365relay.sandbox.faults import FaultPlan


def test_provider_calls_share_the_open_clients_and_one_token(sandbox_env: Any) -> None:
    tokens = FaultPlan(paths=(f"/{sandbox_env.tenant_id}/oauth2/",))
    sandbox_env.set_faults(tokens)

    async def call() -> tuple[Any, Any, list[Any]]:
        async with TenantSession({}) as session:
            exo = await session.exchange()
            return exo, await session.graph(), await exo.invoke("Get-TransportConfig")

    first_exo, first_graph, _ = run(call())
    second_exo, second_graph, rows = run(call())  # after the first session closed
    assert (second_exo, second_graph) == (first_exo, first_graph)
    assert rows and "SmtpClientAuthenticationDisabled" in rows[0]
    assert tokens.stats["requests"] == 1  # one Exchange token for both calls


def test_the_process_runs_a_bounded_number_of_operations_at_once() -> None:
    active = peak = 0

    async def operation() -> None:
        nonlocal active, peak
        active += 1
        peak = max(peak, active)
        await asyncio.sleep(0.05)
        active -= 1

    with ThreadPoolExecutor(4 * OPERATIONS) as engine_threads:
        list(engine_threads.map(lambda _: run(operation()), range(4 * OPERATIONS)))
    assert peak == OPERATIONS
