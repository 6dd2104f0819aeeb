"""Graph failures as the errors a user reads: the class decides the exit code and fallbacks, the text says
what failed and how to fix it (o365relay/tenant/graph_errors.py)."""

from __future__ import annotations

import httpx
import pytest
from azure.core.exceptions import ClientAuthenticationError
from kiota_abstractions.api_error import APIError
from msgraph.generated.models.o_data_errors.main_error import MainError
from msgraph.generated.models.o_data_errors.o_data_error import ODataError

from o365relay.errors import (
    AuthError,
    Conflict,
    LicenceRequired,
    NotFound,
    PermissionDenied,
    TenantError,
    Throttled,
    TransientError,
    UsageError,
)
from o365relay.tenant.graph_errors import graph_call, translate, translate_body, translate_exception

FIX = ("grant the deploying app the Microsoft Graph application permission Application.Read.All "
       "and grant admin consent (Entra ID > App registrations > API permissions)")


@pytest.mark.parametrize(("status", "code", "message", "kind", "text"), [
    (401, "InvalidAuthenticationToken", "Access token has expired.", AuthError,
     "get_app: Access token has expired. (InvalidAuthenticationToken); the token was refused"),
    (403, "Authentication_RequestFromNonPremiumTenantOrB2CTenant", "Neither tenant is B2C nor has premium license",
     LicenceRequired, "get_app: Neither tenant is B2C nor has premium license "
     "(Authentication_RequestFromNonPremiumTenantOrB2CTenant); reading sign-in logs through Graph needs "
     "Microsoft Entra ID P1 or P2"),
    (403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.", PermissionDenied,
     f"get_app: Insufficient privileges to complete the operation. (Authorization_RequestDenied)\n  fix: {FIX}"),
    (404, "", "", NotFound, "get_app: no message"),
    (400, "Request_ResourceNotFound", "", NotFound, "get_app: Request_ResourceNotFound"),
    (400, "ResourceNotFound", "gone", NotFound, "get_app: gone (ResourceNotFound)"),
    (409, "", "conflicting object", Conflict, "get_app: conflicting object"),
    (400, "Request_BadRequest", "Another object with the same value for property identifierUris Already Exists.",
     Conflict, "get_app: Another object with the same value for property identifierUris Already Exists. "
     "(Request_BadRequest)"),
    (400, "Request_MultipleObjectsWithSameKeyValue", "", Conflict, "get_app: Request_MultipleObjectsWithSameKeyValue"),
    (429, "TooManyRequests", "Slow down", Throttled,
     "get_app: Slow down (TooManyRequests) (still throttled after retries)"),
    (500, "", "Internal error", TransientError, "get_app: Internal error"),
    (503, "", "", TransientError, "get_app: no message"),
    (499, "", "odd", TenantError, "get_app: odd"),
    (None, "", "no status", TenantError, "get_app: no status"),
])
def test_each_graph_answer_becomes_the_error_a_user_can_act_on(status, code, message, kind, text):
    error = translate(status, code, message, "get_app", "Application.Read.All")
    assert type(error) is kind
    assert str(error) == text


def test_permission_denied_carries_the_fix_separately():
    error = translate(403, "Authorization_RequestDenied", "Insufficient privileges", "x", "User.Read.All")
    assert isinstance(error, PermissionDenied)
    assert error.fix.startswith("grant the deploying app the Microsoft Graph application permission User.Read.All ")


@pytest.mark.parametrize(("body", "text"), [
    ({"error": {"code": "Request_ResourceNotFound", "message": "Resource 'x' does not exist."}},
     "send_as: Resource 'x' does not exist. (Request_ResourceNotFound)"),
    ({"error": {"code": None, "message": None}}, "send_as: no message"),
    ({"error": "not an object"}, "send_as: no message"),
    ("plain text body", "send_as: no message"),
    (None, "send_as: no message"),
])
def test_batch_sub_response_bodies_of_any_shape_are_translated(body, text):
    error = translate_body(404, body, "send_as", "Mail.Send")
    assert type(error) is NotFound and str(error) == text


def test_batch_sub_response_refused_for_want_of_a_permission_says_which():
    body = {"error": {"code": "Authorization_RequestDenied", "message": "Insufficient privileges"}}
    error = translate_body(403, body, "grant", "AppRoleAssignment.ReadWrite.All")
    assert isinstance(error, PermissionDenied)
    assert "application permission AppRoleAssignment.ReadWrite.All " in error.fix


def test_batch_sub_response_code_alone_decides_the_class():
    body = {"error": {"code": "Request_MultipleObjectsWithSameKeyValue", "message": "dup"}}
    assert type(translate_body(400, body, "create", "Application.ReadWrite.All")) is Conflict


def odata(status: int, code: str | None, message: str | None) -> ODataError:
    return ODataError(response_status_code=status, error=MainError(code=code, message=message))


def test_sdk_error_with_odata_body_is_translated():
    error = translate_exception(odata(403, "Authorization_RequestDenied", "Insufficient privileges"),
                                "list_users", "User.Read.All")
    assert type(error) is PermissionDenied
    assert str(error).startswith("list_users: Insufficient privileges (Authorization_RequestDenied)\n  fix: ")


def test_sdk_error_without_odata_body_falls_back_to_its_own_message():
    error = translate_exception(APIError(message="the server said no", response_status_code=404), "get_user", "p")
    assert type(error) is NotFound and str(error) == "get_user: the server said no"
    bare = translate_exception(APIError(response_status_code=503), "get_user", "p")
    assert type(bare) is TransientError and str(bare) == "get_user: no message"


def test_token_refusal_is_an_auth_error_naming_graph():
    error = translate_exception(ClientAuthenticationError("AADSTS7000215: Invalid client secret provided.\nTrace"),
                                "get_user", "p")
    assert type(error) is AuthError
    assert str(error) == "could not get a token for Microsoft Graph: AADSTS7000215: Invalid client secret provided."


def test_connection_failure_names_the_call_that_could_not_reach_graph():
    request = httpx.Request("GET", "https://graph.microsoft.com/v1.0/users")
    error = translate_exception(httpx.ConnectError("[Errno 111] Connection refused", request=request),
                                "list_users", "p")
    assert type(error) is TransientError
    assert str(error) == "cannot reach Microsoft Graph (list_users) at https://graph.microsoft.com: ConnectError"


def test_sign_in_endpoint_failure_is_named_as_such():
    error = translate_exception(ConnectionRefusedError(111, "Connection refused"), "list_users", "p")
    assert type(error) is TransientError
    assert str(error) == "cannot reach the sign-in endpoint: connection refused (is it running, and is the port right?)"


def test_our_own_errors_pass_unchanged_and_bugs_are_not_disguised():
    ours = UsageError("bad")
    assert translate_exception(ours, "x", "p") is ours
    assert translate_exception(KeyError("bug"), "x", "p") is None


class Client:
    @graph_call("Application.Read.All")
    async def get_app(self, answer: Exception | None) -> str:
        if answer is not None:
            raise answer
        return "app"

    @graph_call("User.Read.All", name="the mailbox lookup")
    async def step(self, answer: Exception) -> None:
        raise answer


@pytest.mark.anyio
async def test_decorated_call_raises_the_translated_error_without_the_sdk_chain():
    client = Client()
    assert await client.get_app(None) == "app"
    with pytest.raises(PermissionDenied) as caught:
        await client.get_app(odata(403, "Authorization_RequestDenied", "Insufficient privileges"))
    assert str(caught.value).startswith("get_app: Insufficient privileges")
    assert "permission Application.Read.All" in str(caught.value)
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
    with pytest.raises(NotFound, match="^the mailbox lookup: no such mailbox"):
        await client.step(odata(404, None, "no such mailbox"))


@pytest.mark.anyio
async def test_decorated_call_lets_our_errors_and_bugs_through_as_they_are():
    client = Client()
    ours = Conflict("exists")
    with pytest.raises(Conflict) as caught:
        await client.get_app(ours)
    assert caught.value is ours
    with pytest.raises(KeyError):
        await client.get_app(KeyError("bug"))


def test_decorated_method_names_its_permission():
    assert Client.get_app.permission == "Application.Read.All"  # type: ignore[attr-defined]
