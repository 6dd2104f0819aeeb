"""Endpoints and credential selection; a refused secret against the sandbox never leaks into errors."""

from __future__ import annotations

import httpx
import pytest

from o365relay.errors import AuthError, UsageError
from o365relay.tenant.credentials import credential_for, credential_kind, github_id_token
from o365relay.tenant.exchange import ExchangeClient
from o365relay.tenant.settings import Endpoints

TENANT = "7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a"


def test_from_env_defaults_to_global_cloud_and_accepts_overrides(tmp_path):
    assert Endpoints.from_env({"AZURE_TENANT_ID": TENANT}) == Endpoints.global_cloud(TENANT)
    ca = tmp_path / "ca.pem"
    ca.write_text("x")
    env = {
        "RELAY_TENANT_ID": TENANT,
        "RELAY_LOGIN_AUTHORITY": "https://127.0.0.1:8443",
        "RELAY_GRAPH_BASE": "https://127.0.0.1:8443/v1.0/",
        "RELAY_EXCHANGE_BASE": "https://127.0.0.1:8443",
        "RELAY_CA_FILE": str(ca),
    }
    endpoints = Endpoints.from_env(env)
    assert endpoints == Endpoints.sandbox("https://127.0.0.1:8443", TENANT, str(ca))
    assert endpoints.graph_scope == "https://graph.microsoft.com/.default"  # real audience, even here
    assert not endpoints.is_microsoft_cloud


def test_national_cloud_scopes():
    gov = Endpoints.us_gov_high(TENANT)
    assert (gov.graph_scope, gov.exchange_scope) == (
        "https://graph.microsoft.us/.default",
        "https://outlook.office365.us/.default",
    )
    assert Endpoints.china(TENANT).is_microsoft_cloud


@pytest.mark.parametrize(
    "env, message",
    [
        ({}, "no tenant"),
        ({"AZURE_TENANT_ID": TENANT, "RELAY_GRAPH_BASE": "http://127.0.0.1/v1.0"}, "must be an https://"),
        ({"AZURE_TENANT_ID": TENANT, "RELAY_CA_FILE": "/nonexistent/ca.pem"}, "does not exist"),
    ],
)
def test_bad_settings_are_usage_errors(env, message):
    with pytest.raises(UsageError, match=message):
        Endpoints.from_env(env)


@pytest.mark.parametrize(
    "env, kind",
    [
        ({"AZURE_FEDERATED_TOKEN_FILE": "/var/run/token", "AZURE_CLIENT_SECRET": "s"}, "workload identity"),
        (
            {"ACTIONS_ID_TOKEN_REQUEST_URL": "u", "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "t"},
            "GitHub Actions OIDC federation",
        ),
        ({"AZURE_CLIENT_CERTIFICATE_PATH": "/c.pem", "AZURE_CLIENT_SECRET": "s"}, "client certificate"),
        ({"AZURE_CLIENT_SECRET": "s"}, "client secret"),
        ({"ACTIONS_ID_TOKEN_REQUEST_URL": "u", "AZURE_CLIENT_SECRET": "s"}, "client secret"),  # no id-token: write
        ({}, "managed identity"),
    ],
)
def test_credential_kind_prefers_federation(env, kind):
    assert credential_kind(env) == kind


def test_secret_without_client_id_is_a_usage_error():
    with pytest.raises(UsageError, match="AZURE_CLIENT_ID"):
        credential_for(Endpoints.global_cloud(TENANT), {"AZURE_CLIENT_SECRET": "s"})


def test_github_id_token_asks_for_the_entra_audience():
    seen: list[httpx.Request] = []

    def runner(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"value": "gh-oidc-jwt"})

    assert (
        github_id_token(
            "https://runner.example/idtoken",
            "rt",
            "api://AzureADTokenExchange",
            transport=httpx.MockTransport(runner),
        )
        == "gh-oidc-jwt"
    )
    assert seen[0].url.params["audience"] == "api://AzureADTokenExchange"
    assert seen[0].headers["Authorization"] == "Bearer rt"
    with pytest.raises(AuthError, match="id-token: write"):
        github_id_token(
            "https://runner.example/idtoken",
            "rt",
            "a",
            transport=httpx.MockTransport(lambda r: httpx.Response(403)),
        )


@pytest.mark.anyio
async def test_wrong_secret_is_auth_error_without_the_secret(sandbox, caplog):
    env = {**sandbox.env(), "AZURE_CLIENT_SECRET": "not-the-secret-Q7v2"}
    endpoints = sandbox.endpoints()
    async with ExchangeClient(endpoints, credential_for(endpoints, env)) as exo:
        with pytest.raises(AuthError) as caught:
            await exo.invoke("Get-TransportConfig")
    assert "AADSTS7000215" in str(caught.value)
    for text in (str(caught.value), repr(caught.value), caplog.text):
        assert "not-the-secret-Q7v2" not in text and sandbox.deployer_client_secret not in text
