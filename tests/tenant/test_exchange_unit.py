"""ExchangeClient against small MockTransport apps shaped from the reference's live captures:
the quirks a sandbox cannot easily produce (NUL-byte 403, all-objects Get-*, truncation warnings)."""

from __future__ import annotations

import json
import logging
import pickle

import httpx
import pytest

from o365relay.errors import AuthError, Conflict, NotFound, PermissionDenied, Throttled
from o365relay.tenant.exchange import ExchangeClient, translate_error

pytestmark = pytest.mark.anyio

NOT_FOUND = {
    "error": {
        "code": "BadRequest",
        "message": "Invalid Operation",
        "details": [
            {
                "code": "Client",
                "target": "",
                "message": "Ex6F9304|Microsoft.Exchange.Configuration.Tasks."
                "ManagementObjectNotFoundException|The operation couldn't be performed because object "
                "'Relay' couldn't be found on 'AM0PR01A001DC01.EURPR01A001.prod.outlook.com'.",
            }
        ],
        "innererror": {
            "message": "Error executing cmdlet",
            "type": "Microsoft.Exchange.Admin.OData.Core.ODataServiceException",
        },
    },
    "@adminapi.warnings": [],
}


NOT_MODIFIED = "The command completed successfully but no settings of 'Relay' have been modified."


def app(handler):
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request)

    return httpx.MockTransport(record), seen


def client(endpoints, credential, policy, transport) -> ExchangeClient:
    return ExchangeClient(endpoints, credential, policy=policy, transport=transport)


async def test_request_shape_anchor_and_token(endpoints, credential, policy):
    transport, seen = app(
        lambda r: httpx.Response(200, json={"value": [{"Name": "Relay"}], "@adminapi.warnings": []})
    )
    async with client(endpoints, credential, policy, transport) as exo:
        rows = await exo.invoke("Get-InboundConnector")
    request = seen[0]
    assert request.url == f"https://outlook.office365.com/adminapi/beta/{endpoints.tenant_id}/InvokeCommand"
    assert json.loads(request.content) == {
        "CmdletInput": {"CmdletName": "Get-InboundConnector", "Parameters": {}}
    }
    assert request.headers["X-AnchorMailbox"] == (
        f"APP:SystemMailbox{{bb558c35-97f1-4cb9-8ff7-d53741dc928c}}@{endpoints.tenant_id}"
    )
    assert request.headers["Prefer"] == "odata.maxpagesize=1000"
    assert request.headers["Authorization"].startswith("Bearer ")
    assert credential.scopes == ["https://outlook.office365.com/.default"]
    assert rows == [{"Name": "Relay"}] and rows.warnings == []


async def test_pages_are_followed_and_other_warnings_surface(endpoints, credential, policy, caplog):
    base = f"https://outlook.office365.com/adminapi/beta/{endpoints.tenant_id}/InvokeCommand"

    def handler(request: httpx.Request) -> httpx.Response:
        if "skip" in str(request.url):
            return httpx.Response(
                200,
                json={
                    "value": [{"Name": "b"}],
                    "@adminapi.warnings": [NOT_MODIFIED],
                },
            )
        return httpx.Response(
            200, json={"value": [{"Name": "a"}], "@odata.nextLink": base + "?$skiptoken=skip"}
        )

    transport, seen = app(handler)
    async with client(endpoints, credential, policy, transport) as exo:
        with caplog.at_level(logging.INFO):
            rows = await exo.invoke("Get-Mailbox", {"ResultSize": "Unlimited"})
    assert [r["Name"] for r in rows] == ["a", "b"]
    assert rows.warnings == [NOT_MODIFIED]  # not a truncation warning: the read is complete
    assert NOT_MODIFIED in caplog.text
    assert json.loads(seen[1].content) == json.loads(seen[0].content)  # same body POSTed to nextLink


async def test_next_link_to_another_host_is_refused(endpoints, credential, policy):
    transport, seen = app(
        lambda r: httpx.Response(
            200, json={"value": [], "@odata.nextLink": "https://evil.example/adminapi/beta/x/InvokeCommand"}
        )
    )
    async with client(endpoints, credential, policy, transport) as exo:
        with pytest.raises(Exception, match="not the Exchange endpoint"):
            await exo.invoke("Get-Mailbox")
    assert len(seen) == 1


async def test_get_by_identity_filters_an_all_objects_answer(endpoints, credential, policy):
    everything = [
        {"Identity": "Partner A", "Name": "Partner A"},
        {"Identity": "Partner B", "Name": "Partner B"},
    ]
    transport, _ = app(lambda r: httpx.Response(200, json={"value": everything}))
    async with client(endpoints, credential, policy, transport) as exo:
        assert await exo.get_by_identity("Get-InboundConnector", "Relay") is None
        assert (await exo.get_by_identity("Get-InboundConnector", "partner b"))["Name"] == "Partner B"


async def test_not_found_from_details(endpoints, credential, policy):
    transport, _ = app(lambda r: httpx.Response(400, json=NOT_FOUND))
    async with client(endpoints, credential, policy, transport) as exo:
        with pytest.raises(NotFound, match="object 'Relay' couldn't be found"):
            await exo.invoke("Remove-InboundConnector", {"Identity": "Relay"})
        assert await exo.get_by_identity("Get-InboundConnector", "Relay") is None


def test_internalexception_text_wins_and_already_exists_is_conflict():
    body = {
        "error": {
            "code": "BadRequest",
            "message": "Invalid Operation",
            "details": [{"message": "ExA|Some.Type|less specific"}],
            "innererror": {
                "internalexception": {
                    "message": "An inbound connector with the name 'Relay' already exists.",
                    "type": "Microsoft.Exchange.Management.DataValidationException",
                }
            },
        }
    }
    error = translate_error(400, json.dumps(body).encode(), "New-InboundConnector")
    assert isinstance(error, Conflict)
    assert str(error) == "New-InboundConnector: An inbound connector with the name 'Relay' already exists."


def test_error_message_fallback():
    error = translate_error(500, b'{"error":{"code":"InternalServerError","message":"boom"}}', "Get-X")
    assert "boom" in str(error)


@pytest.mark.parametrize("content_type", [None, "text/plain"])
async def test_403_nul_bytes_declared_gzip_is_missing_role(endpoints, credential, policy, content_type):
    headers = {"content-encoding": "gzip", **({"content-type": content_type} if content_type else {})}
    nul = httpx.Response(403, headers=headers, stream=httpx.ByteStream(b"\x00" * 64))
    transport, _ = app(lambda r: nul)
    async with client(endpoints, credential, policy, transport) as exo:
        with pytest.raises(PermissionDenied) as caught:
            await exo.invoke("Get-InboundConnector")
    assert "lacks an Exchange role" in str(caught.value)
    assert "Exchange Administrator" in caught.value.fix


async def test_401_is_auth_error(endpoints, credential, policy):
    transport, _ = app(lambda r: httpx.Response(401))
    async with client(endpoints, credential, policy, transport) as exo:
        with pytest.raises(AuthError, match="Exchange.ManageAsApp"):
            await exo.invoke("Get-TransportConfig")


async def test_persistent_concurrency_reply_becomes_throttled(endpoints, credential, policy, sleeps):
    text = "You have reached the maximum number of concurrent requests per tenant. Please wait and try again"
    transport, seen = app(lambda r: httpx.Response(429, text=text, headers={"content-type": "text/plain"}))
    async with client(endpoints, credential, policy, transport) as exo:
        with pytest.raises(Throttled):
            await exo.invoke("Get-Mailbox")
    assert len(seen) == policy.max_attempts


async def test_batch_returns_per_item_errors_in_order_and_chunks_by_ten(endpoints, credential, policy):
    def handler(request: httpx.Request) -> httpx.Response:
        subs = json.loads(request.content)["requests"]
        return httpx.Response(
            200,
            json={
                "responses": [
                    {"id": s["id"], "status": 400, "body": NOT_FOUND}
                    if s["body"]["CmdletInput"]["Parameters"].get("Identity") == "missing"
                    else {
                        "id": s["id"],
                        "status": 200,
                        "body": {"value": [{"Name": s["body"]["CmdletInput"]["Parameters"].get("Identity")}]},
                    }
                    for s in reversed(subs)
                ]
            },
        )

    transport, seen = app(handler)
    commands = [("Get-CASMailbox", {"Identity": f"u{i}"}) for i in range(23)]
    commands[13] = ("Get-CASMailbox", {"Identity": "missing"})
    async with client(endpoints, credential, policy, transport) as exo:
        results = await exo.invoke_batch(commands)
    assert [len(json.loads(r.content)["requests"]) for r in seen] == [10, 10, 3]
    assert isinstance(results[13], NotFound)
    assert [r[0]["Name"] for i, r in enumerate(results) if i != 13] == [f"u{i}" for i in range(23) if i != 13]


async def test_no_token_in_errors_or_logs(endpoints, credential, policy, token, caplog):
    replies = iter(
        [
            httpx.Response(503, headers={"Retry-After": "0"}),
            httpx.Response(401),
            httpx.Response(400, json=NOT_FOUND),
            httpx.Response(403, content=b"\x00"),
        ]
    )
    transport, _ = app(lambda r: next(replies))
    errors: list[str] = []
    with caplog.at_level(logging.DEBUG):
        async with client(endpoints, credential, policy, transport) as exo:
            for _ in range(3):
                try:
                    await exo.invoke("Get-InboundConnector", {"Identity": "Relay"})
                except Exception as exc:  # noqa: BLE001 - collecting every error text
                    errors.append(f"{exc!s} {exc!r} {getattr(exc, 'fix', '')}")
    assert len(errors) == 3
    secret_part = token.split(".")[1]
    assert all(secret_part not in text for text in errors)
    assert caplog.records and all(secret_part not in r.getMessage() for r in caplog.records)


def test_client_refuses_to_be_pickled(endpoints, credential):
    with pytest.raises(TypeError, match="never pickled"):
        pickle.dumps(ExchangeClient(endpoints, credential))
