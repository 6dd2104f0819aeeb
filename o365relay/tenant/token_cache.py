"""One token request per scope, however many calls want it at once.

azure-identity's async credentials cache tokens, but a burst of concurrent first calls (an audit's
hundreds of batched reads, a provider host's parallel steps) each miss the cache and each ask the
sign-in endpoint: measured against the sandbox, 825 token requests for one naive read. :class:`TokenCache`
wraps any ``AsyncTokenCredential``: the first caller per scope fetches, the others wait for that
token, and it is reused until five minutes before it expires. It holds tokens in process memory
only, like the credential under it, and is never pickled.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from azure.core.credentials import AccessToken
    from azure.core.credentials_async import AsyncTokenCredential

REFRESH_MARGIN = 300  # seconds before expiry a cached token is replaced


class TokenCache:
    """An ``AsyncTokenCredential`` in front of ``inner``; :meth:`close` is a no-op (kiota closes the
    credential after every token request), :meth:`aclose` closes ``inner`` for its owner."""

    def __init__(self, inner: AsyncTokenCredential):
        self.inner = inner
        self._tokens: dict[tuple[Any, ...], AccessToken] = {}
        self._locks: dict[tuple[Any, ...], asyncio.Lock] = {}

    @classmethod
    def of(cls, credential: AsyncTokenCredential) -> TokenCache:
        """``credential`` itself when it already is one, else a cache in front of it."""
        return credential if isinstance(credential, TokenCache) else cls(credential)

    def __getstate__(self) -> Any:
        raise TypeError("a TokenCache holds tokens and is never pickled")

    async def get_token(self, *scopes: str, claims: str | None = None, tenant_id: str | None = None,
                        **kwargs: Any) -> AccessToken:
        if claims or tenant_id:  # a claims challenge or another tenant: always a fresh request
            return await self.inner.get_token(*scopes, claims=claims, tenant_id=tenant_id, **kwargs)
        key = (*scopes, bool(kwargs.get("enable_cae")))
        token = self._fresh(key)
        if token is not None:
            return token
        lock = self._locks.setdefault((id(asyncio.get_running_loop()), *key), asyncio.Lock())  # a Lock is per loop
        async with lock:
            token = self._fresh(key)
            if token is None:
                token = self._tokens[key] = await self.inner.get_token(*scopes, **kwargs)
            return token

    def _fresh(self, key: tuple[Any, ...]) -> AccessToken | None:
        token = self._tokens.get(key)
        return token if token is not None and token.expires_on - REFRESH_MARGIN > time.time() else None

    async def close(self) -> None:
        """Kept open: callers that share this cache do not own it."""

    async def aclose(self) -> None:
        await self.inner.close()

    async def __aenter__(self) -> TokenCache:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
