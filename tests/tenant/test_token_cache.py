"""One token request per scope, however many calls want a token at once (real azure-identity
against the sandbox's token endpoint, which counts what it is asked)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from azure.core.credentials import AccessToken

from o365relay.sandbox.faults import FaultPlan
from o365relay.tenant.exchange import ExchangeClient
from o365relay.tenant.graph import GraphClient
from o365relay.tenant.settings import Endpoints
from o365relay.tenant.token_cache import REFRESH_MARGIN, TokenCache

pytestmark = pytest.mark.anyio


def _count_token_requests(sandbox: Any) -> FaultPlan:
    plan = FaultPlan(paths=(f"/{sandbox.tenant_id}/oauth2/",))
    sandbox.set_faults(plan)
    return plan


async def test_a_burst_of_first_calls_signs_in_once_per_resource(sandbox_env):
    plan = _count_token_requests(sandbox_env)
    async with ExchangeClient(Endpoints.from_env()) as exo, GraphClient(Endpoints.from_env()) as graph:
        reads = [exo.invoke("Get-TransportConfig") for _ in range(12)]
        reads += [graph.batch_get(["/domains"]) for _ in range(12)]
        await asyncio.gather(*reads)
    assert plan.stats["requests"] == 2  # one Exchange token, one Graph token


class _Expiring:
    """A credential whose tokens live ``lifetime`` seconds (the sign-in side is not what is tested)."""

    def __init__(self, lifetime: int):
        self.lifetime, self.issued = lifetime, 0

    async def get_token(self, *scopes: str, **_: Any) -> AccessToken:
        self.issued += 1
        return AccessToken(f"t{self.issued}", int(time.time()) + self.lifetime)

    async def close(self) -> None:
        pass


async def test_a_token_near_expiry_is_replaced_and_a_claims_challenge_is_never_cached():
    short = _Expiring(REFRESH_MARGIN - 1)
    cache = TokenCache(short)  # type: ignore[arg-type]
    assert (await cache.get_token("s")).token == "t1"
    assert (await cache.get_token("s")).token == "t2"  # within the margin: asked again
    long = _Expiring(3600)
    cache = TokenCache(long)  # type: ignore[arg-type]
    assert [(await cache.get_token("s")).token for _ in range(3)] == ["t1"] * 3
    assert (await cache.get_token("s", claims='{"access_token":{}}')).token == "t2"
    assert (await cache.get_token("other")).token == "t3"
