"""How the Exchange client reads an error reply: which exception a caller gets and the exact text it
shows (o365relay.tenant.exchange.translate_error and error_text, pure functions of the reply)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from o365relay.errors import (
    AuthError,
    Conflict,
    NotFound,
    PermissionDenied,
    TenantError,
    Throttled,
    TransientError,
)
from o365relay.tenant.exchange import ROLE_FIX, error_text, is_read, translate_error

CONCURRENCY = "You have reached the maximum number of concurrent requests per tenant. Please wait and try again"


def reply(error: Any) -> bytes:
    return json.dumps({"error": error}).encode()


@pytest.mark.parametrize(("status", "kind", "message"), [
    (429, Throttled, "Get-X: HTTP 429 with a non-JSON body (still throttled after retries)"),
    (500, TransientError, "Get-X: HTTP 500 with a non-JSON body"),
    (503, TransientError, "Get-X: HTTP 503 with a non-JSON body"),
    (400, TenantError, "Get-X: HTTP 400 with a non-JSON body"),
    (404, TenantError, "Get-X: HTTP 404 with a non-JSON body"),
])
def test_a_non_json_reply_is_judged_by_its_status(status, kind, message):
    error = translate_error(status, b"<html>Bad Gateway</html>", "Get-X")
    assert type(error) is kind
    assert str(error) == message


def test_a_body_that_is_not_utf8_is_still_translated():
    error = translate_error(502, b"\xff\xfe\x00gateway \xc3(", "Get-X")
    assert type(error) is TransientError
    assert str(error) == "Get-X: HTTP 502 with a non-JSON body"


def test_an_error_that_is_no_object_is_judged_by_its_status():
    error = translate_error(400, b'{"error": "Invalid Operation"}', "Get-X")
    assert type(error) is TenantError
    assert str(error) == "Get-X: HTTP 400 with a non-JSON body"


def test_an_error_object_without_any_text_says_unknown_error():
    error = translate_error(400, reply({}), "Set-X")
    assert type(error) is TenantError
    assert str(error) == "Set-X: unknown error"


def test_the_401_names_the_permission_to_grant():
    error = translate_error(401, b"", "Get-X")
    assert type(error) is AuthError
    assert str(error) == ("Get-X: the Exchange admin endpoint refused the token (HTTP 401); the deploying app "
                          "needs Exchange.ManageAsApp (Office 365 Exchange Online) with admin consent")


def test_the_concurrency_reply_is_throttled_with_exchanges_words():
    error = translate_error(429, f"  {CONCURRENCY}\n".encode(), "Get-Mailbox")
    assert type(error) is Throttled
    assert str(error) == f"Get-Mailbox: Exchange is still throttling after retries: {CONCURRENCY}"


@pytest.mark.parametrize("error", [
    {"code": "BadRequest", "message": "The object was not found",
     "innererror": {"internalexception": {"type": "Microsoft.Exchange.Configuration.Tasks."
                                                  "ManagementObjectNotFoundException",
                                          "message": "The object was not found"}}},
    {"code": "BadRequest", "message": "Relay couldn't be found on DC01."},
])
def test_not_found_by_type_or_by_text_alone(error):
    found = translate_error(400, reply(error), "Remove-InboundConnector")
    assert type(found) is NotFound
    assert str(found) == f"Remove-InboundConnector: {error['message']}"


@pytest.mark.parametrize("error", [
    {"code": "BadRequest", "message": "The name is taken",
     "details": [{"message": "Ex1|Microsoft.Exchange.Data.AlreadyExistsException|The name is taken"}]},
    {"code": "BadRequest", "message": "A connector named Relay Already Exists."},
])
def test_conflict_by_type_or_by_text_alone(error):
    conflict = translate_error(400, reply(error), "New-InboundConnector")
    assert type(conflict) is Conflict
    assert str(conflict) == f"New-InboundConnector: {error['message']}"


@pytest.mark.parametrize(("status", "error"), [
    (403, {"code": "Forbidden", "message": "The role assigned to the app isn't supported"}),
    (400, {"code": "BadRequest", "message": "The role assigned to the app isn't supported",
           "details": [{"message": "Ex2|Microsoft.Exchange.AccessDeniedException|"
                                   "The role assigned to the app isn't supported"}]}),
])
def test_permission_denied_by_status_or_by_type_names_the_fix(status, error):
    denied = translate_error(status, reply(error), "Set-CASMailbox")
    assert type(denied) is PermissionDenied
    assert str(denied) == f"Set-CASMailbox: The role assigned to the app isn't supported\n  fix: {ROLE_FIX}"
    assert denied.fix == ROLE_FIX


@pytest.mark.parametrize(("status", "kind"), [(400, TenantError), (404, TenantError), (500, TransientError),
                                              (429, Throttled)])
def test_any_other_error_is_judged_by_its_status(status, kind):
    error = translate_error(status, reply({"code": "InternalServerError", "message": "boom"}), "Get-X")
    assert type(error) is kind
    assert str(error).startswith("Get-X: boom")


@pytest.mark.parametrize(("error", "expected"), [
    # internalexception wins over details and the top level
    ({"code": "BadRequest", "message": "Invalid Operation",
      "details": [{"message": "Ex1|Detail.Type|detail text"}],
      "innerError": {"InternalException": {"Type": "Inner.Type", "Message": " inner text "}}},
     ("Inner.Type", "inner text")),
    # details id|type|text, the text keeping any further "|"
    ({"code": "BadRequest", "message": "Invalid Operation",
      "details": [{"message": "Ex6F9304|Some.Type|a | b | c"}]},
     ("Some.Type", "a | b | c")),
    # a details message without the id|type| prefix is all text; the type comes from the code
    ({"code": "BadRequest", "message": "Invalid Operation", "details": [{"message": "plain words"}]},
     ("BadRequest", "plain words")),
    # a details entry without a message falls back to the top level
    ({"code": "BadRequest", "message": "Invalid Operation", "details": [{"code": "Client"}]},
     ("BadRequest", "Invalid Operation")),
    # nothing but the code and message
    ({"code": "BadRequest", "message": "Invalid Operation"}, ("BadRequest", "Invalid Operation")),
    # nothing at all
    ({}, ("", "unknown error")),
])
def test_error_text_prefers_internalexception_then_details_then_the_top_level(error, expected):
    assert error_text(error) == expected


@pytest.mark.parametrize(("cmdlet", "read"), [
    ("Get-Mailbox", True), ("get-mailbox", True), ("Test-OAuthConnectivity", True), ("TEST-MAPIConnectivity", True),
    ("Set-Mailbox", False), ("New-InboundConnector", False), ("Add-RecipientPermission", False),
])
def test_get_and_test_cmdlets_are_reads(cmdlet, read):
    assert is_read(cmdlet) is read
