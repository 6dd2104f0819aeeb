"""Exchange's per-tenant concurrency limit (fault plan ``exo-concurrency``): past it the admin endpoint
answers 429 with the plain-text reply and Retry-After; a client that waits gets every answer."""

from __future__ import annotations

import asyncio
import ssl

import httpx
import pytest

from o365relay.sandbox.faults import EXO_CONCURRENCY_TEXT, FaultPlan
from o365relay.tenant.exchange import ExchangeClient
from o365relay.tenant.retry import RetryPolicy


async def _two_at_once(exo, token: str) -> list[httpx.Response]:
    tls = ssl.create_default_context(cafile=str(exo.sandbox.ca_file))
    async with httpx.AsyncClient(verify=tls, timeout=30) as http:
        body = {"CmdletInput": {"CmdletName": "Get-TransportConfig", "Parameters": {}}}
        headers = {"Authorization": f"Bearer {token}"}
        return list(await asyncio.gather(*(http.post(exo.url, json=body, headers=headers) for _ in range(2))))


def test_the_request_past_the_limit_is_refused_with_retry_after(exo) -> None:
    token = exo.token()
    plan = FaultPlan(exo_concurrency=1, latency=0.3, retry_after=2, paths=("/adminapi/",))
    exo.sandbox.set_faults(plan)
    replies = asyncio.run(_two_at_once(exo, token))
    assert sorted(r.status_code for r in replies) == [200, 429]
    refused = next(r for r in replies if r.status_code == 429)
    assert refused.text == EXO_CONCURRENCY_TEXT and refused.headers["retry-after"] == "2"
    assert plan.stats["exoConcurrency"] == 1
    exo.sandbox.set_faults(FaultPlan(exo_concurrency=1))  # one at a time is always served
    assert exo.invoke("Get-TransportConfig", token=token).status_code == 200


@pytest.mark.anyio
async def test_a_client_over_the_limit_waits_and_gets_every_answer(sandbox_env) -> None:
    plan = FaultPlan(exo_concurrency=1, latency=0.05, retry_after=0, paths=("/adminapi/",))
    sandbox_env.set_faults(plan)
    async with ExchangeClient(sandbox_env.endpoints(), concurrency=3, policy=RetryPolicy(max_attempts=30)) as exo:
        results = await asyncio.gather(*(exo.invoke("Get-TransportConfig") for _ in range(6)))
    assert all(len(rows) == 1 for rows in results)
    assert plan.stats["exoConcurrency"] >= 1  # it was throttled on the way


def test_the_limit_is_part_of_the_text_form() -> None:
    assert FaultPlan.parse("exo-concurrency=9,latency=0.05").exo_concurrency == 9
    with pytest.raises(Exception, match="exo-concurrency=-1"):
        FaultPlan(exo_concurrency=-1)
