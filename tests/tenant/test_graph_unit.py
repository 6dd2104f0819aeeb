"""GraphClient against small MockTransport apps standing in for Graph: the request as sent (headers,
filters, $batch payload, timeouts, the token's hosts), paging, retries and reply shapes the sandbox
does not produce (an empty page, a $batch missing a response)."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import pickle
import ssl
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from azure.core.credentials import AccessToken
from msgraph.generated.models.user import User

from o365relay.errors import TenantError, Throttled, TransientError
from o365relay.sandbox.certs import ensure_pki
from o365relay.tenant import graph as graph_module
from o365relay.tenant.graph import GraphClient, build_http_client, odata_quote
from o365relay.tenant.settings import Endpoints

pytestmark = pytest.mark.anyio

GRAPH = "https://graph.microsoft.com/v1.0"
Handler = Callable[[httpx.Request], httpx.Response]


def graph_app(*replies: httpx.Response | Handler) -> tuple[httpx.MockTransport, list[httpx.Request]]:
    """A transport answering with ``replies`` in turn (the last one repeats), recording each request."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        reply = replies[min(len(seen), len(replies)) - 1]
        return reply(request) if callable(reply) else reply

    return httpx.MockTransport(handler), seen


def users(*names: str, next_link: str | None = None) -> httpx.Response:
    body: dict[str, Any] = {"value": [{"id": n, "userPrincipalName": f"{n}@contoso.com"} for n in names]}
    if next_link:
        body["@odata.nextLink"] = next_link
    return httpx.Response(200, json=body)


def client(endpoints, credential, policy, transport, **kwargs: Any) -> GraphClient:
    return GraphClient(endpoints, credential, policy=policy, transport=transport, **kwargs)


def test_odata_quote_doubles_single_quotes():
    assert odata_quote("O'Brien's") == "'O''Brien''s'"


def test_graph_client_refuses_to_be_pickled(endpoints, credential):
    with pytest.raises(TypeError, match=r"^GraphClient holds a credential and is never pickled"):
        pickle.dumps(GraphClient(endpoints, credential))


async def test_list_follows_every_next_link(endpoints, credential, policy):
    transport, seen = graph_app(users("a", next_link=f"{GRAPH}/users?$skiptoken=2"),
                                users("b", next_link=f"{GRAPH}/users?$skiptoken=3"), users("c"))
    async with client(endpoints, credential, policy, transport) as graph:
        listed = await graph.list_users()
    assert [u.id for u in listed] == ["a", "b", "c"]
    assert [str(r.url) for r in seen[1:]] == [f"{GRAPH}/users?$skiptoken=2", f"{GRAPH}/users?$skiptoken=3"]


@pytest.mark.parametrize("pages", [
    (httpx.Response(204),),
    (users("a", next_link=f"{GRAPH}/users?$skiptoken=2"), httpx.Response(204)),
], ids=["first page empty", "next page empty"])
async def test_an_empty_page_ends_the_list(endpoints, credential, policy, pages):
    transport, seen = graph_app(*pages)
    async with client(endpoints, credential, policy, transport) as graph:
        listed = await graph.list_users()
    assert [u.id for u in listed] == (["a"] if len(pages) == 2 else [])
    assert len(seen) == len(pages)


async def test_the_token_goes_only_to_the_graph_host(endpoints, credential, policy, token):
    """A nextLink to another host is followed without the bearer token."""
    transport, seen = graph_app(users("a", next_link="https://elsewhere.example/v1.0/users?$skiptoken=2"),
                                users("b"))
    async with client(endpoints, credential, policy, transport) as graph:
        assert [u.id for u in await graph.list_users()] == ["a", "b"]
    assert seen[0].headers["Authorization"] == f"Bearer {token}"
    assert seen[1].url.host == "elsewhere.example" and "Authorization" not in seen[1].headers


async def test_writes_declared_idempotent_are_retried_after_a_504(endpoints, credential, policy, sleeps):
    """A 504 leaves it open whether Graph made the change: only a write marked idempotent is repeated."""
    timed_out = httpx.Response(504, headers={"Retry-After": "2"}, json={"error": {"code": "GatewayTimeout"}})
    transport, seen = graph_app(timed_out, httpx.Response(204))
    async with client(endpoints, credential, policy, transport) as graph:
        await graph.update_user("a@contoso.com", User(usage_location="DE"))
    assert [r.method for r in seen] == ["PATCH", "PATCH"]
    assert sleeps.waits == [2.0]  # the policy given to the client, not the default one


async def test_a_throttled_call_is_retried_by_the_one_policy_only(endpoints, credential, policy):
    """Graph's own RetryHandler is left out: five attempts in all, then Throttled."""
    transport, seen = graph_app(httpx.Response(429, headers={"Retry-After": "0"},
                                               json={"error": {"code": "TooManyRequests", "message": "slow"}}))
    async with client(endpoints, credential, policy, transport) as graph:
        with pytest.raises(Throttled, match="still throttled"):
            await graph.get_user("a@contoso.com")
    assert len(seen) == 5


async def test_requests_carry_graphs_request_id_and_sdk_telemetry(endpoints, credential, policy):
    """Graph's middleware stays in the pipeline: the client-request-id Microsoft support traces a call by."""
    transport, seen = graph_app(users("a"))
    async with client(endpoints, credential, policy, transport) as graph:
        await graph.list_users()
    assert uuid.UUID(seen[0].headers["client-request-id"])
    assert seen[0].headers["sdkVersion"].startswith("graph-python-core/")


@pytest.mark.parametrize("timeout,read", [({}, 100.0), ({"timeout": 7.0}, 7.0)], ids=["default", "given"])
async def test_requests_carry_the_clients_timeouts(endpoints, credential, policy, timeout, read):
    transport, seen = graph_app(users("a"))
    async with client(endpoints, credential, policy, transport, **timeout) as graph:
        await graph.list_users()
    assert seen[0].extensions["timeout"] == {"connect": 30.0, "read": read, "write": read, "pool": read}


async def test_build_http_client_defaults(endpoints):
    transport, seen = graph_app(httpx.Response(200))
    async with build_http_client(Endpoints.china(endpoints.tenant_id), transport=transport) as http:
        assert str(http.base_url) == "https://microsoftgraph.chinacloudapi.cn/v1.0/"
        await http.get("/users")
    assert str(seen[0].url) == "https://microsoftgraph.chinacloudapi.cn/v1.0/users"
    assert seen[0].extensions["timeout"] == {"connect": 30.0, "read": 100.0, "write": 100.0, "pool": 100.0}


async def test_message_trace_filter_names_each_field_in_utc(endpoints, credential, policy, monkeypatch):
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        transport, seen = graph_app(httpx.Response(200, json={"value": []}))
        berlin = dt.timezone(dt.timedelta(hours=1))
        async with client(endpoints, credential, policy, transport) as graph:
            await graph.message_trace_rows(dt.datetime(2026, 11, 30, 9, 0, tzinfo=berlin),
                                           dt.datetime(2026, 11, 30, 10, 30, tzinfo=berlin),
                                           message_id="<m1@contoso.com>", sender="erp@contoso.com",
                                           recipient="o'neil@fabrikam.com", status="Delivered")
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
    assert seen[0].url.params["$filter"] == (
        "receivedDateTime ge 2026-11-30T08:00:00Z and receivedDateTime le 2026-11-30T09:30:00Z"
        " and messageId eq '<m1@contoso.com>' and senderAddress eq 'erp@contoso.com'"
        " and recipientAddress eq 'o''neil@fabrikam.com' and status eq 'Delivered'")
    assert seen[0].url.params["$top"] == "5000"
    assert seen[0].headers["Accept"] == "application/json"


async def test_trace_rows_follow_next_links_and_read_pages_without_rows(endpoints, credential, policy):
    trace = f"{GRAPH}/admin/exchange/tracing/messageTraces"
    transport, seen = graph_app(
        httpx.Response(200, json={"value": [{"id": "1"}], "@odata.nextLink": f"{trace}?$skiptoken=2"}),
        httpx.Response(200, json={"@odata.nextLink": f"{trace}?$skiptoken=3"}),
        httpx.Response(200, json={"value": [{"id": "3"}], "@odata.nextLink": f"{trace}?$skiptoken=4"}),
        httpx.Response(204))
    now = dt.datetime.now(dt.UTC)
    async with client(endpoints, credential, policy, transport) as graph:
        rows = await graph.message_trace_rows(now - dt.timedelta(hours=1), now)
    assert rows == [{"id": "1"}, {"id": "3"}]
    assert [str(r.url) for r in seen[1:]] == [f"{trace}?$skiptoken={n}" for n in (2, 3, 4)]
    assert all(r.headers["Accept"] == "application/json" for r in seen)


def batch_reply(*responses: dict[str, Any]) -> httpx.Response:
    return httpx.Response(200, json={"responses": list(responses)})


async def test_batch_request_shape(endpoints, credential, policy):
    transport, seen = graph_app(batch_reply({"id": "0", "status": 200, "body": {"id": "a"}},
                                            {"id": "1", "status": 200, "body": {"id": "b"}}))
    async with client(endpoints, credential, policy, transport) as graph:
        assert await graph.batch_get(["/users/a", "/domains/b"]) == [{"id": "a"}, {"id": "b"}]
    [sent] = seen
    assert (sent.method, str(sent.url)) == ("POST", f"{GRAPH}/$batch")
    assert sent.headers["Content-Type"] == "application/json"
    assert sent.headers["Accept"] == "application/json"
    assert json.loads(sent.content) == {"requests": [{"id": "0", "method": "GET", "url": "/users/a"},
                                                     {"id": "1", "method": "GET", "url": "/domains/b"}]}


async def test_batch_post_is_resent_after_a_504(endpoints, credential, policy):
    """The $batch POST of reads is marked safe to repeat, so a gateway timeout is retried."""
    transport, seen = graph_app(httpx.Response(504, headers={"Retry-After": "0"}),
                                batch_reply({"id": "0", "status": 200, "body": {"id": "a"}}))
    async with client(endpoints, credential, policy, transport) as graph:
        assert await graph.batch_get(["/users/a"]) == [{"id": "a"}]
    assert len(seen) == 2


@pytest.mark.parametrize("headers", [{"Retry-After": "7"}, {"retry-after": "7"}])
async def test_batch_waits_as_long_as_a_throttled_sub_response_says(endpoints, credential, policy, sleeps,
                                                                    headers):
    throttled = {"id": "0", "status": 429, "headers": headers, "body": {"error": {"code": "TooManyRequests"}}}
    transport, seen = graph_app(batch_reply(throttled), batch_reply({"id": "0", "status": 200, "body": {}}))
    async with client(endpoints, credential, policy, transport) as graph:
        assert await graph.batch_get(["/users/a"]) == [{}]
    assert sleeps.waits == [7.0] and len(seen) == 2


@pytest.mark.parametrize("reply", [httpx.Response(200), httpx.Response(200, json={}),
                                   batch_reply({"id": "1", "status": 200, "body": {}})],
                         ids=["empty body", "no responses", "one missing"])
async def test_a_url_without_a_sub_response_fails_alone(endpoints, credential, policy, reply):
    transport, _ = graph_app(reply)
    async with client(endpoints, credential, policy, transport) as graph:
        first, *_ = await graph.batch_get(["/users/a", "/users/b"])
    assert isinstance(first, TransientError)
    assert str(first) == "GET /users/a: no response for this URL in the $batch"


async def test_a_sub_response_without_status_is_a_failure(endpoints, credential, policy):
    transport, _ = graph_app(batch_reply({"id": "0", "body": {"error": {"message": "odd"}}}))
    async with client(endpoints, credential, policy, transport) as graph:
        [row] = await graph.batch_get(["/users/a"])
    assert isinstance(row, TransientError) and str(row) == "GET /users/a: odd"


class ClosingCredential:
    """A credential that counts how often it was closed."""

    def __init__(self) -> None:
        self.closed = 0

    async def get_token(self, *scopes: str, **_: Any) -> AccessToken:
        return AccessToken("token", int(time.time()) + 3600)

    async def close(self) -> None:
        self.closed += 1


async def test_a_callers_credential_stays_open_and_an_own_one_is_closed(endpoints, policy, monkeypatch):
    transport, _ = graph_app(users("a"))
    given = ClosingCredential()
    async with client(endpoints, given, policy, transport) as graph:
        await graph.list_users()
    assert given.closed == 0

    own = ClosingCredential()
    monkeypatch.setattr(graph_module, "credential_for", lambda _: own)
    async with GraphClient(endpoints, policy=policy, transport=transport) as graph:
        await graph.list_users()
    assert own.closed == 1


async def test_the_client_works_only_inside_async_with_and_can_be_entered_again(endpoints, policy,
                                                                                monkeypatch):
    transport, seen = graph_app(users("a"))
    monkeypatch.setattr(graph_module, "credential_for", lambda _: ClosingCredential())
    graph = GraphClient(endpoints, policy=policy, transport=transport)
    with pytest.raises(TenantError, match="outside `async with`"):
        await graph.list_users()
    await graph.aclose()  # closing an unused client is harmless
    async with graph:
        await graph.list_users()
    with pytest.raises(TenantError, match="outside `async with`"):
        await graph.list_users()
    async with graph:
        assert [u.id for u in await graph.list_users()] == ["a"]
    assert len(seen) == 2


async def test_graph_is_offered_http2(tmp_path, policy):
    """Without an injected transport the client offers HTTP/2 in the TLS handshake (ALPN), as Graph
    speaks it; a stand-in TLS server on loopback records what was offered and hangs up."""
    pki = ensure_pki(tmp_path)
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(pki.server_cert_file, pki.server_key_file)
    tls.set_alpn_protocols(["h2", "http/1.1"])
    offered: list[str | None] = []

    async def handshake(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        offered.append(writer.get_extra_info("ssl_object").selected_alpn_protocol())
        writer.close()

    server = await asyncio.start_server(handshake, "127.0.0.1", 0, ssl=tls)
    port = server.sockets[0].getsockname()[1]
    endpoints = Endpoints("contoso.com", graph_base=f"https://127.0.0.1:{port}/v1.0", ca_file=str(pki.ca_file))
    async with server, build_http_client(endpoints, policy) as http:
        with pytest.raises(httpx.HTTPError):
            await http.get("/users")
    assert offered and set(offered) == {"h2"}
