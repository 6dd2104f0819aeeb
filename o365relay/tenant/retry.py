"""The one retry policy for Graph and the Exchange admin endpoint.

Both clients send every request through :class:`RetryTransport` (an httpx transport wrapper; for
Graph it sits under msgraph-sdk's middleware, whose own RetryHandler is left out), and both resend
throttled ``$batch`` sub-requests through :meth:`RetryPolicy.run_batch`.

What is retried, and why it is safe:

- **Refused** requests, which the service did not carry out: 429, 503, and Exchange's plain-text
  "You have reached the maximum number of concurrent requests per tenant" reply (whatever its
  status), and connections that failed before the request was sent. Any method.
- **Ambiguous** failures, where the service may have carried the request out: 504 and connections
  dropped after the request was sent. Only requests that are safe to repeat: GET/HEAD/OPTIONS/PUT/
  DELETE, and requests marked idempotent (the ``o365relay.idempotent`` request extension, or the
  kiota :class:`IdempotentOption` for msgraph-sdk calls). The Exchange client marks ``Get-*`` cmdlets
  and the writes its callers declare idempotent.

``Retry-After`` (seconds or an HTTP date) is honoured; without it the wait is full-jitter
exponential backoff. Attempts and total time are bounded: when the budget is spent, or the server
asks for a wait longer than what is left, the last response (or error) is handed back and the
client turns it into :class:`~o365relay.errors.Throttled` or :class:`~o365relay.errors.TransientError`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

import httpx

log = logging.getLogger(__name__)

IDEMPOTENT = "o365relay.idempotent"
EXO_CONCURRENCY_TEXT = "maximum number of concurrent requests per tenant"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class SubResponse:
    """One ``$batch`` sub-response: status, headers (lower-case names) and parsed body."""

    status: int
    headers: Mapping[str, str]
    body: Any


@dataclass(frozen=True)
class RetryPolicy:
    """Bounds and timing of retries. ``sleep``, ``clock`` and ``rng`` are injectable for tests."""

    max_attempts: int = 8
    max_total: float = 120.0
    base_delay: float = 0.5
    max_delay: float = 30.0
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    clock: Callable[[], float] = time.monotonic
    rng: random.Random = field(default_factory=random.Random)

    def backoff(self, attempt: int) -> float:
        """Full jitter: uniform in [0, min(max_delay, base_delay * 2**attempt)]."""
        return self.rng.uniform(0.0, min(self.max_delay, self.base_delay * 2 ** attempt))

    def next_wait(self, attempt: int, started: float, retry_after: float | None) -> float | None:
        """Seconds to wait before attempt ``attempt + 1``, or None when the budget is spent."""
        if attempt >= self.max_attempts:
            return None
        wait = retry_after if retry_after is not None else self.backoff(attempt)
        if self.clock() - started + wait > self.max_total:
            return None
        return wait

    async def run_batch(
        self,
        send: Callable[[list[K]], Awaitable[dict[K, SubResponse]]],
        keys: Sequence[K],
        is_safe: Callable[[K], bool],
    ) -> dict[K, SubResponse]:
        """Send ``keys`` with ``send``; resend only the sub-requests that came back retryable.

        ``send`` performs one ``$batch`` round trip (itself through :class:`RetryTransport`) and
        returns a sub-response per key it sent.
        """
        results: dict[K, SubResponse] = {}
        pending, attempt, started = list(keys), 0, self.clock()
        while pending:
            attempt += 1
            results.update(await send(pending))
            retry = [k for k in pending if _sub_retryable(results[k], is_safe(k))]
            waits = [w for w in (retry_after_seconds(results[k].headers) for k in retry) if w is not None]
            wait = self.next_wait(attempt, started, max(waits) if waits else None) if retry else None
            if wait is None:
                break
            log.info("resending %d of %d batch sub-requests in %.1f s (attempt %d/%d)",
                     len(retry), len(pending), wait, attempt + 1, self.max_attempts)
            await self.sleep(wait)
            pending = retry
        return results


DEFAULT_POLICY = RetryPolicy()


def retry_after_seconds(headers: Mapping[str, str]) -> float | None:
    """``Retry-After`` as seconds from now (delta-seconds or HTTP date); None if absent or bad."""
    value = headers.get("retry-after") or headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def is_concurrency_reply(text: str) -> bool:
    return EXO_CONCURRENCY_TEXT in text


def _refused(status: int, text: str) -> bool:
    return status in (429, 503) or (status >= 400 and is_concurrency_reply(text))


def _sub_retryable(sub: SubResponse, safe: bool) -> bool:
    text = sub.body if isinstance(sub.body, str) else json.dumps(sub.body)
    return _refused(sub.status, text) or (sub.status == 504 and safe)


def is_safe_to_repeat(request: httpx.Request) -> bool:
    """GET-like methods, or a request its sender marked idempotent (the Graph client's last middleware
    turns its kiota option into this mark, since kiota drops request options before the transport)."""
    return request.method in _SAFE_METHODS or bool(request.extensions.get(IDEMPOTENT))


class RetryTransport(httpx.AsyncBaseTransport):
    """Wraps a transport and applies :class:`RetryPolicy` to every request through it."""

    def __init__(self, inner: httpx.AsyncBaseTransport, policy: RetryPolicy = DEFAULT_POLICY):
        self._inner = inner
        self._policy = policy

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        policy, started, attempt = self._policy, self._policy.clock(), 0
        while True:
            attempt += 1
            try:
                response = await self._inner.handle_async_request(request)
            except httpx.TransportError as exc:
                retryable = isinstance(exc, _NOT_SENT) or is_safe_to_repeat(request)
                wait = policy.next_wait(attempt, started, None) if retryable else None
                if wait is None:
                    raise
                self._log(request, type(exc).__name__, wait, attempt)
                await policy.sleep(wait)
                continue
            response, reason = await _retry_reason(response)
            if reason is None or (reason == "ambiguous" and not is_safe_to_repeat(request)):
                return response
            wait = policy.next_wait(attempt, started, retry_after_seconds(response.headers))
            if wait is None:
                return response
            await response.aclose()
            self._log(request, str(response.status_code), wait, attempt)
            await policy.sleep(wait)

    def _log(self, request: httpx.Request, what: str, wait: float, attempt: int) -> None:
        log.info("retrying %s %s after %s in %.1f s (attempt %d/%d)", request.method,
                 request.url.copy_with(query=None), what, wait, attempt + 1, self._policy.max_attempts)

    async def aclose(self) -> None:
        await self._inner.aclose()


async def _retry_reason(response: httpx.Response) -> tuple[httpx.Response, str | None]:
    """The response (re-buffered if its body was read) and "refused", "ambiguous" or None."""
    status = response.status_code
    if status in (429, 503):
        return response, "refused"
    if status == 504:
        return response, "ambiguous"
    if status >= 400 and response.headers.get("content-type", "").startswith("text/plain"):
        response, text = await _buffered_text(response)
        if is_concurrency_reply(text):
            return response, "refused"
    return response, None


async def _buffered_text(response: httpx.Response) -> tuple[httpx.Response, str]:
    """Read a small error body without spoiling it for the client (raw bytes are re-buffered, so
    an undecodable body, such as Exchange's 403 of NUL bytes "in gzip", still reaches the client)."""
    try:
        return response, response.content.decode("utf-8", "replace")
    except httpx.ResponseNotRead:
        pass
    raw = b"".join([chunk async for chunk in response.aiter_raw()])
    await response.aclose()
    # a stream, not content=: content is decoded at once, and an undecodable body would raise here
    response = httpx.Response(response.status_code, headers=response.headers, stream=httpx.ByteStream(raw),
                              extensions=response.extensions)
    try:
        decoded = httpx.Response(200, headers=response.headers, content=raw).read()
    except httpx.DecodingError:
        decoded = b""
    return response, decoded.decode("utf-8", "replace")


T = TypeVar("T")


async def create_or_recover(create: Callable[[], Awaitable[T]], find: Callable[[], Awaitable[T | None]],
                            policy: RetryPolicy = DEFAULT_POLICY) -> T:
    """Run a non-idempotent create whose failure may be ambiguous (a connection dropped after the
    request was sent): after such a failure, look the object up with ``find`` before creating again,
    and accept a "conflict" that our own earlier attempt caused. Returns the created object."""
    from o365relay.errors import Conflict, TransientError

    ambiguous = False
    for attempt in range(1, policy.max_attempts + 1):
        if ambiguous and (found := await find()) is not None:
            return found
        try:
            return await create()
        except Conflict:
            if ambiguous and (found := await find()) is not None:
                return found
            raise
        except TransientError:
            if attempt == policy.max_attempts:
                raise
            ambiguous = True
            log.info("create failed ambiguously; checking whether it landed (attempt %d)", attempt)
    raise AssertionError("unreachable")
