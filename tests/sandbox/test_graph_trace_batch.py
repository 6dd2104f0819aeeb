"""Message trace and $batch in the sandbox's Graph, over real HTTPS: the msgraph-sdk for message
traces, httpx for $batch (msgraph_core's batch builder needs the ``Deprecated`` package, not installed).

Trace rows are written with :func:`o365relay.sandbox.trace.record` where a test needs rows from days
ago (the SMTP tests produce rows by really sending mail)."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import httpx
import pytest
from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph.generated.admin.exchange.tracing.message_traces.message_traces_request_builder import (
    MessageTracesRequestBuilder,
)
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph.generated.models.service_principal import ServicePrincipal

from o365relay.sandbox import trace
from o365relay.sandbox.catalog import MESSAGE_TRACE_APP_ID
from o365relay.sandbox.tokens import GRAPH_RESOURCE

NOW = dt.datetime.now(dt.UTC)


def traces_query(**kwargs: Any) -> RequestConfiguration[Any]:
    params = MessageTracesRequestBuilder.MessageTracesRequestBuilderGetQueryParameters(**kwargs)
    return RequestConfiguration(query_parameters=params)


def zulu(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def seed_traces(sandbox: Any) -> None:
    """Three messages: two recent ones (one with two recipients), one from five days ago."""

    def send(sender: str, rcpts: list[tuple[str, str]], mid: str, ago: dt.timedelta, subject: str) -> None:
        trace.record(
            sandbox.store,
            sender=sender,
            message_id=mid,
            subject=subject,
            size=100,
            from_ip="203.0.113.10",
            to_ip="",
            endpoint="mx",
            received=NOW - ago,
            outcomes=[trace.Outcome(r, status, "test") for r, status in rcpts],
        )

    send(
        "scanner3@contoso.com",
        [("erp@contoso.com", "delivered"), ("x@gmail.com", "failed")],
        "<a@contoso.com>",
        dt.timedelta(hours=1),
        "Scan 1",
    )
    send(
        "alerts@notify.contoso.com",
        [("noc@notify.contoso.com", "delivered")],
        "<b@notify.contoso.com>",
        dt.timedelta(minutes=5),
        "Disk full",
    )
    send(
        "scanner3@contoso.com",
        [("erp@contoso.com", "delivered")],
        "<old@contoso.com>",
        dt.timedelta(days=5),
        "Old scan",
    )


def test_message_trace_filters_window_and_paging(sandbox: Any, graph_session: Any) -> None:
    seed_traces(sandbox)

    async def scenario() -> None:
        async with graph_session() as client:
            traces = client.admin.exchange.tracing.message_traces
            recent = (await traces.get()).value  # default window: the last 48 hours
            assert [t.message_id for t in recent] == [
                "<b@notify.contoso.com>",
                "<a@contoso.com>",
                "<a@contoso.com>",
            ]

            week = (
                f"receivedDateTime ge {zulu(NOW - dt.timedelta(days=7))} and receivedDateTime le {zulu(NOW)}"
            )
            mine = await traces.get(
                traces_query(filter=f"{week} and senderAddress eq 'scanner3@contoso.com'")
            )
            assert sorted(t.message_id for t in mine.value) == [
                "<a@contoso.com>",
                "<a@contoso.com>",
                "<old@contoso.com>",
            ]
            failed = await traces.get(traces_query(filter="status eq 'failed'"))
            assert [(t.recipient_address, t.from_i_p) for t in failed.value] == [
                ("x@gmail.com", "203.0.113.10")
            ]
            by_subject = await traces.get(traces_query(filter="contains(subject,'disk')"))
            assert [t.sender_address for t in by_subject.value] == ["alerts@notify.contoso.com"]

            page = await traces.get(traces_query(filter=week, top=2))
            seen = [t.message_id for t in page.value]
            assert len(seen) == 2 and page.odata_next_link
            page = await traces.with_url(page.odata_next_link).get()
            assert len(seen + [t.message_id for t in page.value]) == 4 and not page.odata_next_link

            row = mine.value[0]
            details = (
                await traces.by_exchange_message_trace_id(row.id)
                .get_details_by_recipient_with_recipient_address(row.recipient_address)
                .get()
            )
            assert [d.event for d in details.value] == [
                "Receive",
                "Fail" if row.status.value == "failed" else "Deliver",
            ]

            for bad in (
                f"receivedDateTime ge {zulu(NOW - dt.timedelta(days=11))}",
                f"receivedDateTime ge {zulu(NOW - dt.timedelta(days=95))} and "
                f"receivedDateTime le {zulu(NOW - dt.timedelta(days=90))}",
                "senderAddress eq 'a@contoso.com' or status eq 'failed'",
                "size eq 100",
            ):
                with pytest.raises(ODataError) as caught:
                    await traces.get(traces_query(filter=bad))
                assert caught.value.response_status_code == 400, bad

    asyncio.run(scenario())


def test_message_trace_needs_the_message_trace_service_principal(graph_session: Any) -> None:
    async def scenario() -> None:
        async with graph_session() as client:
            sp = await client.service_principals_with_app_id(MESSAGE_TRACE_APP_ID).get()
            await client.service_principals.by_service_principal_id(sp.id).delete()
            with pytest.raises(ODataError) as caught:
                await client.admin.exchange.tracing.message_traces.get()
            assert caught.value.response_status_code == 403
            assert MESSAGE_TRACE_APP_ID in caught.value.error.message
            await client.service_principals.post(ServicePrincipal(app_id=MESSAGE_TRACE_APP_ID))
            assert (await client.admin.exchange.tracing.message_traces.get()).value == []

    asyncio.run(scenario())


def graph_http(sandbox: Any, token: str | None = None) -> httpx.Client:
    token = token or sandbox.ctx.tokens.issue(sandbox.deployer_client_id, GRAPH_RESOURCE)
    return httpx.Client(
        base_url=f"{sandbox.base_url}/v1.0",
        verify=str(sandbox.ca_file),
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )


def test_message_trace_throttles_after_100_requests_in_5_minutes(sandbox: Any, graph_session: Any) -> None:
    with graph_http(sandbox) as http:
        statuses = [http.get("/admin/exchange/tracing/messageTraces").status_code for _ in range(100)]
        assert statuses == [200] * 100
        throttled = http.get("/admin/exchange/tracing/messageTraces")
        assert throttled.status_code == 429 and throttled.json()["error"]["code"] == "TooManyRequests"
        assert 250 <= int(throttled.headers["Retry-After"]) <= 300
        assert http.get("/users/erp@contoso.com").status_code == 200  # only message trace is limited

    async def sdk_sees_it() -> None:
        async with graph_session() as client:  # Retry-After beyond the SDK's 180 s cap: no retry
            with pytest.raises(ODataError) as caught:
                await client.admin.exchange.tracing.message_traces.get()
            assert caught.value.response_status_code == 429

    asyncio.run(sdk_sees_it())


def test_batch_runs_each_request_on_its_own(sandbox: Any) -> None:
    with graph_http(sandbox) as http:
        body = {
            "requests": [
                {"id": "1", "method": "GET", "url": "/users/erp@contoso.com?$select=id,usageLocation"},
                {"id": "2", "method": "GET", "url": "/users/ghost@contoso.com"},
                {"id": "3", "method": "GET", "url": "/domains/contoso.com", "dependsOn": ["1"]},
                {
                    "id": "4",
                    "method": "PATCH",
                    "url": "/users/erp@contoso.com",
                    "dependsOn": ["2"],
                    "headers": {"Content-Type": "application/json"},
                    "body": {"usageLocation": "DE"},
                },
            ]
        }
        replies = {r["id"]: r for r in http.post("/$batch", json=body).json()["responses"]}
        assert replies["1"]["status"] == 200 and replies["1"]["body"]["usageLocation"] == "US"
        assert replies["2"]["status"] == 404
        assert replies["2"]["body"]["error"]["code"] == "Request_ResourceNotFound"
        assert replies["3"]["status"] == 200 and replies["3"]["body"]["id"] == "contoso.com"
        assert replies["4"]["status"] == 424  # its dependency failed, so it never ran
        assert http.get("/users/erp@contoso.com?$select=usageLocation").json()["usageLocation"] == "US"

        too_many = http.post(
            "/$batch",
            json={"requests": [{"id": str(n), "method": "GET", "url": "/domains"} for n in range(21)]},
        )
        assert too_many.status_code == 400 and too_many.json()["error"]["code"] == "Request_BadRequest"
        dup_ids = http.post(
            "/$batch", json={"requests": [{"id": "1", "method": "GET", "url": "/domains"}] * 2}
        )
        assert dup_ids.status_code == 400
        absolute = http.post(
            "/$batch", json={"requests": [{"id": "1", "method": "GET", "url": f"{sandbox.base_url}/v1.0/domains"}]}
        )
        assert (absolute.status_code, absolute.json()["error"]["message"]) == (400, "Invalid batch payload format.")

        for _ in range(90):
            http.get("/admin/exchange/tracing/messageTraces")
        traced = http.post(
            "/$batch",
            json={
                "requests": [
                    {"id": str(n), "method": "GET", "url": "/admin/exchange/tracing/messageTraces"}
                    for n in range(20)
                ]
            },
        )
        statuses = [r["status"] for r in traced.json()["responses"]]
        assert statuses == [200] * 10 + [429] * 10
        assert "Retry-After" in traced.json()["responses"][-1]["headers"]

    bare = sandbox.ctx.tokens.issue(MESSAGE_TRACE_APP_ID, GRAPH_RESOURCE)
    with graph_http(sandbox, bare) as http:
        denied = http.post("/$batch", json={"requests": [{"id": "1", "method": "GET", "url": "/users"}]})
        assert denied.status_code == 200 and denied.json()["responses"][0]["status"] == 403
    with httpx.Client(verify=str(sandbox.ca_file)) as anonymous:
        assert anonymous.post(f"{sandbox.base_url}/v1.0/$batch", json=body).status_code == 401
