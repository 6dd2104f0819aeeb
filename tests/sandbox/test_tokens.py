"""The sandbox token endpoint: client secret, certificate and federated assertions, Entra's refusals,
and azure-identity pointed at it exactly as tokens.py's docstring tells the clients to."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from pathlib import Path

import httpx
import jwt
import pytest
from azure.core.exceptions import ClientAuthenticationError
from azure.identity import CertificateCredential, ClientSecretCredential
from azure.identity.aio import ClientSecretCredential as AsyncClientSecretCredential
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from o365relay.sandbox import store as st
from o365relay.sandbox.runner import Sandbox
from o365relay.sandbox.tokens import certificate_thumbprint

GRAPH_SCOPE = "https://graph.microsoft.com/.default"
EXO_SCOPE = "https://outlook.office365.com/.default"


def _claims(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def _self_signed(tmp_path: Path, name: str) -> tuple[str, Path]:
    """(certificate PEM, path of key+certificate PEM) for a fresh RSA key."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    cert_pem = cert.public_bytes(serialization.Encoding.PEM).decode()
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    path = tmp_path / f"{name}.pem"
    path.write_text(key_pem + cert_pem)
    return cert_pem, path


def _register_certificate(sandbox: Sandbox, app_id: str, cert_pem: str) -> None:
    """What Graph's addKey would do (the Graph API is tested on its own)."""
    app = sandbox.store.find(st.APPLICATION, appId=app_id)
    app["keyCredentials"].append(
        {
            "keyId": st.new_id(),
            "type": "AsymmetricX509Cert",
            "usage": "Verify",
            "customKeyIdentifier": certificate_thumbprint(cert_pem),
            "xCertificatePem": cert_pem,
        }
    )
    sandbox.store.put(st.APPLICATION, app)


def test_secret_grant_issues_signed_token_with_roles_per_resource(exo) -> None:
    response = exo.token_response(scope=GRAPH_SCOPE)
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3599 and body["ext_expires_in"] == 3599
    sandbox = exo.sandbox
    jwks = exo.http.get(f"{sandbox.base_url}/{sandbox.tenant_id}/discovery/v2.0/keys").json()
    key = jwt.PyJWK(jwks["keys"][0]).key
    graph = jwt.decode(
        body["access_token"], key, algorithms=["RS256"], audience="https://graph.microsoft.com"
    )
    assert graph["tid"] == sandbox.tenant_id and graph["appid"] == sandbox.deployer_client_id
    assert "User.ReadWrite.All" in graph["roles"] and "Exchange.ManageAsApp" not in graph["roles"]
    assert _claims(exo.token(scope=EXO_SCOPE))["roles"] == ["Exchange.ManageAsApp"]


def test_tokens_name_the_directory_roles_the_service_principal_holds(exo) -> None:
    """``wids``: the role template ids of its directory roles, plus the id Entra adds to every app token."""
    exchange_administrator = "29232cdf-9323-42fd-ade2-1d097af3e4de"
    default_sp = "0997a1d0-0d1d-4acb-b408-d5ca73121e90"
    for scope in (GRAPH_SCOPE, EXO_SCOPE):
        assert sorted(_claims(exo.token(scope=scope))["wids"]) == sorted([exchange_administrator, default_sp])
    sp = exo.sandbox.store.find(st.SERVICE_PRINCIPAL, appId=exo.sandbox.deployer_client_id)
    for assignment in exo.sandbox.store.list(st.DIRECTORY_ROLE_ASSIGNMENT, principalId=sp["id"]):
        exo.sandbox.store.delete(st.DIRECTORY_ROLE_ASSIGNMENT, assignment["id"])
    assert _claims(exo.token(scope=GRAPH_SCOPE))["wids"] == [default_sp]


@pytest.mark.parametrize(
    ("form", "status", "error", "code"),
    [
        ({"secret": "not-the-secret"}, 401, "invalid_client", 7000215),
        ({"client_id": "11111111-2222-3333-4444-555555555555"}, 400, "unauthorized_client", 700016),
        ({"scope": "https://graph.microsoft.com/User.Read"}, 400, "invalid_scope", 1002012),
        ({"scope": "https://vault.azure.net/.default"}, 400, "invalid_resource", 500011),
        ({"grant_type": "password"}, 400, "unsupported_grant_type", 70003),
    ],
)
def test_refusals_have_entra_shape(exo, form, status, error, code) -> None:
    response = exo.token_response(**form)
    assert response.status_code == status
    body = response.json()
    assert body["error"] == error and body["error_codes"] == [code]
    assert body["error_description"].startswith(f"AADSTS{code}: ")
    assert {"trace_id", "correlation_id", "timestamp"} <= body.keys()
    assert exo.sandbox.deployer_client_secret not in response.text


def test_unknown_tenant_is_refused(exo) -> None:
    url = f"{exo.sandbox.base_url}/fabrikam.onmicrosoft.com/oauth2/v2.0/token"
    response = exo.http.post(
        url, data={"grant_type": "client_credentials", "client_id": "x", "scope": EXO_SCOPE}
    )
    assert response.status_code == 400 and response.json()["error_codes"] == [90002]


def test_tenant_may_be_named_by_domain(exo) -> None:
    url = f"{exo.sandbox.base_url}/contoso.onmicrosoft.com/oauth2/v2.0/token"
    form = {
        "grant_type": "client_credentials",
        "client_id": exo.sandbox.deployer_client_id,
        "client_secret": exo.sandbox.deployer_client_secret,
        "scope": EXO_SCOPE,
    }
    assert exo.http.post(url, data=form).status_code == 200


def test_azure_identity_client_secret_credential_sync_and_async(sandbox: Sandbox) -> None:
    options = {
        "authority": sandbox.base_url,
        "disable_instance_discovery": True,
        "connection_verify": str(sandbox.ca_file),
    }
    credential = ClientSecretCredential(
        sandbox.tenant_id, sandbox.deployer_client_id, sandbox.deployer_client_secret, **options
    )
    assert _claims(credential.get_token(GRAPH_SCOPE).token)["aud"] == "https://graph.microsoft.com"

    async def get() -> str:
        async with AsyncClientSecretCredential(
            sandbox.tenant_id, sandbox.deployer_client_id, sandbox.deployer_client_secret, **options
        ) as credential:
            return (await credential.get_token(EXO_SCOPE)).token

    assert _claims(asyncio.run(get()))["aud"] == "https://outlook.office365.com"
    wrong = ClientSecretCredential(sandbox.tenant_id, sandbox.deployer_client_id, "wrong", **options)
    with pytest.raises(ClientAuthenticationError, match="AADSTS7000215"):
        wrong.get_token(GRAPH_SCOPE)


def test_azure_identity_certificate_credential(sandbox: Sandbox, tmp_path: Path) -> None:
    cert_pem, pem_path = _self_signed(tmp_path, "monitoring-alerts")
    options = {
        "authority": sandbox.base_url,
        "disable_instance_discovery": True,
        "connection_verify": str(sandbox.ca_file),
    }
    credential = CertificateCredential(
        sandbox.tenant_id, sandbox.deployer_client_id, certificate_path=str(pem_path), **options
    )
    with pytest.raises(ClientAuthenticationError, match="AADSTS700027"):  # not registered yet
        credential.get_token(EXO_SCOPE)
    _register_certificate(sandbox, sandbox.deployer_client_id, cert_pem)
    fresh = CertificateCredential(
        sandbox.tenant_id, sandbox.deployer_client_id, certificate_path=str(pem_path), **options
    )
    claims = _claims(fresh.get_token(EXO_SCOPE).token)
    assert claims["appidacr"] == "2" and claims["roles"] == ["Exchange.ManageAsApp"]


def test_assertion_signed_by_another_key_with_registered_thumbprint_is_refused(exo, tmp_path: Path) -> None:
    cert_pem, _ = _self_signed(tmp_path, "good")
    _register_certificate(exo.sandbox, exo.sandbox.deployer_client_id, cert_pem)
    thumbprint = bytes.fromhex(certificate_thumbprint(cert_pem))
    import base64

    forger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = int(time.time())
    token_url = f"{exo.sandbox.base_url}/{exo.sandbox.tenant_id}/oauth2/v2.0/token"
    claims = {
        "iss": exo.sandbox.deployer_client_id,
        "sub": exo.sandbox.deployer_client_id,
        "aud": token_url,
        "exp": now + 300,
        "nbf": now,
        "jti": "1",
    }
    assertion = jwt.encode(
        claims,
        forger,
        algorithm="RS256",
        headers={"x5t": base64.urlsafe_b64encode(thumbprint).decode().rstrip("=")},
    )
    response = exo.token_response(
        client_assertion=assertion,
        client_assertion_type=("urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
    )
    assert response.status_code == 401 and response.json()["error_codes"] == [700027]


def test_federated_assertion_matches_issuer_and_subject(exo) -> None:
    sandbox = exo.sandbox
    app = sandbox.store.find(st.APPLICATION, appId=sandbox.deployer_client_id)
    app["federatedIdentityCredentials"] = [
        {
            "id": "f1",
            "name": "gh",
            "issuer": "https://token.actions.githubusercontent.com",
            "subject": "repo:contoso/erp:environment:prod",
            "audiences": ["api://AzureADTokenExchange"],
        }
    ]
    sandbox.store.put(st.APPLICATION, app)

    def assertion(subject: str) -> str:
        response = exo.http.post(
            f"{sandbox.base_url}/_sandbox/oidc/token",
            json={"issuer": "https://token.actions.githubusercontent.com", "subject": subject},
        )
        return str(response.json()["token"])

    kind = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    good = exo.token_response(
        client_assertion=assertion("repo:contoso/erp:environment:prod"), client_assertion_type=kind
    )
    assert good.status_code == 200
    bad = exo.token_response(
        client_assertion=assertion("repo:contoso/erp:environment:dev"), client_assertion_type=kind
    )
    assert bad.status_code == 400 and bad.json()["error_codes"] == [70021]


def test_openid_configuration_points_at_the_sandbox(exo) -> None:
    sandbox = exo.sandbox
    doc = exo.http.get(f"{sandbox.base_url}/{sandbox.tenant_id}/v2.0/.well-known/openid-configuration").json()
    assert doc["token_endpoint"] == f"{sandbox.base_url}/{sandbox.tenant_id}/oauth2/v2.0/token"


def test_untrusted_clients_cannot_connect(sandbox: Sandbox) -> None:
    """The sandbox's certificate is issued by its own CA: without ca.pem, TLS verification fails."""
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{sandbox.base_url}/_sandbox/health")


def test_go_azure_sdk_certificate_assertion_names_the_thumbprint_in_kid(exo, tmp_path: Path) -> None:
    """The azuread provider (go-azure-sdk) signs with the registered key and puts the certificate's
    SHA-1 thumbprint, base64url with padding, in ``kid`` (no ``x5t``)."""
    import base64

    from cryptography.hazmat.primitives import serialization

    cert_pem, bundle = _self_signed(tmp_path, "go-client")
    _register_certificate(exo.sandbox, exo.sandbox.deployer_client_id, cert_pem)
    key = serialization.load_pem_private_key(bundle.read_bytes(), password=None)
    thumbprint = bytes.fromhex(certificate_thumbprint(cert_pem))
    now = int(time.time())
    claims = {"aud": f"{exo.sandbox.base_url}/{exo.sandbox.tenant_id}/oauth2/v2.0/token", "exp": now + 3600,
              "iss": exo.sandbox.deployer_client_id, "jti": "2", "nbf": now, "sub": exo.sandbox.deployer_client_id}
    kid = base64.urlsafe_b64encode(thumbprint).decode()
    assertion = jwt.encode(claims, key, algorithm="RS256", headers={"typ": "JWT", "kid": kid})
    response = exo.token_response(
        client_assertion=assertion,
        client_assertion_type="urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
    )
    assert response.status_code == 200, response.text
