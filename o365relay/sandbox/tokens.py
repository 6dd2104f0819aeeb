"""The sandbox's Entra ID: the client-credentials token endpoint and token checks for its APIs.

Routes (``{tenant}`` may be the tenant id or any of its domains):

- ``POST /{tenant}/oauth2/v2.0/token`` (and the v1 path ``/{tenant}/oauth2/token``):
  ``grant_type=client_credentials``, ``client_id``, ``scope=<resource>/.default`` and either
  ``client_secret`` or ``client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer``
  + ``client_assertion``: a JWT signed with a certificate registered on the application
  (header ``x5t`` or ``x5t#S256``), or a federated assertion (see below). Reply:
  ``{"token_type":"Bearer","expires_in":3599,"ext_expires_in":3599,"access_token":...}``; the
  access token is an RS256 JWT with ``aud`` (resource URI), ``iss``, ``tid``, ``appid``, ``oid``
  (the app's service principal), ``roles`` (values of the app role assignments the service principal
  holds on that resource) and ``wids`` (the role template ids of the Entra directory roles it holds, plus
  :data:`SERVICE_PRINCIPAL_WID`, which Entra puts in every app-only token). Refusals are Entra's bodies
  (``error``, ``error_description`` starting with the AADSTS code, ``error_codes``, ``timestamp``,
  ``trace_id``, ``correlation_id``).
- ``GET /{tenant}/v2.0/.well-known/openid-configuration``, ``/{tenant}/.well-known/openid-configuration``
  and ``GET /{tenant}/discovery/v2.0/keys``: what MSAL reads to find the token endpoint.

Federated credentials (workload identity): the sandbox stands in for the external identity provider
too. ``POST /_sandbox/oidc/token`` with ``{"issuer", "subject", "audience"}`` (sandbox-only) mints an
assertion signed by the stand-in's own key (``oidc-key.pem``, never the access-token key), for an
external issuer only and a token-exchange audience only (never a resource such as Graph): it is no
access token, and an API refuses it (bad signature). The token endpoint accepts it as
``client_assertion`` when the application has a federatedIdentityCredential with that issuer, subject
and audience, as Entra does; it is the only way to an access token for a federated-only application.

The APIs accept only this tenant's access tokens: a token without ``tid`` or with another tenant's
``tid`` is refused (Graph: 401 ``InvalidAuthenticationToken``; Exchange: 401 with ``x-ms-diagnostics:
2000001``; SMTP: 535 5.7.3), before its issuer, audience or roles are looked at.

azure-identity against the sandbox (checked with azure-identity 1.27 / msal 1.39; see
tests/sandbox/test_tokens.py::test_azure_identity_*):

    ClientSecretCredential(tenant_id, client_id, secret, authority=sandbox.base_url,
                           disable_instance_discovery=True, connection_verify=str(sandbox.ca_file))
    CertificateCredential(tenant_id, client_id, certificate_path=pem_with_key, authority=...,
                          disable_instance_discovery=True, connection_verify=str(sandbox.ca_file))

``authority`` is the bare base URL (MSAL appends ``/{tenant}``); ``connection_verify`` is passed
through azure-core's transport to ``requests`` so only this CA is trusted for these calls. Then
``credential.get_token("https://graph.microsoft.com/.default")`` works unchanged.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import time
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from starlette.responses import JSONResponse

from o365relay.sandbox import store as st

if TYPE_CHECKING:
    from o365relay.sandbox.certs import SandboxPki

GRAPH_RESOURCE = "https://graph.microsoft.com"
EXCHANGE_RESOURCE = "https://outlook.office365.com"
ARM_RESOURCE = "https://management.azure.com"
GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000"
EXCHANGE_APP_ID = "00000002-0000-0ff1-ce00-000000000000"
ARM_APP_ID = "797f4846-ba00-4fd7-ba43-dac1f8f63013"  # Windows Azure Service Management API
RESOURCE_APP_IDS = {GRAPH_RESOURCE: GRAPH_APP_ID, EXCHANGE_RESOURCE: EXCHANGE_APP_ID, ARM_RESOURCE: ARM_APP_ID}
TOKEN_LIFETIME = 3599
_VERIFIED_MAX = 1024  # verified tokens remembered (cleared when full)
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
TOKEN_EXCHANGE_AUDIENCE = "api://AzureADTokenExchange"
# The "default permissions of a service principal" id Entra lists in every app-only token's wids claim
# (seen in live tokens, e.g. microsoftgraph/msgraph-sdk-powershell#1782); it is no assignable role.
SERVICE_PRINCIPAL_WID = "0997a1d0-0d1d-4acb-b408-d5ca73121e90"


class TokenRejected(Exception):
    """A bearer token an API must refuse; ``reason`` is missing|malformed|expired|audience|signature|tenant|issuer."""

    def __init__(self, reason: str, message: str):
        self.reason = reason
        super().__init__(message)


class OAuthError(Exception):
    """An Entra token-endpoint refusal; :meth:`response` renders Entra's body."""

    def __init__(self, status: int, error: str, code: int, description: str):
        self.status, self.error, self.code, self.description = status, error, code, description
        super().__init__(f"AADSTS{code}: {description}")

    def response(self) -> JSONResponse:
        trace, now = str(uuid.uuid4()), dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%SZ")
        body = {
            "error": self.error,
            "error_description": f"AADSTS{self.code}: {self.description} Trace ID: {trace} "
            f"Correlation ID: {trace} Timestamp: {now}",
            "error_codes": [self.code],
            "timestamp": now,
            "trace_id": trace,
            "correlation_id": trace,
            "error_uri": f"https://login.microsoftonline.com/error?code={self.code}",
        }
        return JSONResponse(body, status_code=self.status)


@dataclass
class TokenService:
    """Issues and verifies the sandbox's access tokens (one per sandbox; thread-safe). A verified
    token's claims are remembered until it expires, as a resource server caches its validations: a
    large read sends the same token thousands of times."""

    store: st.Store
    pki: SandboxPki
    base_url: str
    _verified: dict[tuple[str, Any], dict[str, Any]] = field(default_factory=dict, init=False, repr=False)

    @property
    def issuer_tid(self) -> str:
        return str(self.store.organization()["id"])

    def issuer(self) -> str:
        return f"https://sts.windows.net/{self.issuer_tid}/"

    def token_endpoint(self, tenant: str) -> str:
        return f"{self.base_url}/{tenant}/oauth2/v2.0/token"

    @property
    def resources(self) -> dict[str, str]:
        """Resource URI -> resource appId. The sandbox's own base URL is a second Graph resource URI:
        the one its cloud-metadata document names (``microsoftGraphResourceId``), as a national or
        custom cloud names its own Graph host; clients configured from that document ask for it."""
        return {**RESOURCE_APP_IDS, self.base_url: GRAPH_APP_ID}

    def audiences(self, resource_app_id: str) -> list[str]:
        """Every token audience that means the resource with this appId."""
        return [uri for uri, app_id in self.resources.items() if app_id == resource_app_id]

    # -- issuing ---------------------------------------------------------------------------------

    def issue(
        self, app_id: str, resource: str, *, lifetime: int = TOKEN_LIFETIME, auth_method: str = "1"
    ) -> str:
        """An access token for ``app_id`` on ``resource`` (a URI in :attr:`resources`); no credential check.

        Tests use ``lifetime`` <= 0 to get an already expired token.
        """
        sp = self.store.find(st.SERVICE_PRINCIPAL, appId=app_id)
        if sp is None:
            raise OAuthError(
                400,
                "unauthorized_client",
                700016,
                f"Application with identifier '{app_id}' was not found in the directory.",
            )
        resource_sp = self.store.find(st.SERVICE_PRINCIPAL, appId=self.resources[resource])
        roles = sorted(
            a["xRoleValue"]
            for a in self.store.list(st.APP_ROLE_ASSIGNMENT, principalId=sp["id"])
            if resource_sp is not None and a["resourceId"] == resource_sp["id"]
        )
        now = int(time.time())
        claims: dict[str, Any] = {
            "aud": resource,
            "iss": self.issuer(),
            "iat": now,
            "nbf": now,
            "exp": now + lifetime,
            "tid": self.issuer_tid,
            "appid": app_id,
            "azp": app_id,
            "oid": sp["id"],
            "sub": sp["id"],
            "idtyp": "app",
            "appidacr": auth_method,
            "ver": "1.0",
            "uti": uuid.uuid4().hex[:22],
        }
        if roles:
            claims["roles"] = roles
        claims["wids"] = self._wids(sp["id"])
        return jwt.encode(claims, self.pki.token_key, algorithm="RS256", headers={"kid": self.pki.token_kid})

    def _wids(self, principal_id: str) -> list[str]:
        """The ``wids`` claim: the directory roles' template ids the service principal holds."""
        held = {a["roleDefinitionId"] for a in self.store.list(st.DIRECTORY_ROLE_ASSIGNMENT, principalId=principal_id)}
        return [*sorted(held), SERVICE_PRINCIPAL_WID]

    def mint_external_assertion(
        self, issuer: str, subject: str, audience: str = TOKEN_EXCHANGE_AUDIENCE, lifetime: int = 600
    ) -> str:
        """Play the external OIDC provider of a federated credential (sandbox-only); ValueError when asked
        for anything but a federated assertion (Entra's own issuer, a resource audience)."""
        entra = (self.issuer(), self.base_url, "https://login.microsoftonline.com", "https://sts.windows.net")
        if not issuer.startswith("https://") or issuer.rstrip("/").startswith(entra) or not subject:
            raise ValueError("the OIDC stand-in issues assertions for an external https issuer and a subject")
        if audience.rstrip("/") in self.resources or audience in self.resources.values():
            raise ValueError(f"'{audience}' is a resource: the OIDC stand-in issues no access tokens")
        now = int(time.time())
        claims = {
            "iss": issuer,
            "sub": subject,
            "aud": audience,
            "iat": now,
            "nbf": now,
            "exp": now + lifetime,
            "jti": uuid.uuid4().hex,
        }
        return jwt.encode(claims, self.pki.oidc_key, algorithm="RS256", headers={"kid": "sandbox-oidc"})

    # -- verifying -------------------------------------------------------------------------------

    def verify(self, authorization: str | None, audience: str | list[str]) -> dict[str, Any]:
        """Check an ``Authorization`` header value; the token's claims, or TokenRejected."""
        if not authorization:
            raise TokenRejected("missing", "Access token is empty.")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise TokenRejected("malformed", "Access token is empty.")
        key = (token.strip(), audience if isinstance(audience, str) else tuple(audience))
        cached = self._verified.get(key)
        if cached is not None and cached["exp"] > time.time():
            return cached
        claims = self._decode(token.strip(), audience)
        if len(self._verified) >= _VERIFIED_MAX:
            self._verified.clear()
        self._verified[key] = claims
        return claims

    def _decode(self, token: str, audience: str | list[str]) -> dict[str, Any]:
        """The signature, lifetime, audience and tenant checks (RS256: ~1 ms, hence the cache)."""
        try:
            claims = jwt.decode(
                token,
                self.pki.token_key.public_key(),
                algorithms=["RS256"],
                audience=audience,
                options={"require": ["exp", "aud", "iss"]},
            )
            _check_tenant_claims(claims, self.issuer_tid, self.issuer())
            return claims
        except jwt.ExpiredSignatureError:
            raise TokenRejected("expired", "Lifetime validation failed, the token is expired.") from None
        except (jwt.InvalidAudienceError, jwt.MissingRequiredClaimError):
            raise TokenRejected("audience", "Access token validation failure. Invalid audience.") from None
        except jwt.InvalidSignatureError:
            raise TokenRejected("signature", "Access token validation failure. Invalid signature.") from None
        except jwt.PyJWTError:
            raise TokenRejected("malformed", "Access token validation failure. Invalid token.") from None

    # -- the token endpoint ----------------------------------------------------------------------

    def grant(self, tenant: str, form: dict[str, str]) -> dict[str, Any]:
        """Run the client-credentials grant for one token request; OAuthError on refusal."""
        self._check_tenant(tenant)
        if form.get("grant_type") != "client_credentials":
            raise OAuthError(
                400,
                "unsupported_grant_type",
                70003,
                f"The app requested an unsupported grant type '{form.get('grant_type', '')}'.",
            )
        client_id = form.get("client_id", "")
        app = self.store.find(st.APPLICATION, appId=client_id)
        if app is None:
            raise OAuthError(
                400,
                "unauthorized_client",
                700016,
                f"Application with identifier '{client_id}' was not found in the directory "
                f"'{self.issuer_tid}'.",
            )
        resource = _resource_of(form.get("scope", ""), self.resources)
        if "client_secret" in form:
            _check_secret(app, form["client_secret"])
            method = "1"
        elif form.get("client_assertion_type") == ASSERTION_TYPE and form.get("client_assertion"):
            self._check_assertion(app, form["client_assertion"], tenant)
            method = "2"
        else:
            raise OAuthError(
                401,
                "invalid_client",
                7000218,
                "The request body must contain the following parameter: "
                "'client_assertion' or 'client_secret'.",
            )
        return {
            "token_type": "Bearer",
            "expires_in": TOKEN_LIFETIME,
            "ext_expires_in": TOKEN_LIFETIME,
            "access_token": self.issue(client_id, resource, auth_method=method),
        }

    def _check_tenant(self, tenant: str) -> None:
        if tenant.lower() == self.issuer_tid.lower() or self.store.get(st.DOMAIN, tenant.lower()):
            return
        raise OAuthError(400, "invalid_request", 90002, f"Tenant '{tenant}' not found.")

    def _check_assertion(self, app: st.Doc, assertion: str, tenant: str) -> None:
        try:
            header = jwt.get_unverified_header(assertion)
            unverified = jwt.decode(assertion, options={"verify_signature": False})
        except jwt.PyJWTError:
            raise OAuthError(401, "invalid_client", 50027, "JWT token is invalid or malformed.") from None
        if unverified.get("iss") != app["appId"]:
            self._check_federated(app, assertion, unverified)
            return
        key = _registered_key(app, header)
        audiences = [
            self.token_endpoint(tenant),
            f"https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token",
            f"https://login.microsoftonline.com/{tenant}/oauth2/token",
        ]
        try:
            jwt.decode(
                assertion,
                key,
                algorithms=["RS256", "PS256"],
                audience=audiences,
                issuer=app["appId"],
                options={"require": ["exp", "aud", "iss", "sub"]},
            )
        except jwt.ExpiredSignatureError:
            raise OAuthError(
                401, "invalid_client", 700024, "Client assertion is not within its valid time range."
            ) from None
        except jwt.InvalidAudienceError:
            raise OAuthError(
                401, "invalid_client", 700027, "Client assertion audience claim does not match Realm issuer."
            ) from None
        except jwt.PyJWTError:
            raise OAuthError(
                401, "invalid_client", 700027, "Client assertion contains an invalid signature."
            ) from None

    def _check_federated(self, app: st.Doc, assertion: str, unverified: dict[str, Any]) -> None:
        matches = [
            f
            for f in app.get("federatedIdentityCredentials", [])
            if f.get("issuer") == unverified.get("iss") and f.get("subject") == unverified.get("sub")
        ]
        if not matches:
            raise OAuthError(
                400,
                "invalid_request",
                70021,
                "No matching federated identity record found for presented assertion. "
                f"Assertion Issuer: '{unverified.get('iss')}'. Assertion Subject: "
                f"'{unverified.get('sub')}'.",
            )
        audiences = [a for f in matches for a in f.get("audiences", [TOKEN_EXCHANGE_AUDIENCE])]
        try:  # signed by the external issuer: in the sandbox, the OIDC stand-in's key and no other
            jwt.decode(assertion, self.pki.oidc_key.public_key(), algorithms=["RS256"], audience=audiences)
        except jwt.ExpiredSignatureError:
            raise OAuthError(
                400, "invalid_client", 700024, "Client assertion is not within its valid time range."
            ) from None
        except jwt.PyJWTError:
            raise OAuthError(
                401, "invalid_client", 700027, "Client assertion failed signature validation."
            ) from None


def _check_tenant_claims(claims: dict[str, Any], tenant_id: str, issuer: str) -> None:
    """This tenant's token or TokenRejected: ``tid`` first, then the issuer that goes with it."""
    tid = claims.get("tid")
    if not tid:
        raise TokenRejected("tenant", "Access token validation failure. The token has no tenant (tid) claim. "
                                      "[sandbox wording]")
    if str(tid).lower() != tenant_id.lower():
        raise TokenRejected("tenant", f"Access token validation failure. The token is for tenant '{tid}', not "
                                      f"'{tenant_id}'. [sandbox wording]")
    if claims.get("iss") != issuer:
        raise TokenRejected("issuer", "Access token validation failure. Invalid issuer. [sandbox wording]")


def _resource_of(scope: str, resources: dict[str, str]) -> str:
    scopes = scope.split()
    if len(scopes) != 1 or not scopes[0].endswith("/.default"):
        raise OAuthError(
            400,
            "invalid_scope",
            1002012,
            f"The provided value for scope {scope} is not valid. Client credential flows must "
            "have a scope value with /.default suffixed to the resource identifier "
            "(application ID URI).",
        )
    resource = scopes[0].removesuffix("/.default").rstrip("/")
    by_app_id = {app_id: uri for uri, app_id in RESOURCE_APP_IDS.items()}
    resource = by_app_id.get(resource, resource)
    if resource not in resources:
        raise OAuthError(
            400,
            "invalid_resource",
            500011,
            f"The resource principal named {resource} was not found in the tenant.",
        )
    return resource


def _check_secret(app: st.Doc, secret: str) -> None:
    now = dt.datetime.now(dt.UTC).isoformat()
    creds = app.get("passwordCredentials", [])
    for cred in creds:
        if st.verify_secret(secret, cred.get("xHash")):
            if cred.get("endDateTime") and cred["endDateTime"] < now:
                raise OAuthError(
                    401,
                    "invalid_client",
                    7000222,
                    f"The provided client secret keys for app '{app['appId']}' are expired.",
                )
            return
    raise OAuthError(
        401,
        "invalid_client",
        7000215,
        "Invalid client secret provided. Ensure the secret being sent in the request is the "
        f"client secret value, not the client secret ID, for a secret added to app "
        f"'{app['appId']}'.",
    )


def _registered_key(app: st.Doc, header: dict[str, Any]) -> Any:
    """The public key of the registered certificate the assertion's x5t / x5t#S256 names."""
    for cred in app.get("keyCredentials", []):
        cert = x509.load_pem_x509_certificate(cred["xCertificatePem"].encode())
        der = cert.public_bytes(serialization.Encoding.DER)
        # MSAL sends x5t base64url *with* padding; RFC 7515 says without: accept both. go-azure-sdk
        # (the azuread provider) names the same SHA-1 thumbprint in ``kid`` instead of ``x5t``.
        sha1 = _b64url(hashlib.sha1(der).digest())  # noqa: S324 - a certificate thumbprint, as Entra's
        if sha1 in (str(header.get("x5t", "")).rstrip("="), str(header.get("kid", "")).rstrip("=")) or str(
            header.get("x5t#S256", "")
        ).rstrip("=") == _b64url(hashlib.sha256(der).digest()):
            return cert.public_key()
    shown = header.get("x5t") or header.get("kid") or header.get("x5t#S256") or ""
    raise OAuthError(
        401,
        "invalid_client",
        700027,
        "Client assertion contains an invalid signature. [Reason - The key was not found., "
        f"Thumbprint of key used by client: '{shown}']",
    )


def certificate_thumbprint(pem: str) -> str:
    """SHA-1 thumbprint (hex upper) of a PEM certificate: keyCredentials' customKeyIdentifier."""
    return x509.load_pem_x509_certificate(pem.encode()).fingerprint(hashes.SHA1()).hex().upper()  # noqa: S303


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
