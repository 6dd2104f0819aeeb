"""Fixtures for the tenant-layer tests: a recording fake credential and an instant retry policy."""

from __future__ import annotations

import random
import time
from typing import Any

import pytest
from azure.core.credentials import AccessToken

from o365relay.tenant.retry import RetryPolicy
from o365relay.tenant.settings import Endpoints

TOKEN = "eyJ0eXAiOiJKV1Qi.SECRET-TOKEN-VALUE.sig"


class FakeCredential:
    """Stands in for azure-identity where Microsoft is replaced by a MockTransport app."""

    def __init__(self) -> None:
        self.scopes: list[str] = []

    async def get_token(self, *scopes: str, **_: Any) -> AccessToken:
        self.scopes.extend(scopes)
        return AccessToken(TOKEN, int(time.time()) + 3600)

    async def close(self) -> None:
        pass


class Sleeps:
    """An injected sleep that records waits instead of waiting, and a clock that follows them."""

    def __init__(self) -> None:
        self.waits: list[float] = []
        self.now = 0.0

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def policy(sleeps: Sleeps) -> RetryPolicy:
    return RetryPolicy(max_attempts=5, max_total=60.0, sleep=sleeps, clock=sleeps.clock, rng=random.Random(1))


@pytest.fixture
def endpoints() -> Endpoints:
    return Endpoints.global_cloud("7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a")


@pytest.fixture
def credential() -> FakeCredential:
    return FakeCredential()


@pytest.fixture
def token() -> str:
    return TOKEN


@pytest.fixture
def anyio_backend() -> str:
    """Async tests run under anyio's pytest plugin (installed with httpx) on asyncio."""
    return "asyncio"
