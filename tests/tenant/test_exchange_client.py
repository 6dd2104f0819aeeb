"""What the Exchange client sends and what a caller gets back, against MockTransport apps standing for
the Exchange admin endpoint: request shapes ($batch bodies, headers, timeouts, parameters), which
requests are repeated after an ambiguous failure, concurrency, create's read-back, and exact errors."""

from __future__ import annotations

import asyncio
import json
import logging
import pickle
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from o365relay.errors import (
    AuthError,
    Conflict,
    IncompleteRead,
    NotFound,
    TenantError,
    Throttled,
    TransientError,
)
from o365relay.tenant.exchange import ExchangeClient
from o365relay.tenant.retry import IDEMPOTENT
from o365relay.tenant.settings import Endpoints

pytestmark = pytest.mark.anyio

Handler = Callable[[httpx.Request], Any]
CONCURRENCY = "You have reached the maximum number of concurrent requests per tenant. Please wait and try again"


class Recorder:
    """A MockTransport app that records every request it answers (or fails)."""

    def __init__(self, handler: Handler):
        self.handler = handler
        self.seen: list[httpx.Request] = []
        self.transport = httpx.MockTransport(self._answer)

    async def _answer(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        answer = self.handler(request)
        return await answer if asyncio.iscoroutine(answer) else answer

    def bodies(self) -> list[Any]:
        return [json.loads(r.content) for r in self.seen]


def cmdlet_of(request: httpx.Request) -> str:
    return json.loads(request.content)["CmdletInput"]["CmdletName"]


def rows(*values: dict[str, Any], **extra: Any) -> httpx.Response:
    return httpx.Response(200, json={"value": list(values), **extra})


def dropped(request: httpx.Request) -> httpx.Response:
    raise httpx.ReadError("connection reset after the request was sent", request=request)


def exo(endpoints: Endpoints, credential: Any, policy: Any, app: Recorder, **kwargs: Any) -> ExchangeClient:
    return ExchangeClient(endpoints, credential, policy=policy, transport=app.transport, **kwargs)


# -- request shape ---------------------------------------------------------------------------------


async def test_headers_and_timeout_of_every_request(endpoints, credential, policy, token):
    app = Recorder(lambda r: rows())
    async with exo(endpoints, credential, policy, app) as client:
        await client.invoke("Get-AcceptedDomain")
    [request] = app.seen
    assert request.method == "POST"
    assert request.headers["Accept"] == "application/json"
    assert request.headers["Authorization"] == f"Bearer {token}"
    assert request.extensions["timeout"] == {"connect": 120.0, "read": 120.0, "write": 120.0, "pool": 120.0}


async def test_batch_body_is_one_invoke_command_per_cmdlet(endpoints, credential, policy):
    app = Recorder(lambda r: httpx.Response(200, json={"responses": [
        {"id": s["id"], "status": 200, "body": {"value": []}} for s in json.loads(r.content)["requests"]]}))
    async with exo(endpoints, credential, policy, app) as client:
        await client.invoke_batch([("Get-CASMailbox", {"Identity": "erp@contoso.com"}), ("Get-TransportConfig", {})])
    [request] = app.seen
    assert str(request.url) == f"https://outlook.office365.com/adminapi/beta/{endpoints.tenant_id}/$batch"
    invoke = client.invoke_url
    assert json.loads(request.content) == {"requests": [
        {"id": "0", "method": "POST", "url": invoke, "headers": {"Content-Type": "application/json"},
         "body": {"CmdletInput": {"CmdletName": "Get-CASMailbox", "Parameters": {"Identity": "erp@contoso.com"}}}},
        {"id": "1", "method": "POST", "url": invoke, "headers": {"Content-Type": "application/json"},
         "body": {"CmdletInput": {"CmdletName": "Get-TransportConfig", "Parameters": {}}}},
    ]}


async def test_requests_in_flight_are_capped_at_three_by_default(endpoints, credential, policy):
    in_flight, peak = 0, 0

    async def slow(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.02)
        in_flight -= 1
        return rows()

    app = Recorder(slow)
    async with exo(endpoints, credential, policy, app) as client:
        await asyncio.gather(*(client.invoke("Get-Mailbox", {"Identity": f"u{i}"}) for i in range(9)))
    assert len(app.seen) == 9
    assert peak == 3


# -- repeats after an ambiguous failure --------------------------------------------------------------


def drop_first(then: Handler) -> Handler:
    calls = 0

    def handler(request: httpx.Request) -> Any:
        nonlocal calls
        calls += 1
        return dropped(request) if calls == 1 else then(request)

    return handler


async def test_a_read_is_repeated_after_a_dropped_connection(endpoints, credential, policy):
    app = Recorder(drop_first(lambda r: rows({"Name": "Relay"})))
    async with exo(endpoints, credential, policy, app) as client:
        assert await client.invoke("Get-InboundConnector") == [{"Name": "Relay"}]
    assert [r.extensions[IDEMPOTENT] for r in app.seen] == [True, True]


async def test_a_next_page_is_repeated_after_a_dropped_connection_even_for_a_change(endpoints, credential, policy):
    calls = 0

    def handler(request: httpx.Request) -> Any:
        nonlocal calls
        calls += 1
        if calls == 1:
            return rows({"Name": "a"}, **{"@odata.nextLink": str(request.url.copy_with(query=b"$skiptoken=2"))})
        return dropped(request) if calls == 2 else rows({"Name": "b"})

    app = Recorder(handler)
    async with exo(endpoints, credential, policy, app) as client:
        assert await client.invoke("Search-AdminAuditLog") == [{"Name": "a"}, {"Name": "b"}]
    assert [r.extensions[IDEMPOTENT] for r in app.seen] == [False, True, True]


async def test_a_batch_of_reads_is_repeated_after_a_dropped_connection(endpoints, credential, policy):
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"responses": [
            {"id": s["id"], "status": 200, "body": {"value": [{"Name": s["id"]}]}}
            for s in json.loads(request.content)["requests"]]})

    app = Recorder(drop_first(answer))
    async with exo(endpoints, credential, policy, app) as client:
        results = await client.invoke_batch([("Get-Mailbox", {"Identity": "a"}), ("Test-X", {})])
    assert results == [[{"Name": "0"}], [{"Name": "1"}]]
    assert len(app.seen) == 2


async def test_a_batch_of_changes_is_not_repeated_unless_the_caller_says_so(endpoints, credential, policy):
    app = Recorder(dropped)
    async with exo(endpoints, credential, policy, app) as client:
        results = await client.invoke_batch([("Set-CASMailbox", {"Identity": "a"}), ("Get-CASMailbox", {})])
    assert len(app.seen) == 1
    assert len(results) == 2
    for error in results:
        assert type(error) is TransientError
        assert str(error).startswith("cannot reach the Exchange admin endpoint ($batch) at https://outlook.office365.com")


async def test_a_failed_batch_names_itself_in_every_slot(endpoints, credential, policy):
    app = Recorder(lambda r: httpx.Response(401))
    async with exo(endpoints, credential, policy, app) as client:
        results = await client.invoke_batch([("Get-Mailbox", {}), ("Get-User", {})])
    assert len(results) == 2
    for error in results:
        assert type(error) is AuthError
        assert str(error).startswith("$batch: the Exchange admin endpoint refused the token (HTTP 401)")


# -- batch sub-responses -----------------------------------------------------------------------------


async def test_a_throttled_sub_request_waits_its_retry_after(endpoints, credential, policy, sleeps):
    replies = iter([{"status": 429, "headers": {"Retry-After": "7"}, "body": {"error": {"message": "slow down"}}},
                    {"status": 200, "body": {"value": [{"Name": "x"}]}}])

    app = Recorder(lambda r: httpx.Response(200, json={"responses": [{"id": "0", **next(replies)}]}))
    async with exo(endpoints, credential, policy, app) as client:
        assert await client.invoke_batch([("Get-Mailbox", {})]) == [[{"Name": "x"}]]
    assert sleeps.waits == [7.0]


async def test_a_sub_request_without_an_answer_is_a_transient_error(endpoints, credential, policy):
    answers = iter([{"responses": [{"id": "1", "body": {"value": []}}]}, {}])
    app = Recorder(lambda r: httpx.Response(200, json=next(answers)))
    async with exo(endpoints, credential, policy, app) as client:
        missing, statusless = await client.invoke_batch([("Get-Mailbox", {}), ("Get-User", {})])
        [nothing] = await client.invoke_batch([("Get-Group", {})])
    assert type(missing) is TransientError
    assert str(missing) == "Get-Mailbox: no response for this command in the $batch"
    assert type(statusless) is TransientError  # a sub-response without a status counts as a 500
    assert str(statusless) == "Get-User: HTTP 500 with a non-JSON body"
    assert type(nothing) is TransientError
    assert str(nothing) == "Get-Group: no response for this command in the $batch"


async def test_a_sub_request_error_is_translated_under_its_cmdlet(endpoints, credential, policy):
    app = Recorder(lambda r: httpx.Response(200, json={"responses": [
        {"id": "0", "status": 400, "body": {"error": {"code": "BadRequest", "message": "Invalid value"}}},
        {"id": "1", "status": 429, "body": CONCURRENCY}]}))
    async with exo(endpoints, credential, policy, app) as client:
        invalid, throttled = await client.invoke_batch([("Set-CASMailbox", {}), ("Get-User", {})],
                                                       idempotent=True)
    assert type(invalid) is TenantError
    assert str(invalid) == "Set-CASMailbox: Invalid value"
    assert type(throttled) is Throttled
    assert str(throttled) == f"Get-User: Exchange is still throttling after retries: {CONCURRENCY}"


async def test_a_sub_requests_next_page_posts_its_own_command(endpoints, credential, policy):
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/$batch"):
            next_link = f"{request.url.scheme}://{request.url.host}/adminapi/beta/x/InvokeCommand?$skiptoken=2"
            return httpx.Response(200, json={"responses": [
                {"id": "0", "status": 200, "body": {"value": [{"Name": "a"}], "@odata.nextLink": next_link}}]})
        return rows({"Name": "b"})

    app = Recorder(handler)
    async with exo(endpoints, credential, policy, app) as client:
        [listed] = await client.invoke_batch([("Get-Mailbox", {"ResultSize": "Unlimited"})])
    assert listed == [{"Name": "a"}, {"Name": "b"}]
    assert app.bodies()[1] == {"CmdletInput": {"CmdletName": "Get-Mailbox", "Parameters": {"ResultSize": "Unlimited"}}}


# -- replies of a single cmdlet ----------------------------------------------------------------------


async def test_errors_of_every_page_name_the_cmdlet(endpoints, credential, policy):
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        if calls == 1:
            return rows(**{"@odata.nextLink": str(request.url) + "?$skiptoken=2"})
        return httpx.Response(400, json={"error": {"code": "BadRequest", "message": "Bad skip token"}})

    app = Recorder(handler)
    async with exo(endpoints, credential, policy, app) as client:
        with pytest.raises(TenantError) as first:
            await client.invoke("Get-Mailbox")
        with pytest.raises(TenantError) as direct:
            await client.invoke("Set-Mailbox", {"Identity": "a"})
    assert str(first.value) == "Get-Mailbox: Bad skip token"
    assert str(direct.value) == "Set-Mailbox: Bad skip token"


async def test_a_foreign_next_page_link_is_refused_naming_the_host(endpoints, credential, policy):
    app = Recorder(lambda r: rows(**{"@odata.nextLink": "https://evil.example/adminapi/beta/x/InvokeCommand"}))
    async with exo(endpoints, credential, policy, app) as client:
        with pytest.raises(TenantError) as caught:
            await client.invoke("Get-Mailbox")
    assert str(caught.value) == "Get-Mailbox: the next-page link points at evil.example, not the Exchange endpoint"
    assert len(app.seen) == 1


async def test_truncation_is_an_incomplete_read_and_other_warnings_are_logged(endpoints, credential, policy, caplog):
    truncated = "There are more results available than are currently displayed."
    app = Recorder(lambda r: rows({"Name": "a"}, **{"@adminapi.warnings": [
        truncated if cmdlet_of(r).startswith("Get-") else "first", "second"]}))
    async with exo(endpoints, credential, policy, app) as client:
        with pytest.raises(IncompleteRead) as caught:
            await client.invoke("Get-Mailbox")
        with caplog.at_level(logging.INFO, logger="o365relay.tenant.exchange"):
            done = await client.invoke("Set-Mailbox", {"Identity": "a"})
    assert str(caught.value) == (f"Get-Mailbox: Exchange returned part of the result only ({truncated}); "
                                 "what it left out is unknown")
    assert done.warnings == ["first", "second"]
    assert [r.getMessage() for r in caplog.records if r.name == "o365relay.tenant.exchange"] == [
        "Set-Mailbox returned warnings: first; second"]


async def test_a_non_json_or_undecodable_2xx_is_transient_not_empty(endpoints, credential, policy):
    replies = iter([httpx.Response(200, text="<html>maintenance</html>"),
                    httpx.Response(200, headers={"content-encoding": "gzip"}, stream=httpx.ByteStream(b"\x00" * 32)),
                    httpx.Response(400, headers={"content-encoding": "gzip"}, stream=httpx.ByteStream(b"\x00" * 32))])
    app = Recorder(lambda r: next(replies))
    async with exo(endpoints, credential, policy, app) as client:
        with pytest.raises(TransientError) as html:
            await client.invoke("Get-Mailbox")
        with pytest.raises(TransientError) as undecodable:
            await client.invoke("Get-Mailbox")
        with pytest.raises(TenantError) as refused:
            await client.invoke("Set-Mailbox")
    assert str(html.value) == "Get-Mailbox: the Exchange admin endpoint answered with non-JSON"
    assert str(undecodable.value) == "Get-Mailbox: the Exchange admin endpoint answered with a body it could not decode"
    assert type(refused.value) is TenantError
    assert str(refused.value) == "Set-Mailbox: HTTP 400 with a non-JSON body"


async def test_an_unreachable_endpoint_names_the_cmdlet_and_the_host(endpoints, credential, policy):
    def refused(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno 111] Connection refused", request=request)

    app = Recorder(refused)
    async with exo(endpoints, credential, policy, app) as client:
        with pytest.raises(TransientError) as caught:
            await client.invoke("Get-Mailbox")
    assert str(caught.value).startswith("cannot reach the Exchange admin endpoint (Get-Mailbox) "
                                        "at https://outlook.office365.com: ")


# -- get_by_identity and create ----------------------------------------------------------------------


async def test_get_by_identity_sends_the_identity_and_refuses_two_matches(endpoints, credential, policy):
    app = Recorder(lambda r: rows({"Identity": "Relay", "Name": "Relay"}, {"Name": "relay"}, {"Name": "Other"}))
    async with exo(endpoints, credential, policy, app) as client:
        with pytest.raises(Conflict) as caught:
            await client.get_by_identity("Get-InboundConnector", "Relay")
        assert await client.get_by_identity("Get-InboundConnector", "other", key="Name") == {"Name": "Other"}
    assert str(caught.value) == ("Get-InboundConnector -Identity 'Relay' matches 2 objects; "
                                 "use a unique identity")
    assert [b["CmdletInput"]["Parameters"] for b in app.bodies()] == [{"Identity": "Relay"}, {"Name": "other"}]


@pytest.mark.parametrize("identity", ["None", "XXXX", "xxxx"])
async def test_a_field_a_row_lacks_matches_no_identity(endpoints, credential, policy, identity):
    app = Recorder(lambda r: rows({"Name": "Relay"}, {"Identity": "Partner"}))
    async with exo(endpoints, credential, policy, app) as client:
        assert await client.get_by_identity("Get-InboundConnector", identity) is None


def by_cmdlet(**answers: Handler) -> Handler:
    return lambda request: answers[cmdlet_of(request).replace("-", "_")](request)


async def test_create_returns_the_new_row_without_reading_back(endpoints, credential, policy):
    app = Recorder(by_cmdlet(New_InboundConnector=lambda r: rows({"Name": "Relay", "From": "New"}),
                             Get_InboundConnector=lambda r: rows({"Name": "Relay", "From": "Get"})))
    async with exo(endpoints, credential, policy, app) as client:
        made = await client.create("New-InboundConnector", {"Name": "Relay"}, get_cmdlet="Get-InboundConnector",
                                   identity="Relay")
    assert made == {"Name": "Relay", "From": "New"}
    assert [cmdlet_of(r) for r in app.seen] == ["New-InboundConnector"]


async def test_create_reads_back_when_the_new_cmdlet_answers_no_row(endpoints, credential, policy):
    app = Recorder(by_cmdlet(New_InboundConnector=lambda r: httpx.Response(200),
                             Get_InboundConnector=lambda r: rows({"Name": "Other"}, {"Name": "Relay", "From": "Get"})))
    async with exo(endpoints, credential, policy, app) as client:
        made = await client.create("New-InboundConnector", {"Name": "Relay"}, get_cmdlet="Get-InboundConnector",
                                   identity="Relay")
    assert made == {"Name": "Relay", "From": "Get"}
    assert app.bodies()[1] == {"CmdletInput": {"CmdletName": "Get-InboundConnector",
                                               "Parameters": {"Identity": "Relay"}}}


async def test_create_that_answers_nothing_and_cannot_be_found_is_not_found(endpoints, credential, policy):
    app = Recorder(by_cmdlet(New_InboundConnector=lambda r: httpx.Response(200),
                             Get_InboundConnector=lambda r: rows({"Name": "Other"})))
    async with exo(endpoints, credential, policy, app) as client:
        with pytest.raises(NotFound) as caught:
            await client.create("New-InboundConnector", {"Name": "Relay"}, get_cmdlet="Get-InboundConnector",
                                identity="Relay", key="Name")
    assert str(caught.value) == "New-InboundConnector returned nothing and Get-InboundConnector cannot find 'Relay'"
    assert app.bodies()[1]["CmdletInput"]["Parameters"] == {"Name": "Relay"}


async def test_create_after_a_dropped_connection_finds_what_landed(endpoints, credential, policy):
    app = Recorder(by_cmdlet(New_InboundConnector=dropped,
                             Get_InboundConnector=lambda r: rows({"Name": "Relay", "From": "Get"})))
    async with exo(endpoints, credential, policy, app) as client:
        made = await client.create("New-InboundConnector", {"Name": "Relay"}, get_cmdlet="Get-InboundConnector",
                                   identity="Relay")
    assert made == {"Name": "Relay", "From": "Get"}
    assert [cmdlet_of(r) for r in app.seen] == ["New-InboundConnector", "Get-InboundConnector"]


async def test_create_gives_up_after_the_policys_attempts(endpoints, credential, policy):
    app = Recorder(by_cmdlet(New_InboundConnector=dropped, Get_InboundConnector=lambda r: rows()))
    async with exo(endpoints, credential, policy, app) as client:
        with pytest.raises(TransientError):
            await client.create("New-InboundConnector", {"Name": "Relay"}, get_cmdlet="Get-InboundConnector",
                                identity="Relay")
    assert [cmdlet_of(r) for r in app.seen].count("New-InboundConnector") == policy.max_attempts


# -- lifetime ----------------------------------------------------------------------------------------


class ClosingCredential:
    """The conftest's fake credential, also recording whether it was closed."""

    def __init__(self, inner: Any):
        self.inner, self.closed = inner, False

    async def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        return await self.inner.get_token(*scopes, **kwargs)

    async def close(self) -> None:
        self.closed = True


async def test_a_callers_credential_is_left_open(endpoints, credential, policy):
    mine = ClosingCredential(credential)
    async with exo(endpoints, mine, policy, Recorder(lambda r: rows())) as client:
        await client.invoke("Get-Mailbox")
    assert mine.closed is False


async def test_the_client_refuses_use_outside_async_with(sandbox_env, policy):
    client = ExchangeClient(Endpoints.from_env(), policy=policy, transport=Recorder(lambda r: rows()).transport)
    outside = "ExchangeClient used outside `async with`"
    with pytest.raises(TenantError, match=f"^{outside}$"):
        await client.invoke("Get-Mailbox")
    async with client:
        assert await client.invoke("Get-Mailbox") == []
    with pytest.raises(TenantError, match=f"^{outside}$"):
        await client.invoke("Get-Mailbox")


def test_pickling_is_refused_with_the_reason(endpoints, credential):
    with pytest.raises(TypeError) as caught:
        pickle.dumps(ExchangeClient(endpoints, credential))
    assert str(caught.value) == "ExchangeClient holds a credential and is never pickled; build one where needed"
