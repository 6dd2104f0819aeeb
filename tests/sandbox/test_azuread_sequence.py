"""The Graph conversation of the azuread provider (pulumi-azuread 6.11 = terraform-provider-azuread
v3.9.0 on go-azure-sdk v0.20260212.1143955), replayed with httpx against a started sandbox.

NOT THE REAL CLIENT. The real provider plugin cannot be built here (the Go module proxy answers 403
for github.com/pulumi/pulumi-azuread/provider/v6 and github.com/hashicorp/terraform-provider-azuread),
so these requests were written down from the provider's source: the method, path, query, headers and
JSON bodies its create / read / delete functions send for Application, ServicePrincipal,
AppRoleAssignment, ApplicationFederatedIdentityCredential, ApplicationCertificate,
ApplicationPassword, User and the get_service_principal data source, in the order it sends them, and
the parts of each reply it reads. What the provider would do with a reply (fail, retry, drop the
resource from state) is asserted as the condition it checks.
"""

from __future__ import annotations

import base64
import ssl
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from o365relay.sandbox import store as st
from o365relay.sandbox.catalog import EXCHANGE_APP_ROLES
from o365relay.sandbox.runner import Sandbox
from o365relay.sandbox.seed import SEEDS_DIR
from o365relay.sandbox.tokens import EXCHANGE_APP_ID

CERTIFICATE = Path(__file__).parents[2] / "certs" / "monitoring-alerts.pem"  # a public certificate only
# go-azure-sdk's odata.Query headers on every Graph request, and its JSON content type
GO_HEADERS = {"Accept": "application/json; charset=utf-8; IEEE754Compatible=false",
              "Odata-Maxversion": "4.0", "Odata-Version": "4.0",
              "Content-Type": "application/json; charset=utf-8"}


class ProviderCalls:
    """The provider's side of the conversation: metadata, token, then Graph as go-azure-sdk sends it."""

    def __init__(self, sandbox: Sandbox, secret: str | None = None):
        env = sandbox.azuread_env()
        self.http = httpx.Client(verify=ssl.create_default_context(cafile=env["SSL_CERT_FILE"]), timeout=10)
        self.calls: list[str] = []
        cloud = self.http.get(f"https://{env['ARM_METADATA_HOSTNAME']}/metadata/endpoints",
                              params={"api-version": "2022-09-01"}).json()
        for required in ("name", "resourceManager", "microsoftGraphResourceId"):  # environments.FromEndpoint
            assert cloud[required]
        self.graph = cloud["microsoftGraphResourceId"].rstrip("/")  # normalizeResourceId
        form = {"client_id": env["ARM_CLIENT_ID"], "client_secret": secret or env["ARM_CLIENT_SECRET"],
                "grant_type": "client_credentials", "scope": f"{self.graph}/.default"}
        token_url = f"{cloud['authentication']['loginEndpoint']}/{env['ARM_TENANT_ID']}/oauth2/v2.0/token"
        self.token_reply = self.http.post(token_url, data=form, headers={"Accept": "application/json"})

    def claims(self) -> dict[str, Any]:
        payload = self.token_reply.json()["access_token"].split(".")[1]
        return dict(httpx.Response(200, content=base64.urlsafe_b64decode(payload + "==")).json())

    def call(self, method: str, path: str, body: dict[str, Any] | None = None, **query: str) -> httpx.Response:
        self.calls.append(f"{method} {path}")
        headers = {**GO_HEADERS, "Authorization": f"Bearer {self.token_reply.json()['access_token']}"}
        return self.http.request(method, f"{self.graph}{path}", json=body, params=query or None,
                                 headers=headers)

    def ok(self, method: str, path: str, body: dict[str, Any] | None = None, **query: str) -> Any:
        reply = self.call(method, path, body, **query)
        # ExpectedStatusCodes of the generated methods: 200/201/202/204 for writes, 200 for reads
        assert reply.status_code in (200, 201, 202, 204), f"{method} {path}: {reply.status_code} {reply.text}"
        return reply.json() if reply.content else None


@pytest.fixture
def provider(sandbox: Sandbox) -> Iterator[ProviderCalls]:
    calls = ProviderCalls(sandbox)
    assert calls.token_reply.status_code == 200, calls.token_reply.text
    yield calls
    calls.http.close()


def _directory_object(calls: ProviderCalls, object_id: str) -> str:
    return f"{calls.graph}/v1.0/directoryObjects/{object_id}"


def test_the_token_the_provider_gets_names_the_deployer_and_its_graph_roles(sandbox: Sandbox) -> None:
    good = ProviderCalls(sandbox)
    claims = good.claims()
    assert claims["oid"] and claims["appid"] == sandbox.deployer_client_id  # the provider needs `oid`
    assert "Application.ReadWrite.All" in claims["roles"]
    wrong = ProviderCalls(sandbox, secret="not-the-secret")
    assert wrong.token_reply.status_code == 401
    assert wrong.token_reply.json()["error_codes"] == [7000215]
    for client in (good, wrong):
        client.http.close()


def test_metadata_needs_an_api_version(sandbox: Sandbox, provider: ProviderCalls) -> None:
    reply = provider.http.get(f"{sandbox.base_url}/metadata/endpoints")
    assert reply.status_code == 400 and reply.json()["error"]["code"] == "MissingApiVersionParameter"


def test_up_refresh_destroy_of_a_sender_app_leaves_the_tenant_as_seeded(
    sandbox: Sandbox, provider: ProviderCalls
) -> None:
    before = {kind: sorted(d["id"] for d in sandbox.store.list(kind))
              for kind in (st.APPLICATION, st.SERVICE_PRINCIPAL, st.USER, st.APP_ROLE_ASSIGNMENT)}
    caller = provider.claims()["oid"]
    ids = _up(provider, caller)
    _refresh(provider, ids)
    _destroy(provider, ids)
    after = {kind: sorted(d["id"] for d in sandbox.store.list(kind)) for kind in before}
    assert after == before


def _up(p: ProviderCalls, caller: str) -> dict[str, str]:
    ids: dict[str, str] = {}
    # data "azuread_service_principal" by client_id: list with $filter, then the beta samlMetadataUrl read
    found = p.ok("GET", "/v1.0/servicePrincipals", **{"$filter": f"appId eq '{EXCHANGE_APP_ID}'"})["value"]
    assert len(found) == 1
    ids["exchange_sp"] = found[0]["id"]
    role = next(r for r in found[0]["appRoles"] if r["value"] == "SMTP.SendAsApp")
    assert role["id"] == EXCHANGE_APP_ROLES["SMTP.SendAsApp"]
    p.ok("GET", f"/beta/servicePrincipals/{ids['exchange_sp']}", **{"$select": "samlMetadataUrl"})

    # azuread.Application: create with the caller bound as owner, two displayName PATCHes (the
    # replication probe), remove the caller as owner, then read
    app = p.ok("POST", "/v1.0/applications", {
        "@odata.type": "#microsoft.graph.application",
        "api": {"@odata.type": "#microsoft.graph.apiApplication", "knownClientApplications": [],
                "oauth2PermissionScopes": [], "preAuthorizedApplications": [], "requestedAccessTokenVersion": 1},
        "appRoles": [], "description": None, "displayName": "relay-erp", "identifierUris": [],
        "info": {"marketingUrl": None, "privacyStatementUrl": None, "supportUrl": None, "termsOfServiceUrl": None},
        "isDeviceOnlyAuthSupported": False, "isFallbackPublicClient": False, "notes": None,
        "owners@odata.bind": [_directory_object(p, caller)],
        "publicClient": {"@odata.type": "#microsoft.graph.publicClientApplication", "redirectUris": []},
        "requiredResourceAccess": [], "serviceManagementReference": None, "signInAudience": "AzureADMyOrg",
        "spa": {"redirectUris": []}, "tags": [],
        "web": {"homePageUrl": None, "logoutUrl": None, "redirectUris": [],
                "implicitGrantSettings": {"enableAccessTokenIssuance": False, "enableIdTokenIssuance": False}},
    })
    assert app["@odata.context"].endswith("/v1.0/$metadata#applications/$entity")
    ids["app"], client_id = app["id"], app["appId"]
    for name in (f"TERRAFORM_UPDATE_{uuid.uuid4()}", "relay-erp"):
        p.ok("PATCH", f"/v1.0/applications/{ids['app']}", {"displayName": name})
    p.ok("DELETE", f"/v1.0/applications/{ids['app']}/owners/{caller}/$ref")
    _read_application(p, ids["app"], "relay-erp", owners=[])

    # azuread.ServicePrincipal: look for an existing one, create, reset the temporary description
    assert p.ok("GET", "/v1.0/servicePrincipals", **{"$filter": f"appId eq '{client_id}'"})["value"] == []
    sp = p.ok("POST", "/v1.0/servicePrincipals", {
        "@odata.type": "#microsoft.graph.servicePrincipal", "accountEnabled": True, "appId": client_id,
        "appRoleAssignmentRequired": False, "description": f"TERRAFORM_UPDATE_{uuid.uuid4()}",
        "owners@odata.bind": [_directory_object(p, caller)], "tags": []})
    ids["sp"] = sp["id"]
    p.ok("PATCH", f"/v1.0/servicePrincipals/{ids['sp']}", {"description": None})
    p.ok("DELETE", f"/v1.0/servicePrincipals/{ids['sp']}/owners/{caller}/$ref")
    _read_service_principal(p, ids["sp"], client_id)

    # azuread.AppRoleAssignment: SMTP.SendAsApp on Office 365 Exchange Online
    p.ok("GET", f"/v1.0/servicePrincipals/{ids['exchange_sp']}")
    assignment = p.ok("POST", f"/v1.0/servicePrincipals/{ids['exchange_sp']}/appRoleAssignedTo", {
        "appRoleId": role["id"], "principalId": ids["sp"], "resourceId": ids["exchange_sp"]})
    assert assignment["resourceId"] == ids["exchange_sp"]
    ids["assignment"] = assignment["id"]

    # azuread.ApplicationFederatedIdentityCredential, then the 5 consecutive reads of its poller
    p.ok("GET", f"/v1.0/applications/{ids['app']}")
    fic = p.ok("POST", f"/v1.0/applications/{ids['app']}/federatedIdentityCredentials", {
        "audiences": ["api://AzureADTokenExchange"], "description": "", "name": "github-prod",
        "issuer": "https://token.actions.githubusercontent.com", "subject": "repo:contoso/erp:environment:prod"})
    ids["fic"] = fic["id"]
    for _ in range(5):
        p.ok("GET", f"/v1.0/applications/{ids['app']}/federatedIdentityCredentials/{ids['fic']}")

    # azuread.ApplicationCertificate: read, PATCH the whole keyCredentials list with the new one
    # (key = base64 of the PEM text, encoding "pem"), poll until the keyId shows
    ids["key"] = str(uuid.uuid4())
    pem = CERTIFICATE.read_text()
    current = p.ok("GET", f"/v1.0/applications/{ids['app']}")["keyCredentials"]
    p.ok("PATCH", f"/v1.0/applications/{ids['app']}", {
        "id": ids["app"], "keyCredentials": [*current, {
            "keyId": ids["key"], "type": "AsymmetricX509Cert", "usage": "Verify",
            "key": base64.b64encode(pem.encode()).decode()}]})
    keys = p.ok("GET", f"/v1.0/applications/{ids['app']}")["keyCredentials"]
    assert [(k["keyId"], k["key"]) for k in keys] == [(ids["key"], None)]  # never echoed on GET
    assert keys[0]["startDateTime"] and keys[0]["endDateTime"]  # from the certificate's validity

    # azuread.ApplicationPassword: addPassword, poll for its keyId
    password = p.ok("POST", f"/v1.0/applications/{ids['app']}/addPassword",
                    {"passwordCredential": {"displayName": "erp-mailer"}})
    assert password["secretText"] and password["keyId"]
    ids["password"] = password["keyId"]
    listed = p.ok("GET", f"/v1.0/applications/{ids['app']}")["passwordCredentials"]
    assert [c["keyId"] for c in listed] == [ids["password"]] and "secretText" not in listed[0]

    # azuread.User: create, showInAddressList through beta, read back
    user = p.ok("POST", "/v1.0/users", {
        "accountEnabled": True, "displayName": "Device owner", "mailNickname": "device-owner",
        "employeeOrgData": {"costCenter": None, "division": None}, "otherMails": [],
        "passwordProfile": {"forceChangePasswordNextSignIn": True, "password": "Sandbox-only-1"},
        "userPrincipalName": "device-owner@contoso.com"})
    ids["user"] = user["id"]
    p.ok("PATCH", f"/beta/users/{ids['user']}", {"showInAddressList": True})
    p.ok("GET", f"/v1.0/users/{ids['user']}")
    return ids


def _read_application(p: ProviderCalls, app_id: str, name: str, owners: list[str]) -> None:
    app = p.ok("GET", f"/v1.0/applications/{app_id}")
    # the full shape the provider flattens: defaults for every property it did not set
    assert app["displayName"] == name and app["web"]["implicitGrantSettings"]["enableIdTokenIssuance"] is False
    assert app["api"]["requestedAccessTokenVersion"] == 1 and app["description"] is None
    assert "oauth2RequirePostResponse" not in app  # a beta-only property
    beta = p.ok("GET", f"/beta/applications/{app_id}", **{"$select": "oauth2RequirePostResponse"})
    assert beta["oauth2RequirePostResponse"] is False and "/beta/$metadata#" in beta["@odata.context"]
    assert [o["id"] for o in p.ok("GET", f"/v1.0/applications/{app_id}/owners")["value"]] == owners


def _read_service_principal(p: ProviderCalls, sp_id: str, client_id: str) -> None:
    sp = p.ok("GET", f"/v1.0/servicePrincipals/{sp_id}")
    assert (sp["appId"], sp["description"], sp["accountEnabled"]) == (client_id, None, True)
    assert sp["servicePrincipalNames"] == [client_id] and sp["appRoleAssignmentRequired"] is False
    p.ok("GET", f"/beta/servicePrincipals/{sp_id}", **{"$select": "samlMetadataUrl"})
    assert p.ok("GET", f"/v1.0/servicePrincipals/{sp_id}/owners")["value"] == []


def _refresh(p: ProviderCalls, ids: dict[str, str]) -> None:
    _read_application(p, ids["app"], "relay-erp", owners=[])
    assignment = p.ok("GET", f"/v1.0/servicePrincipals/{ids['exchange_sp']}/appRoleAssignedTo/{ids['assignment']}")
    assert (assignment["principalId"], assignment["principalType"]) == (ids["sp"], "ServicePrincipal")
    user = p.ok("GET", f"/v1.0/users/{ids['user']}")
    assert user["userPrincipalName"] == "device-owner@contoso.com"
    extra = p.ok("GET", f"/v1.0/users/{ids['user']}", **{"$select": "accountEnabled,mailNickname,otherMails"})
    assert (extra["accountEnabled"], extra["mailNickname"]) == (True, "device-owner")
    assert p.ok("GET", f"/beta/users/{ids['user']}", **{"$select": "showInAddressList"})["showInAddressList"] is True
    manager = p.call("GET", f"/v1.0/users/{ids['user']}/manager")
    assert manager.status_code == 404  # the provider reads "no manager" from exactly this


def _destroy(p: ProviderCalls, ids: dict[str, str]) -> None:
    p.ok("DELETE", f"/v1.0/users/{ids['user']}")
    assert p.call("GET", f"/v1.0/users/{ids['user']}").status_code == 404  # WaitForDeletion
    p.ok("POST", f"/v1.0/applications/{ids['app']}/removePassword", {"keyId": ids["password"]})
    app = p.ok("GET", f"/v1.0/applications/{ids['app']}")
    assert app["passwordCredentials"] == []
    p.ok("PATCH", f"/v1.0/applications/{ids['app']}", {"id": ids["app"], "keyCredentials": []})
    assert p.ok("GET", f"/v1.0/applications/{ids['app']}")["keyCredentials"] == []
    fic = f"/v1.0/applications/{ids['app']}/federatedIdentityCredentials/{ids['fic']}"
    p.ok("DELETE", fic)
    assert p.call("GET", fic).status_code == 404
    p.ok("DELETE", f"/v1.0/servicePrincipals/{ids['exchange_sp']}/appRoleAssignedTo/{ids['assignment']}")
    p.ok("DELETE", f"/v1.0/servicePrincipals/{ids['sp']}")
    assert p.call("GET", f"/v1.0/servicePrincipals/{ids['sp']}").status_code == 404
    p.ok("DELETE", f"/v1.0/applications/{ids['app']}")
    gone = p.call("GET", f"/v1.0/applications/{ids['app']}")
    assert gone.status_code == 404 and gone.json()["error"]["code"] == "Request_ResourceNotFound"


@pytest.mark.parametrize("owners_name_the_deployer", [False, True])
def test_a_deployer_holding_only_owned_by_keeps_its_app_only_when_owners_names_it(
        sandbox_factory: Callable[..., Sandbox], owners_name_the_deployer: bool) -> None:
    """Why the program lists the deployer in ``owners``: left out, the provider removes itself as owner
    right after create, and Application.ReadWrite.OwnedBy then refuses the credential that comes next."""
    p = ProviderCalls(sandbox_factory(seed=SEEDS_DIR / "deployer-owned-by.yaml"))
    claims = p.claims()
    assert "Application.ReadWrite.OwnedBy" in claims["roles"] and "Application.ReadWrite.All" not in claims["roles"]
    app = p.ok("POST", "/v1.0/applications", {"displayName": "relay-erp", "signInAudience": "AzureADMyOrg",
                                              "owners@odata.bind": [_directory_object(p, claims["oid"])]})
    if not owners_name_the_deployer:
        p.ok("DELETE", f"/v1.0/applications/{app['id']}/owners/{claims['oid']}/$ref")
    reply = p.call("POST", f"/v1.0/applications/{app['id']}/federatedIdentityCredentials", {
        "audiences": ["api://AzureADTokenExchange"], "name": "github-prod",
        "issuer": "https://token.actions.githubusercontent.com", "subject": "repo:contoso/erp:environment:prod"})
    assert reply.status_code == (201 if owners_name_the_deployer else 403), reply.text
    p.http.close()
