"""One token request per scope, however many calls want a token at once (real azure-identity
against the sandbox's token endpoint, which counts what it is asked)."""

from __future__ import annotations

import asyncio
import pickle
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


class _Recording:
    """A credential that records what each token request asked for, and can hold a request open."""

    def __init__(self, lifetime: int = 3600):
        self.lifetime = lifetime
        self.asked: list[tuple[tuple[str, ...], dict[str, Any]]] = []
        self.hold: dict[str, asyncio.Event] = {}

    async def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        self.asked.append((scopes, kwargs))
        name = f"t{len(self.asked)}"
        await asyncio.sleep(0)  # a request takes a turn of the loop at least, as a real one does
        if scopes[0] in self.hold:
            await self.hold[scopes[0]].wait()
        return AccessToken(name, int(time.time()) + self.lifetime)

    async def close(self) -> None:
        pass


async def test_a_claims_challenge_or_another_tenant_is_passed_on_whole():
    inner = _Recording()
    cache = TokenCache(inner)  # type: ignore[arg-type]
    await cache.get_token("s", claims='{"access_token":{"nbf":{"essential":true}}}', enable_cae=True)
    await cache.get_token("s", tenant_id="other-tenant")
    assert inner.asked == [
        (("s",), {"claims": '{"access_token":{"nbf":{"essential":true}}}', "tenant_id": None, "enable_cae": True}),
        (("s",), {"claims": None, "tenant_id": "other-tenant"}),
    ]


async def test_a_cae_token_is_cached_apart_from_a_plain_one():
    inner = _Recording()
    cache = TokenCache(inner)  # type: ignore[arg-type]
    tokens = [(await cache.get_token("s", **options)).token
              for options in ({}, {"enable_cae": True}, {}, {"enable_cae": True})]
    assert tokens == ["t1", "t2", "t1", "t2"]
    assert [kwargs for _, kwargs in inner.asked] == [{}, {"enable_cae": True}]


async def test_concurrent_callers_of_one_scope_share_one_request_and_other_scopes_do_not_wait():
    inner = _Recording()
    inner.hold["slow"] = asyncio.Event()
    cache = TokenCache(inner)  # type: ignore[arg-type]
    waiting = [asyncio.create_task(cache.get_token("slow")) for _ in range(5)]
    await asyncio.sleep(0)
    assert (await asyncio.wait_for(cache.get_token("fast"), timeout=5)).token == "t2"
    inner.hold["slow"].set()
    assert {(await task).token for task in waiting} == {"t1"}
    assert [scopes for scopes, _ in inner.asked] == [("slow",), ("fast",)]


def test_one_cache_serves_one_event_loop_after_another():
    """The CLI and the provider host run several event loops in turn over one cache; asyncio locks are
    bound to the loop that first waits on them."""
    inner = _Recording(lifetime=REFRESH_MARGIN - 1)  # never fresh: every call asks, and callers contend
    cache = TokenCache(inner)  # type: ignore[arg-type]

    async def burst() -> list[str]:
        return [t.token for t in await asyncio.gather(*(cache.get_token("s") for _ in range(3)))]

    assert len(asyncio.run(burst())) == 3
    assert len(asyncio.run(burst())) == 3


async def test_a_token_exactly_at_the_refresh_margin_is_replaced(monkeypatch):
    now = float(int(time.time()))
    monkeypatch.setattr(time, "time", lambda: now)  # a whole second, as token expiry times are
    cache = TokenCache(_Expiring(REFRESH_MARGIN))  # type: ignore[arg-type]
    assert [(await cache.get_token("s")).token for _ in range(2)] == ["t1", "t2"]


async def test_of_wraps_a_credential_once():
    inner = _Recording()
    cache = TokenCache.of(inner)  # type: ignore[arg-type]
    assert isinstance(cache, TokenCache) and cache.inner is inner
    assert TokenCache.of(cache) is cache


def test_a_token_cache_is_never_pickled():
    with pytest.raises(TypeError, match="^a TokenCache holds tokens and is never pickled$"):
        pickle.dumps(TokenCache(_Recording()))  # type: ignore[arg-type]
