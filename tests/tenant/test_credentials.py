"""Each credential kind signs in against the sandbox's token endpoint as the deployer, with the right
grant, tenant and audience; the ways a sign-in fails are one clear error each."""

from __future__ import annotations

import datetime as dt
import json
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import jwt
import pytest
from azure.core.exceptions import ClientAuthenticationError
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from o365relay.errors import AuthError, FileRefused, TransientError, UsageError
from o365relay.sandbox import store as st
from o365relay.sandbox.runner import Sandbox
from o365relay.sandbox.tokens import certificate_thumbprint
from o365relay.tenant import credentials
from o365relay.tenant.credentials import (
    MAX_CERTIFICATE_BYTES,
    auth_error,
    bearer_token,
    certificate_file,
    check_sign_in,
    credential_for,
    credential_kind,
    github_id_token,
)
from o365relay.tenant.settings import Endpoints

TENANT = "7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a"
GITHUB = "https://token.actions.githubusercontent.com"
# What credential_for may otherwise pick up from the process environment (azure-identity reads it too).
_IDENTITY_VARIABLES = ("AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "AZURE_AUTHORITY_HOST",
                       "AZURE_FEDERATED_TOKEN_FILE", "AZURE_CLIENT_CERTIFICATE_PATH", "IDENTITY_ENDPOINT",
                       "IDENTITY_HEADER", "MSI_ENDPOINT", "MSI_SECRET", "IMDS_ENDPOINT",
                       "IDENTITY_SERVER_THUMBPRINT", "ACTIONS_ID_TOKEN_REQUEST_URL", "ACTIONS_ID_TOKEN_REQUEST_TOKEN")


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in _IDENTITY_VARIABLES:
        monkeypatch.delenv(name, raising=False)


class _Service:
    """A plain-HTTP service on loopback for the identity sources that are not Entra (the GitHub Actions
    runner, App Service's managed-identity endpoint): records each GET and answers with ``reply``."""

    def __init__(self, reply: Callable[[dict[str, str], dict[str, str]], tuple[int, dict[str, Any]]]):
        self.seen: list[tuple[dict[str, str], dict[str, str]]] = []
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                query = dict(parse_qsl(urlsplit(self.path).query))
                headers = {k.lower(): v for k, v in self.headers.items()}
                service.seen.append((query, headers))
                status, body = reply(query, headers)
                data = json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:  # the client gave up waiting (the timeout test)
                    pass

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/token"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def services() -> Iterator[Callable[..., _Service]]:
    started: list[_Service] = []

    def start(reply: Callable[[dict[str, str], dict[str, str]], tuple[int, dict[str, Any]]]) -> _Service:
        started.append(_Service(reply))
        return started[-1]

    yield start
    for service in started:
        service.stop()


def _claims(token: str) -> dict[str, Any]:
    return dict(jwt.decode(token, options={"verify_signature": False}))


def _token_requests(sandbox: Sandbox, expected: int = 1) -> list[str]:
    """The token requests the sandbox logged (it logs a request once its reply is sent: wait for it)."""
    deadline = time.monotonic() + 5
    while True:
        paths = [e["path"] for e in sandbox.ctx.requests.entries() if "/oauth2/" in e["path"]]
        if len(paths) >= expected or time.monotonic() > deadline:
            return paths
        time.sleep(0.02)


def _deployer(sandbox: Sandbox) -> dict[str, str]:
    """The deployer's identity without its secret: each test adds the credential it signs in with."""
    return {"AZURE_CLIENT_ID": sandbox.deployer_client_id}


async def _sign_in(sandbox: Sandbox, env: dict[str, str]) -> dict[str, Any]:
    endpoints = sandbox.endpoints()
    credential = credential_for(endpoints, env)
    async with credential:
        claims = _claims(await bearer_token(credential, endpoints.graph_scope))
    assert _token_requests(sandbox) == [f"/{sandbox.tenant_id}/oauth2/v2.0/token"]
    assert (claims["appid"], claims["tid"]) == (sandbox.deployer_client_id, sandbox.tenant_id)
    return claims


# -- certificate -------------------------------------------------------------------------------------


def _certificate(tmp_path: Path, password: bytes | None = None) -> tuple[str, Path]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "relay deployer")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=1))
            .not_valid_after(now + dt.timedelta(days=1)).sign(key, hashes.SHA256()))
    cert_pem = cert.public_bytes(serialization.Encoding.PEM).decode()
    encryption = (serialization.BestAvailableEncryption(password) if password
                  else serialization.NoEncryption())
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)
    path = tmp_path / "deployer.pem"
    path.write_text("\n" + key_pem.decode() + cert_pem)  # a leading blank line, as editors leave them
    return cert_pem, path


def _register_certificate(sandbox: Sandbox, cert_pem: str) -> None:
    """What an admin's upload in the portal does (Graph's certificate writes are tested on their own)."""
    app = sandbox.store.find(st.APPLICATION, appId=sandbox.deployer_client_id)
    app["keyCredentials"].append({"keyId": st.new_id(), "type": "AsymmetricX509Cert", "usage": "Verify",
                                  "customKeyIdentifier": certificate_thumbprint(cert_pem),
                                  "xCertificatePem": cert_pem})
    sandbox.store.put(st.APPLICATION, app)


@pytest.mark.anyio
@pytest.mark.parametrize("password", [None, "pfx-pass-4u"])
async def test_certificate_signs_in_with_a_signed_assertion(sandbox, tmp_path, password):
    cert_pem, path = _certificate(tmp_path, password.encode() if password else None)
    _register_certificate(sandbox, cert_pem)
    env = {**_deployer(sandbox), "AZURE_CLIENT_CERTIFICATE_PATH": str(path)}
    if password:
        env["AZURE_CLIENT_CERTIFICATE_PASSWORD"] = password
    claims = await _sign_in(sandbox, env)
    assert claims["appidacr"] == "2"  # a certificate assertion, not a secret


def test_certificate_file_accepts_pem_with_key_and_pkcs12(tmp_path):
    _, pem = _certificate(tmp_path)
    der = tmp_path / "deployer.pfx"
    der.write_bytes(b"\x30\x82\x0a\x00" + bytes(64))
    for path in (pem, der):
        assert certificate_file({"CERT": str(path)}, "CERT") == str(path)


@pytest.mark.parametrize(
    "content, message",
    [
        ("public", "CERT={path} holds no private key: give a PEM file with the certificate and its private key "
                   "(or a PKCS#12 file)"),
        (b"thumbprint 3F2A...", "CERT={path} is neither PEM nor PKCS#12: give the certificate and its private "
                                "key as a PEM file"),
        (b"\x30" * (MAX_CERTIFICATE_BYTES + 1), "cannot read {path}: it is larger than 1,048,576 bytes, the limit "
                                                 "for CERT"),
    ],
)
def test_certificate_file_refuses_what_azure_identity_could_not_use(tmp_path, content, message):
    if content == "public":
        cert_pem, _ = _certificate(tmp_path)
        content = cert_pem.encode()
    path = tmp_path / "cert.pem"
    path.write_bytes(content)
    with pytest.raises(UsageError) as caught:
        certificate_file({"CERT": str(path)}, "CERT")
    assert str(caught.value) == message.format(path=path)
    assert isinstance(caught.value, FileRefused) == (len(content) > MAX_CERTIFICATE_BYTES)


def test_certificate_credential_checks_the_file_it_is_given(tmp_path):
    path = tmp_path / "cert.pem"
    path.write_text("not a certificate")
    env = {"AZURE_CLIENT_ID": "app", "AZURE_CLIENT_CERTIFICATE_PATH": str(path)}
    with pytest.raises(UsageError, match=r"^AZURE_CLIENT_CERTIFICATE_PATH=.* is neither PEM nor PKCS#12"):
        credential_for(Endpoints.global_cloud(TENANT), env)


# -- workload identity and GitHub Actions federation -------------------------------------------------


def _federate(sandbox: Sandbox, issuer: str, subject: str) -> None:
    """The deployer app trusts ``subject`` of ``issuer`` (a federated identity credential)."""
    app = sandbox.store.find(st.APPLICATION, appId=sandbox.deployer_client_id)
    app["federatedIdentityCredentials"] = [{"id": "f1", "name": "deploy", "issuer": issuer, "subject": subject,
                                            "audiences": ["api://AzureADTokenExchange"]}]
    sandbox.store.put(st.APPLICATION, app)


def _external_assertion(sandbox: Sandbox, issuer: str, subject: str, audience: str) -> str:
    """An ID token of the external identity provider, from the sandbox's OIDC stand-in."""
    trust = ssl.create_default_context(cafile=sandbox.ca_file)
    reply = httpx.post(f"{sandbox.base_url}/_sandbox/oidc/token", verify=trust,
                       json={"issuer": issuer, "subject": subject, "audience": audience})
    reply.raise_for_status()
    return str(reply.json()["token"])


@pytest.mark.anyio
async def test_workload_identity_signs_in_with_the_projected_token(sandbox, tmp_path):
    issuer, subject = "https://oidc.aks.example/tenant/cluster", "system:serviceaccount:relay:deployer"
    _federate(sandbox, issuer, subject)
    token_file = tmp_path / "azure-identity-token"
    token_file.write_text(_external_assertion(sandbox, issuer, subject, "api://AzureADTokenExchange"))
    env = {**_deployer(sandbox), "AZURE_FEDERATED_TOKEN_FILE": str(token_file),
           "AZURE_CLIENT_SECRET": "a-stale-secret"}  # the federated token wins
    claims = await _sign_in(sandbox, env)
    assert claims["appidacr"] == "2"


def _runner(sandbox: Sandbox, request_token: str) -> Callable[[dict[str, str], dict[str, str]], tuple[int, Any]]:
    """The GitHub Actions runner's ID-token endpoint: the job's request token buys an ID token for the
    audience asked for, issued for this repository's production environment."""

    def reply(query: dict[str, str], headers: dict[str, str]) -> tuple[int, Any]:
        if headers.get("authorization") != f"Bearer {request_token}":
            return 401, {"message": "Bad credentials"}
        return 200, {"value": _external_assertion(sandbox, GITHUB, "repo:contoso/relay:environment:prod",
                                                  query["audience"])}

    return reply


@pytest.mark.anyio
async def test_github_actions_signs_in_with_the_runner_id_token(sandbox, services):
    _federate(sandbox, GITHUB, "repo:contoso/relay:environment:prod")
    runner = services(_runner(sandbox, "job-request-token-7"))
    env = {**_deployer(sandbox), "ACTIONS_ID_TOKEN_REQUEST_URL": runner.url,
           "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "job-request-token-7"}
    claims = await _sign_in(sandbox, env)
    assert claims["appidacr"] == "2"
    assert [query["audience"] for query, _ in runner.seen] == ["api://AzureADTokenExchange"]


@pytest.mark.anyio
@pytest.mark.parametrize(
    "endpoints, audience",
    [(Endpoints.us_gov_high(TENANT), "api://AzureADTokenExchangeUSGov"),
     (Endpoints.china(TENANT), "api://AzureADTokenExchangeChina")],
)
async def test_github_actions_asks_for_the_national_cloud_audience(services, endpoints, audience):
    runner = services(lambda query, headers: (403, {"message": "id-token permission missing"}))
    env = {"AZURE_CLIENT_ID": "app", "ACTIONS_ID_TOKEN_REQUEST_URL": runner.url,
           "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "job-request-token-7"}
    credential = credential_for(endpoints, env)
    async with credential:
        with pytest.raises(AuthError, match=r"^GitHub Actions refused an ID token \(HTTP 403\); the workflow needs "
                                            r"`permissions: id-token: write`$"):
            await bearer_token(credential, endpoints.graph_scope)
    assert [query["audience"] for query, _ in runner.seen] == [audience]


# -- managed identity --------------------------------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize("client_id", [None, "0c6f3e9a-user-assigned"])
async def test_managed_identity_asks_for_the_user_assigned_identity(services, monkeypatch, client_id):
    identity = services(lambda query, headers: (200, {"access_token": "mi-token", "token_type": "Bearer",
                                                       "expires_on": str(2**31 - 1), "resource": query["resource"]}))
    monkeypatch.setenv("IDENTITY_ENDPOINT", identity.url)  # App Service's managed-identity endpoint
    monkeypatch.setenv("IDENTITY_HEADER", "app-service-header")
    endpoints = Endpoints.global_cloud(TENANT)
    credential = credential_for(endpoints, {"AZURE_CLIENT_ID": client_id} if client_id else {})
    async with credential:
        assert await bearer_token(credential, endpoints.graph_scope) == "mi-token"
    assert [query.get("client_id") for query, _ in identity.seen] == [client_id]


def test_credential_kind_reads_the_process_environment(monkeypatch):
    assert credential_kind() == "managed identity"
    monkeypatch.setenv("AZURE_CLIENT_SECRET", "s")
    assert credential_kind() == "client secret"


# -- failures ----------------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_a_refused_secret_names_the_scope_and_entras_reason(sandbox):
    endpoints = sandbox.endpoints()
    credential = credential_for(endpoints, {**_deployer(sandbox), "AZURE_CLIENT_SECRET": "wrong-secret-88"})
    async with credential:
        with pytest.raises(AuthError) as caught:
            await bearer_token(credential, endpoints.exchange_scope)
    assert str(caught.value).startswith(
        "could not get a token for https://outlook.office365.com/.default: Microsoft Entra ID error "
        "'(invalid_client) AADSTS7000215: Invalid client secret provided.")
    assert "\n" not in str(caught.value) and "wrong-secret-88" not in str(caught.value)


@pytest.mark.anyio
async def test_an_unreachable_sign_in_endpoint_is_a_transient_error(sandbox):
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    endpoints = Endpoints.sandbox(f"https://127.0.0.1:{port}", sandbox.tenant_id, str(sandbox.ca_file))
    credential = credential_for(endpoints, {**_deployer(sandbox), "AZURE_CLIENT_SECRET": "s"})
    async with credential:
        with pytest.raises(TransientError) as caught:
            await bearer_token(credential, endpoints.graph_scope)
    assert str(caught.value).startswith(f"cannot reach the sign-in endpoint at 127.0.0.1:{port}: ")


@pytest.mark.anyio
async def test_check_sign_in_gets_one_graph_token(sandbox_env):
    await check_sign_in(Endpoints.from_env())
    assert _token_requests(sandbox_env) == [f"/{sandbox_env.tenant_id}/oauth2/v2.0/token"]


@pytest.mark.anyio
async def test_check_sign_in_reports_a_refused_sign_in_for_graph(sandbox_env, monkeypatch):
    monkeypatch.setenv("AZURE_CLIENT_SECRET", "wrong-secret-88")
    with pytest.raises(AuthError, match=r"^could not get a token for https://graph\.microsoft\.com/\.default: "
                                        r"Microsoft Entra ID error '\(invalid_client\) AADSTS7000215"):
        await check_sign_in(Endpoints.from_env())


@pytest.mark.parametrize(
    "error, reason",
    [
        (ClientAuthenticationError(message="AADSTS700016: Application not found.\nTrace ID: 1"),
         "AADSTS700016: Application not found."),
        (ClientAuthenticationError(message="  "), "ClientAuthenticationError"),
    ],
)
def test_auth_error_keeps_the_first_line_of_entras_reason(error, reason):
    assert str(auth_error(error, "scope")) == f"could not get a token for scope: {reason}"


# -- the GitHub Actions runner's ID-token endpoint ---------------------------------------------------


@pytest.mark.parametrize(
    "reply, message",
    [
        ((403, {"message": "Resource not accessible by integration"}),
         "GitHub Actions refused an ID token (HTTP 403); the workflow needs `permissions: id-token: write`"),
        ((200, {"value": ""}), "GitHub Actions' ID-token reply had no token"),
        ((200, {"count": 1}), "GitHub Actions' ID-token reply had no token"),
    ],
)
def test_a_runner_reply_without_a_token_is_an_auth_error(services, reply, message):
    runner = services(lambda query, headers: reply)
    with pytest.raises(AuthError) as caught:
        github_id_token(runner.url, "job-request-token-7", "api://AzureADTokenExchange")
    assert str(caught.value) == message


def test_a_silent_runner_is_given_up_on_after_the_timeout(services, monkeypatch):
    def slow(query: dict[str, str], headers: dict[str, str]) -> tuple[int, Any]:
        time.sleep(2)
        return 200, {"value": "late-token"}

    runner = services(slow)
    monkeypatch.setattr(credentials, "ID_TOKEN_TIMEOUT", 0.5)
    with pytest.raises(AuthError) as caught:
        github_id_token(runner.url, "job-request-token-7", "api://AzureADTokenExchange")
    assert str(caught.value) == "could not reach the GitHub Actions ID-token endpoint: ReadTimeout"


def test_an_unreachable_runner_is_an_auth_error():
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(AuthError) as caught:
        github_id_token(f"http://127.0.0.1:{port}/token", "job-request-token-7", "api://AzureADTokenExchange")
    assert str(caught.value) == "could not reach the GitHub Actions ID-token endpoint: ConnectError"


@pytest.mark.parametrize(
    "password, reason",
    [(None, "Password was not given but private key is encrypted"),
     ("not-the-pass", "Incorrect password, could not decrypt key")],
)
def test_an_encrypted_key_without_its_password_is_a_usage_error(tmp_path, password, reason):
    _, path = _certificate(tmp_path, b"pfx-pass-4u")
    env = {"AZURE_CLIENT_ID": "app", "AZURE_CLIENT_CERTIFICATE_PATH": str(path)}
    if password:
        env["AZURE_CLIENT_CERTIFICATE_PASSWORD"] = password
    with pytest.raises(UsageError) as caught:
        credential_for(Endpoints.global_cloud(TENANT), env)
    assert str(caught.value) == f"AZURE_CLIENT_CERTIFICATE_PATH={path}: cannot load the key: {reason}"
