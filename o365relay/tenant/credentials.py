"""Build the deploying identity's azure-identity credential from the environment, at call time.

The credential is made where a client opens and dropped when it closes; nothing here keeps a
secret, an assertion or a token on a long-lived or picklable object. Which credential is used
depends on what the environment offers, strongest first:

1. ``AZURE_FEDERATED_TOKEN_FILE`` (AKS / generic workload identity): WorkloadIdentityCredential.
2. ``ACTIONS_ID_TOKEN_REQUEST_URL`` + ``ACTIONS_ID_TOKEN_REQUEST_TOKEN`` (GitHub Actions with
   ``permissions: id-token: write``): ClientAssertionCredential fed GitHub's OIDC token, fetched
   fresh for each token request.
3. ``AZURE_CLIENT_CERTIFICATE_PATH`` (+ optional ``AZURE_CLIENT_CERTIFICATE_PASSWORD``):
   CertificateCredential.
4. ``AZURE_CLIENT_SECRET``: ClientSecretCredential (the sandbox's seeded deployer uses this).
5. Otherwise: ManagedIdentityCredential (``AZURE_CLIENT_ID`` picks a user-assigned identity).

1-4 need ``AZURE_CLIENT_ID``. All use ``Endpoints.login_authority`` and trust ``Endpoints.ca_file`` when
it is set (the sandbox). The async credentials never run MSAL's instance discovery, so a private
authority needs no ``disable_instance_discovery``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from o365relay.errors import AuthError, UsageError
from o365relay.netfail import is_transport_failure, transport_error
from o365relay.tenant.settings import Endpoints

if TYPE_CHECKING:
    from azure.core.credentials_async import AsyncTokenCredential

# Audience GitHub's OIDC token must carry for Entra federation, per cloud.
_FEDERATION_AUDIENCE: dict[str | None, str] = {
    "login.microsoftonline.us": "api://AzureADTokenExchangeUSGov",
    "login.chinacloudapi.cn": "api://AzureADTokenExchangeChina",
    "login.partner.microsoftonline.cn": "api://AzureADTokenExchangeChina",
}
ID_TOKEN_TIMEOUT = 30.0  # seconds the GitHub Actions runner has to answer


def credential_kind(environ: Mapping[str, str] | None = None) -> str:
    """Name of the credential :func:`credential_for` would build (for messages; no secrets)."""
    env = os.environ if environ is None else environ
    if env.get("AZURE_FEDERATED_TOKEN_FILE"):
        return "workload identity"
    if env.get("ACTIONS_ID_TOKEN_REQUEST_URL") and env.get("ACTIONS_ID_TOKEN_REQUEST_TOKEN"):
        return "GitHub Actions OIDC federation"
    if env.get("AZURE_CLIENT_CERTIFICATE_PATH"):
        return "client certificate"
    if env.get("AZURE_CLIENT_SECRET"):
        return "client secret"
    return "managed identity"


def credential_for(endpoints: Endpoints, environ: Mapping[str, str] | None = None) -> AsyncTokenCredential:
    """A fresh async azure-identity credential for the deploying app; close it when done."""
    from azure.identity import aio

    env = os.environ if environ is None else environ
    kind = credential_kind(env)
    common = credential_options(endpoints)
    if kind == "managed identity":
        return aio.ManagedIdentityCredential(client_id=env.get("AZURE_CLIENT_ID") or None)
    client_id = env.get("AZURE_CLIENT_ID")
    if not client_id:
        raise UsageError(f"{kind} needs AZURE_CLIENT_ID, the deploying app's application (client) id")
    tenant = endpoints.tenant_id
    if kind == "workload identity":
        return aio.WorkloadIdentityCredential(tenant_id=tenant, client_id=client_id,
                                              token_file_path=env["AZURE_FEDERATED_TOKEN_FILE"], **common)
    if kind == "GitHub Actions OIDC federation":
        url, bearer = env["ACTIONS_ID_TOKEN_REQUEST_URL"], env["ACTIONS_ID_TOKEN_REQUEST_TOKEN"]
        cloud = urlsplit(endpoints.login_authority).hostname
        audience = _FEDERATION_AUDIENCE.get(cloud, "api://AzureADTokenExchange")
        return aio.ClientAssertionCredential(
            tenant, client_id, lambda: github_id_token(url, bearer, audience), **common)
    if kind == "client certificate":
        return certificate_credential(tenant, client_id, env, "AZURE_CLIENT_CERTIFICATE_PATH",
                                      env.get("AZURE_CLIENT_CERTIFICATE_PASSWORD") or None, **common)
    return aio.ClientSecretCredential(tenant, client_id, env["AZURE_CLIENT_SECRET"], **common)


def credential_options(endpoints: Endpoints) -> dict[str, Any]:
    """What every azure-identity credential here is built with: the cloud's authority, and the CA to trust
    when one is set (the sandbox)."""
    common: dict[str, Any] = {"authority": endpoints.login_authority}
    if endpoints.ca_file:
        common["connection_verify"] = endpoints.ca_file
    return common


MAX_CERTIFICATE_BYTES = 1024 * 1024


def certificate_credential(tenant: str, client_id: str, env: Mapping[str, str], variable: str,
                           password: str | None, **common: Any) -> AsyncTokenCredential:
    """A CertificateCredential for the file ``variable`` names; a key azure-identity cannot load (encrypted,
    without the right password) is a UsageError rather than its bare TypeError or ValueError."""
    from azure.identity import aio

    path = certificate_file(env, variable)
    try:
        return aio.CertificateCredential(tenant, client_id, certificate_path=path, password=password, **common)
    except (TypeError, ValueError) as error:
        raise UsageError(f"{variable}={path}: cannot load the key: {error}") from None


def certificate_file(env: Mapping[str, str], variable: str) -> str:
    """The certificate file ``variable`` names, once it is known to hold a private key: azure-identity
    would otherwise fail on a public certificate or a stray file with a bare ValueError."""
    from o365relay.fileio import read_bytes

    path = env[variable]
    data = read_bytes(path, MAX_CERTIFICATE_BYTES, f"{variable}")
    if data.lstrip().startswith(b"-----BEGIN"):
        if b"PRIVATE KEY-----" not in data:
            raise UsageError(f"{variable}={path} holds no private key: give a PEM file with the certificate "
                             "and its private key (or a PKCS#12 file)")
    elif not data.startswith(b"\x30"):  # PKCS#12 is DER: a SEQUENCE
        raise UsageError(f"{variable}={path} is neither PEM nor PKCS#12: give the certificate and its private "
                         "key as a PEM file")
    return path


def github_id_token(request_url: str, request_token: str, audience: str,
                    transport: Any = None) -> str:
    """Ask the GitHub Actions runner for an OIDC ID token with ``audience`` (never cached)."""
    import httpx

    try:
        with httpx.Client(transport=transport, timeout=ID_TOKEN_TIMEOUT) as http:
            response = http.get(request_url, params={"audience": audience},
                                headers={"Authorization": f"Bearer {request_token}"})
    except httpx.HTTPError as exc:
        reason = type(exc).__name__
        raise AuthError(f"could not reach the GitHub Actions ID-token endpoint: {reason}") from None
    if response.status_code != 200:
        raise AuthError(f"GitHub Actions refused an ID token (HTTP {response.status_code}); the workflow "
                        "needs `permissions: id-token: write`")
    value = response.json().get("value")
    if not isinstance(value, str) or not value:
        raise AuthError("GitHub Actions' ID-token reply had no token")
    return value


async def bearer_token(credential: AsyncTokenCredential, scope: str) -> str:
    """An access token for ``scope``; token failures become AuthError with Entra's reason only."""
    from azure.core.exceptions import ClientAuthenticationError

    try:
        return (await credential.get_token(scope)).token
    except ClientAuthenticationError as exc:
        raise auth_error(exc, scope) from None
    except Exception as exc:
        if is_transport_failure(exc):
            raise transport_error(exc, "the sign-in endpoint") from None
        raise


def auth_error(exc: Exception, scope: str) -> AuthError:
    """Entra's first line of reason (e.g. "Microsoft Entra ID error '(invalid_client) AADSTS7000215: ...'");
    azure-core puts the reply body on the lines after it."""
    reason = str(exc).strip().splitlines()
    return AuthError(f"could not get a token for {scope}: {reason[0] if reason else type(exc).__name__}")


async def check_sign_in(endpoints: Endpoints) -> None:
    """Get one Graph token before a long read, so an unreachable or refusing sign-in is one clear
    failure (exit 3) rather than the same reason on every object the read would have covered."""
    credential = credential_for(endpoints)
    async with credential:
        await bearer_token(credential, endpoints.graph_scope)
