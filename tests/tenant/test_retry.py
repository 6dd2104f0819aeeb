"""The one retry policy, driven by small httpx.MockTransport apps (quirks the sandbox cannot force)."""

from __future__ import annotations

import email.utils
import gzip
import logging
import random
import time

import httpx
import pytest

from o365relay.errors import Conflict, TransientError
from o365relay.tenant.retry import (
    IDEMPOTENT,
    RetryPolicy,
    RetryTransport,
    SubResponse,
    create_or_recover,
    retry_after_seconds,
)

pytestmark = pytest.mark.anyio

CONCURRENCY = (
    "You have reached the maximum number of concurrent requests per tenant. Please wait and try again"
)


def scripted(*replies: httpx.Response | Exception) -> tuple[httpx.MockTransport, list[httpx.Request]]:
    """A transport answering with ``replies`` in order (an exception is raised instead)."""
    seen: list[httpx.Request] = []
    queue = list(replies)

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        reply = queue.pop(0)
        if isinstance(reply, Exception):
            raise reply
        return reply

    return httpx.MockTransport(handler), seen


async def send(
    transport: httpx.MockTransport, policy: RetryPolicy, method: str = "GET", **extensions: bool
) -> httpx.Response:
    async with httpx.AsyncClient(transport=RetryTransport(transport, policy)) as client:
        request = client.build_request(
            method, "https://graph.example/v1.0/users", json={"a": 1}, extensions=extensions
        )
        return await client.send(request)


async def test_429_waits_exactly_retry_after_then_succeeds(policy, sleeps):
    transport, seen = scripted(httpx.Response(429, headers={"Retry-After": "7"}), httpx.Response(200))
    response = await send(transport, policy)
    assert response.status_code == 200
    assert len(seen) == 2
    assert sleeps.waits == [7.0]


async def test_retry_after_as_http_date():
    later = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert 28 <= retry_after_seconds({"retry-after": later}) <= 31
    assert retry_after_seconds({"retry-after": "soon"}) is None
    assert retry_after_seconds({}) is None


async def test_exchange_concurrency_text_is_retried_even_for_a_write(policy, sleeps):
    refused = httpx.Response(400, text=CONCURRENCY, headers={"content-type": "text/plain"})
    transport, seen = scripted(refused, httpx.Response(200, json={"value": []}))
    response = await send(transport, policy, "POST")
    assert response.status_code == 200 and len(seen) == 2
    assert seen[1].content == b'{"a":1}'  # the body was sent again intact


async def test_503_without_retry_after_uses_bounded_full_jitter(policy, sleeps):
    transport, seen = scripted(*[httpx.Response(503)] * 4, httpx.Response(200))
    assert (await send(transport, policy)).status_code == 200
    assert len(sleeps.waits) == 4
    for attempt, wait in enumerate(sleeps.waits, start=1):
        assert 0 <= wait <= min(policy.max_delay, policy.base_delay * 2**attempt)


async def test_attempts_are_bounded_and_the_last_reply_is_returned(policy, sleeps):
    transport, seen = scripted(*[httpx.Response(429, headers={"Retry-After": "1"})] * 10)
    response = await send(transport, policy)
    assert response.status_code == 429
    assert len(seen) == policy.max_attempts == 5


async def test_retry_after_beyond_the_time_budget_gives_up_without_sleeping(policy, sleeps):
    transport, seen = scripted(httpx.Response(429, headers={"Retry-After": "3600"}), httpx.Response(200))
    assert (await send(transport, policy)).status_code == 429
    assert sleeps.waits == [] and len(seen) == 1


async def test_504_is_retried_for_get_but_not_for_a_plain_post(policy, sleeps):
    transport, seen = scripted(httpx.Response(504), httpx.Response(200))
    assert (await send(transport, policy, "GET")).status_code == 200
    transport, seen = scripted(httpx.Response(504), httpx.Response(200))
    assert (await send(transport, policy, "POST")).status_code == 504
    assert len(seen) == 1


async def test_dropped_connection_retried_only_when_safe(policy, sleeps):
    drop = httpx.RemoteProtocolError("Server disconnected without sending a response.")
    transport, seen = scripted(drop, httpx.Response(200))
    assert (await send(transport, policy, "POST", **{IDEMPOTENT: True})).status_code == 200
    transport, seen = scripted(drop, httpx.Response(200))
    with pytest.raises(httpx.RemoteProtocolError):
        await send(transport, policy, "POST")
    assert len(seen) == 1


async def test_connection_refused_is_retried_for_any_method(policy, sleeps):
    transport, seen = scripted(httpx.ConnectError("refused"), httpx.Response(201))
    assert (await send(transport, policy, "POST")).status_code == 201


async def test_batch_resends_only_the_throttled_sub_requests(policy, sleeps):
    rounds: list[list[str]] = []

    async def send_batch(keys: list[str]) -> dict[str, SubResponse]:
        rounds.append(list(keys))
        throttled = {"b"} if len(rounds) == 1 else set()
        return {
            k: SubResponse(429, {"retry-after": "2"}, {"error": {"code": "TooManyRequests"}})
            if k in throttled
            else SubResponse(200, {}, {"id": k})
            for k in keys
        }

    results = await policy.run_batch(send_batch, ["a", "b", "c"], lambda _: True)
    assert rounds == [["a", "b", "c"], ["b"]]
    assert {k: r.status for k, r in results.items()} == {"a": 200, "b": 200, "c": 200}
    assert sleeps.waits == [2.0]


async def test_batch_504_sub_request_not_resent_when_unsafe(policy, sleeps):
    rounds: list[list[str]] = []

    async def send_batch(keys: list[str]) -> dict[str, SubResponse]:
        rounds.append(list(keys))
        return {k: SubResponse(504, {}, None) for k in keys}

    results = await policy.run_batch(send_batch, ["w"], lambda _: False)
    assert rounds == [["w"]] and results["w"].status == 504


async def test_batch_waits_for_the_longest_retry_after_among_throttled_sub_requests(policy, sleeps):
    """Resending before the slowest throttled sub-request's Retry-After has passed would be refused again."""
    rounds: list[list[str]] = []
    asked = {"a": "3", "b": "11", "c": "5"}

    async def send_batch(keys: list[str]) -> dict[str, SubResponse]:
        rounds.append(list(keys))
        if len(rounds) > 1:
            return {k: SubResponse(200, {}, {"id": k}) for k in keys}
        return {k: SubResponse(429, {"retry-after": asked[k]}, {"error": {"code": "TooManyRequests"}})
                if k in asked else SubResponse(200, {}, {"id": k}) for k in keys}

    results = await policy.run_batch(send_batch, ["a", "b", "c", "d"], lambda _: True)
    assert rounds == [["a", "b", "c", "d"], ["a", "b", "c"]]
    assert sleeps.waits == [11.0]
    assert {k: r.status for k, r in results.items()} == dict.fromkeys("abcd", 200)


async def test_batch_throttled_without_retry_after_backs_off_and_honours_the_one_given(policy, sleeps):
    rounds: list[list[str]] = []

    async def send_batch(keys: list[str]) -> dict[str, SubResponse]:
        rounds.append(list(keys))
        if len(rounds) == 1:
            return {"x": SubResponse(503, {}, {"error": {"code": "ServiceUnavailable"}}),
                    "y": SubResponse(429, {"Retry-After": "4"}, {"error": {"code": "TooManyRequests"}})}
        if len(rounds) == 2:
            return {"x": SubResponse(503, {}, {"error": {"code": "ServiceUnavailable"}}), "y": SubResponse(200, {}, {})}
        return {"x": SubResponse(200, {}, {})}

    results = await policy.run_batch(send_batch, ["x", "y"], lambda _: True)
    assert rounds == [["x", "y"], ["x", "y"], ["x"]]
    assert sleeps.waits[0] == 4.0  # the given Retry-After, not a backoff draw
    assert 0 <= sleeps.waits[1] <= min(policy.max_delay, policy.base_delay * 2 ** 2)
    assert results["x"].status == results["y"].status == 200


async def test_batch_gives_up_after_max_attempts_and_returns_the_last_sub_responses(policy, sleeps):
    rounds: list[list[str]] = []

    async def send_batch(keys: list[str]) -> dict[str, SubResponse]:
        rounds.append(list(keys))
        return {k: SubResponse(429, {"retry-after": "1"}, {"error": {"code": "TooManyRequests"}}) for k in keys}

    results = await policy.run_batch(send_batch, ["k"], lambda _: True)
    assert len(rounds) == policy.max_attempts == 5
    assert sleeps.waits == [1.0] * 4 and results["k"].status == 429


class Directory:
    """A tenant that carries out a create but may drop the connection before answering.

    ``outcomes`` script each create call: "ok" answers, "lost" lands the object then fails
    ambiguously, "refused" fails before anything lands. ``visible_after`` delays how many lookups
    pass before a landed object shows (directory replication)."""

    def __init__(self, *outcomes: str, visible_after: int = 0, exists: bool = False) -> None:
        self.outcomes = list(outcomes)
        self.objects: list[str] = ["existing"] if exists else []
        self.creates = self.finds = 0
        self.visible_after = visible_after

    async def create(self) -> str:
        self.creates += 1
        if self.objects:
            raise Conflict("an object with this name already exists")
        outcome = self.outcomes.pop(0)
        if outcome == "refused":
            raise TransientError("connection refused")
        self.objects.append(f"obj-{self.creates}")
        if outcome == "lost":
            raise TransientError("server disconnected after the request was sent")
        return self.objects[-1]

    async def find(self) -> str | None:
        self.finds += 1
        if self.finds <= self.visible_after:
            return None
        return self.objects[0] if self.objects else None


async def test_create_that_succeeds_is_not_looked_up(policy):
    tenant = Directory("ok")
    assert await create_or_recover(tenant.create, tenant.find, policy) == "obj-1"
    assert (tenant.creates, tenant.finds) == (1, 0)


async def test_create_whose_answer_was_lost_is_found_not_made_twice(policy):
    tenant = Directory("lost")
    assert await create_or_recover(tenant.create, tenant.find, policy) == "obj-1"
    assert tenant.objects == ["obj-1"] and tenant.creates == 1


async def test_create_that_did_not_land_is_made_again(policy):
    tenant = Directory("refused", "ok")
    assert await create_or_recover(tenant.create, tenant.find, policy) == "obj-2"
    assert tenant.objects == ["obj-2"] and (tenant.creates, tenant.finds) == (2, 1)


async def test_conflict_caused_by_our_own_lost_create_is_accepted(policy):
    """The lookup right after the drop misses the object (replication); the retry's conflict is ours."""
    tenant = Directory("lost", visible_after=1)
    assert await create_or_recover(tenant.create, tenant.find, policy) == "obj-1"
    assert tenant.objects == ["obj-1"] and (tenant.creates, tenant.finds) == (2, 2)


async def test_conflict_with_someone_elses_object_is_raised_without_a_lookup(policy):
    tenant = Directory(exists=True)
    with pytest.raises(Conflict, match="already exists"):
        await create_or_recover(tenant.create, tenant.find, policy)
    assert (tenant.creates, tenant.finds) == (1, 0)


async def test_conflict_after_a_lost_create_is_raised_when_nothing_turns_up(policy):
    tenant = Directory("lost", visible_after=5)
    with pytest.raises(Conflict):
        await create_or_recover(tenant.create, tenant.find, policy)
    assert (tenant.creates, tenant.finds) == (2, 2)


async def test_create_failing_every_attempt_gives_up_after_max_attempts(policy):
    tenant = Directory(*["refused"] * 10)
    with pytest.raises(TransientError, match="connection refused"):
        await create_or_recover(tenant.create, tenant.find, policy)
    assert tenant.creates == policy.max_attempts == 5 and tenant.finds == 4


def streamed(status: int, body: bytes, **headers: str) -> httpx.Response:
    """A reply whose body is still on the wire (not read), as the real transport hands it over."""
    return httpx.Response(status, headers=headers, stream=httpx.ByteStream(body))


async def test_concurrency_reply_still_on_the_wire_is_read_and_retried(policy, sleeps):
    transport, seen = scripted(streamed(400, CONCURRENCY.encode(), **{"content-type": "text/plain"}),
                               httpx.Response(200, json={"value": []}))
    response = await send(transport, policy, "POST")
    assert response.status_code == 200 and len(seen) == 2


async def test_other_plain_text_error_reaches_the_client_with_its_body_intact(policy, sleeps):
    text = "The user is not allowed to run New-InboundConnector: café ☕"
    transport, seen = scripted(streamed(403, text.encode(), **{"content-type": "text/plain; charset=utf-8",
                                                                "x-ms-diagnostics": "2000000"}))
    response = await send(transport, policy, "POST")
    assert response.status_code == 403 and len(seen) == 1 and sleeps.waits == []
    assert response.text == text and response.headers["x-ms-diagnostics"] == "2000000"


async def test_undecodable_error_body_reaches_the_client_byte_for_byte(policy, sleeps):
    """Exchange's 403 of NUL bytes declared as gzip: the client must still see the 403 (not a decoding crash)."""
    transport, seen = scripted(streamed(403, b"\x00" * 64, **{"content-type": "text/plain",
                                                               "content-encoding": "gzip"}))
    url = "https://outlook.example/adminapi/beta/x/InvokeCommand"
    async with httpx.AsyncClient(transport=RetryTransport(transport, policy)) as client, \
            client.stream("GET", url) as response:
        raw = b"".join([chunk async for chunk in response.aiter_raw()])
    assert response.status_code == 403 and len(seen) == 1
    assert raw == b"\x00" * 64


async def test_gzip_concurrency_reply_is_recognised_after_decoding(policy, sleeps):
    transport, seen = scripted(streamed(503 - 100, gzip.compress(CONCURRENCY.encode()),
                                        **{"content-type": "text/plain", "content-encoding": "gzip"}),
                               httpx.Response(200))
    assert (await send(transport, policy, "POST")).status_code == 200 and len(seen) == 2


async def test_read_error_body_that_is_not_utf8_is_not_a_crash(policy, sleeps):
    transport, seen = scripted(httpx.Response(400, content=b"\xff\xfe bad", headers={"content-type": "text/plain"}))
    response = await send(transport, policy, "POST")
    assert response.status_code == 400 and response.content == b"\xff\xfe bad" and len(seen) == 1


class Edges(random.Random):
    """An rng that draws the lower or the upper end of every range, to see the backoff's bounds."""

    def __init__(self, upper: bool) -> None:
        super().__init__(0)
        self.upper = upper

    def uniform(self, a: float, b: float) -> float:
        return b if self.upper else a


async def test_backoff_doubles_from_the_base_delay_up_to_the_cap(sleeps):
    transport, _ = scripted(*[httpx.Response(503)] * 7, httpx.Response(200))
    policy = RetryPolicy(max_attempts=8, max_total=600.0, base_delay=0.5, max_delay=5.0, sleep=sleeps,
                         clock=sleeps.clock, rng=Edges(upper=True))
    assert (await send(transport, policy)).status_code == 200
    assert sleeps.waits == [1.0, 2.0, 4.0, 5.0, 5.0, 5.0, 5.0]


async def test_backoff_may_resend_at_once(sleeps):
    transport, _ = scripted(httpx.Response(503), httpx.Response(200))
    policy = RetryPolicy(sleep=sleeps, clock=sleeps.clock, rng=Edges(upper=False))
    assert (await send(transport, policy)).status_code == 200
    assert sleeps.waits == [0.0]


def test_retry_after_of_zero_or_in_the_past_means_now():
    assert retry_after_seconds({"Retry-After": "0"}) == 0.0
    assert retry_after_seconds({"retry-after": "-5"}) == 0.0
    assert retry_after_seconds({"retry-after": email.utils.formatdate(time.time() - 60, usegmt=True)}) == 0.0


async def test_a_wait_that_exactly_fills_the_time_budget_is_still_taken(policy, sleeps):
    transport, seen = scripted(httpx.Response(429, headers={"Retry-After": str(int(policy.max_total))}),
                               httpx.Response(200))
    assert (await send(transport, policy)).status_code == 200
    assert sleeps.waits == [policy.max_total] and len(seen) == 2


async def test_each_retry_is_logged_without_the_query(policy, sleeps, caplog):
    transport, _ = scripted(httpx.Response(429, headers={"Retry-After": "7"}), httpx.Response(200))
    caplog.set_level(logging.INFO, logger="o365relay.tenant.retry")
    async with httpx.AsyncClient(transport=RetryTransport(transport, policy)) as client:
        await client.post("https://graph.example/v1.0/users?$filter=mail eq 'ceo@contoso.com'", json={})
    assert caplog.messages == ["retrying POST https://graph.example/v1.0/users after 429 in 7.0 s (attempt 2/5)"]


async def test_a_lost_create_is_logged_before_the_lookup(policy, caplog):
    caplog.set_level(logging.INFO, logger="o365relay.tenant.retry")
    tenant = Directory("lost")
    await create_or_recover(tenant.create, tenant.find, policy)
    assert caplog.messages == ["create failed ambiguously; checking whether it landed (attempt 1)"]


class Chunks(httpx.AsyncByteStream):
    """A body arriving in several pieces, as a real connection delivers a larger reply."""

    def __init__(self, *chunks: bytes) -> None:
        self.chunks = chunks

    async def __aiter__(self):  # noqa: ANN204
        for chunk in self.chunks:
            yield chunk


async def test_an_error_body_in_pieces_reaches_the_client_whole_with_its_reason(policy, sleeps):
    reply = httpx.Response(403, headers={"content-type": "text/plain"}, stream=Chunks(b"Access ", b"denied"),
                           extensions={"reason_phrase": b"Forbidden by tenant policy"})
    transport, seen = scripted(reply)
    response = await send(transport, policy, "POST")
    assert (response.status_code, response.reason_phrase, response.text) == (
        403, "Forbidden by tenant policy", "Access denied")
    assert len(seen) == 1


def batch_of(*replies: SubResponse) -> tuple[list[list[str]], object]:
    """A ``$batch`` round trip answering the only key with ``replies`` in turn."""
    rounds: list[list[str]] = []

    async def send_batch(keys: list[str]) -> dict[str, SubResponse]:
        rounds.append(list(keys))
        return {k: replies[len(rounds) - 1] for k in keys}

    return rounds, send_batch


@pytest.mark.parametrize("refusal", [
    SubResponse(400, {}, {"error": {"code": "ServerBusy", "message": CONCURRENCY}}),
    SubResponse(500, {}, CONCURRENCY),
])
async def test_batch_sub_request_refused_for_concurrency_is_resent(policy, sleeps, refusal):
    rounds, send_batch = batch_of(refusal, SubResponse(200, {}, {"id": "k"}))
    results = await policy.run_batch(send_batch, ["k"], lambda _: False)
    assert rounds == [["k"], ["k"]] and results["k"].status == 200


async def test_batch_plain_error_sub_request_is_not_resent(policy, sleeps):
    rounds, send_batch = batch_of(SubResponse(400, {}, {"error": {"code": "BadRequest", "message": "bad filter"}}))
    results = await policy.run_batch(send_batch, ["k"], lambda _: True)
    assert rounds == [["k"]] and results["k"].status == 400


async def test_batch_504_sub_request_is_resent_when_safe(policy, sleeps):
    rounds, send_batch = batch_of(SubResponse(504, {}, None), SubResponse(200, {}, {"id": "k"}))
    results = await policy.run_batch(send_batch, ["k"], lambda key: key == "k")
    assert rounds == [["k"], ["k"]] and results["k"].status == 200


async def test_batch_resend_is_logged(policy, sleeps, caplog):
    caplog.set_level(logging.INFO, logger="o365relay.tenant.retry")
    rounds: list[list[str]] = []

    async def send_batch(keys: list[str]) -> dict[str, SubResponse]:
        rounds.append(list(keys))
        return {k: SubResponse(429, {"retry-after": "2"}, None) if (k == "b" and len(rounds) == 1)
                else SubResponse(200, {}, {}) for k in keys}

    await policy.run_batch(send_batch, ["a", "b", "c"], lambda _: True)
    assert caplog.messages == ["resending 1 of 3 batch sub-requests in 2.0 s (attempt 2/5)"]


async def test_compressed_error_body_that_is_not_utf8_reaches_the_client(policy, sleeps):
    transport, seen = scripted(streamed(400, gzip.compress(b"\xff\xfe mauvais"),
                                        **{"content-type": "text/plain", "content-encoding": "gzip"}))
    response = await send(transport, policy, "POST")
    assert response.status_code == 400 and response.content == b"\xff\xfe mauvais" and len(seen) == 1


async def test_a_connection_failure_retry_is_logged_with_its_cause(policy, sleeps, caplog):
    caplog.set_level(logging.INFO, logger="o365relay.tenant.retry")
    transport, _ = scripted(httpx.ConnectError("refused"), httpx.Response(200))
    await send(transport, policy)
    [line] = caplog.messages
    assert line.startswith("retrying GET https://graph.example/v1.0/users after ConnectError in ")
    assert line.endswith(" s (attempt 2/5)")


async def test_a_success_mentioning_the_concurrency_limit_is_not_retried(policy, sleeps):
    transport, seen = scripted(httpx.Response(200, text=CONCURRENCY, headers={"content-type": "text/plain"}))
    assert (await send(transport, policy)).status_code == 200 and len(seen) == 1


async def test_the_time_budget_counts_from_the_first_attempt_whatever_the_clock_reads(sleeps):
    sleeps.now = 10_000.0  # a monotonic clock reads time since boot
    policy = RetryPolicy(max_attempts=5, max_total=60.0, sleep=sleeps, clock=sleeps.clock)
    transport, seen = scripted(httpx.Response(429, headers={"Retry-After": "30"}), httpx.Response(200))
    assert (await send(transport, policy)).status_code == 200
    assert sleeps.waits == [30.0] and len(seen) == 2
