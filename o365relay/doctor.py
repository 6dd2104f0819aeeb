"""``relayctl doctor``: can the configured identity do what o365-relay asks of it, and if not, the fix.

It reads its own access tokens' ``roles`` claims (the application permissions Entra granted) rather
than guessing from failures, then makes one cheap call per service to prove what a token cannot
show: the Exchange role of the service principal (a 403 of NUL bytes without one) and the
message-trace service principal. Tokens are read for their claims only and never printed.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from o365relay.errors import AuthError, NotFound, PermissionDenied, TenantError
from o365relay.tenant.settings import Endpoints

if TYPE_CHECKING:
    from azure.core.credentials_async import AsyncTokenCredential

Status = Literal["ok", "missing", "failed", "excess"]  # excess: held but more than o365-relay needs
Purpose = Literal["deploy", "audit"]

MESSAGE_TRACE_APP_ID = "8bd644d1-64a1-4d4b-ae52-2e0cbf64e373"
EXCHANGE_ADMINISTRATOR_ROLE = "29232cdf-9323-42fd-ade2-1d097af3e4de"  # Entra built-in role template id
EXCHANGE_RESOURCE = "Office 365 Exchange Online (00000002-0000-0ff1-ce00-000000000000)"
GRAPH_RESOURCE = "Microsoft Graph (00000003-0000-0000-c000-000000000000)"

# (permission, alternatives that also satisfy it, why o365-relay needs it, purposes)
GRAPH_PERMISSIONS: list[tuple[str, tuple[str, ...], str, tuple[Purpose, ...]]] = [
    ("Application.ReadWrite.OwnedBy", ("Application.ReadWrite.All",),
     "create the OAuth senders' app registrations and credentials", ("deploy",)),
    ("AppRoleAssignment.ReadWrite.All", (), "grant SMTP.SendAsApp to each OAuth sender", ("deploy",)),
    ("User.ReadWrite.All", ("Directory.ReadWrite.All",),
     "create mailbox users and assign licences (only if the spec creates mailboxes)", ("deploy",)),
    ("Application.Read.All", ("Application.ReadWrite.All", "Directory.Read.All"),
     "read Office 365 Exchange Online's app roles to grant SMTP.SendAsApp; find the applications holding it "
     "(audit, export)", ("deploy", "audit")),
    ("Domain.Read.All", ("Domain.ReadWrite.All", "Directory.Read.All"),
     "read MX targets from serviceConfigurationRecords", ("deploy", "audit")),
    ("User.Read.All", ("User.ReadWrite.All", "Directory.Read.All"), "resolve mailboxes", ("audit",)),
    ("ExchangeMessageTrace.Read.All", (), "follow test messages and usage in message trace", ("audit",)),
]

# Permissions broader than o365-relay needs: (held, what suffices instead).
EXCESS: list[tuple[str, str]] = [
    ("Application.ReadWrite.All", "Application.ReadWrite.OwnedBy to deploy and Application.Read.All to read "
     "(needed once only, to add the message-trace service principal)"),
    ("Directory.ReadWrite.All", "User.ReadWrite.All, and only if the spec creates mailbox users"),
    ("Directory.Read.All", "User.Read.All, Domain.Read.All and Application.Read.All"),
    ("Domain.ReadWrite.All", "Domain.Read.All"),
    ("RoleManagement.ReadWrite.Directory", "nothing: o365-relay assigns no directory roles"),
    ("Mail.Send", "nothing: senders use SMTP with their own SMTP.SendAsApp, not Graph mail"),
    ("Mail.ReadWrite", "nothing: o365-relay reads no mailbox content"),
]


@dataclass(frozen=True)
class Check:
    name: str
    status: Status
    detail: str
    fix: str = ""


def _claims(token: str) -> dict[str, object]:
    import jwt

    claims: dict[str, object] = jwt.decode(token, options={"verify_signature": False})
    return claims


def _grant_fix(permission: str, resource: str) -> str:
    return (f"grant the application permission {permission} on {resource} to the app, then admin consent "
            f"(Entra admin center > App registrations > API permissions, or `az ad app permission add` + "
            f"`az ad app permission admin-consent`)")


def permission_checks(roles: set[str], purposes: tuple[Purpose, ...]) -> list[Check]:
    """One check per Graph permission the chosen purposes need."""
    checks = []
    for permission, alternatives, why, used_for in GRAPH_PERMISSIONS:
        if not set(used_for) & set(purposes):
            continue
        held = [p for p in (permission, *alternatives) if p in roles]
        if held:
            checks.append(Check(f"Graph {permission}", "ok", f"held as {held[0]}: {why}"))
        else:
            checks.append(Check(f"Graph {permission}", "missing", why, _grant_fix(permission, GRAPH_RESOURCE)))
    return checks + excess_checks(roles)


def excess_checks(roles: set[str]) -> list[Check]:
    """A warning per permission held that is broader than o365-relay needs (least privilege)."""
    return [Check(f"Graph {held}", "excess", f"held, but more than o365-relay needs; {instead} suffices",
                  f"remove {held} from the app's API permissions once the narrower one is granted")
            for held, instead in EXCESS if held in roles]


async def _token_roles(credential: AsyncTokenCredential, scope: str, label: str) -> tuple[Check, set[str], str]:
    from o365relay.tenant.credentials import bearer_token

    try:
        token = await bearer_token(credential, scope)
    except AuthError as error:
        fix = "check AZURE_TENANT_ID / AZURE_CLIENT_ID and the credential (see docs/least-privilege.md)"
        return Check(f"{label} token", "failed", str(error), fix), set(), ""
    claims = _claims(token)
    granted = claims.get("roles")
    roles = {str(r) for r in granted} if isinstance(granted, list) else set()
    check = Check(f"{label} token", "ok", f"issued for {scope}; {len(roles)} application permission(s)")
    return check, roles, str(claims.get("oid", "<service-principal-object-id>"))


async def _exchange_role(endpoints: Endpoints, credential: AsyncTokenCredential, principal: str) -> Check:
    from o365relay.tenant.exchange import ExchangeClient

    try:
        async with ExchangeClient(endpoints, credential) as exo:
            await exo.invoke("Get-OrganizationConfig", {})
    except PermissionDenied:
        return Check("Exchange role", "missing", "the app's service principal holds no Exchange role (HTTP 403)",
                     "assign the Entra role Exchange Administrator to the app's service principal: "
                     f"New-MgRoleManagementDirectoryRoleAssignment -PrincipalId {principal} "
                     f"-RoleDefinitionId {EXCHANGE_ADMINISTRATOR_ROLE} -DirectoryScopeId / "
                     "(or add it to an Exchange role group; see docs/least-privilege.md)")
    except TenantError as error:
        return Check("Exchange role", "failed", f"Get-OrganizationConfig failed: {error}")
    return Check("Exchange role", "ok", "Get-OrganizationConfig answered: the service principal holds an Exchange role")


async def _message_trace_sp(endpoints: Endpoints, credential: AsyncTokenCredential) -> Check:
    from o365relay.tenant.graph import GraphClient

    try:
        async with GraphClient(endpoints, credential) as graph:
            found = await graph.find_service_principal(MESSAGE_TRACE_APP_ID)
    except (NotFound, TenantError) as error:
        return Check("message-trace service principal", "failed", f"could not look it up: {error}")
    if found is None:
        return Check("message-trace service principal", "missing",
                     "Graph messageTraces needs Microsoft's message-trace app in the tenant",
                     f"New-MgServicePrincipal -AppId {MESSAGE_TRACE_APP_ID} (needs Application.ReadWrite.All once)")
    return Check("message-trace service principal", "ok", f"present (appId {MESSAGE_TRACE_APP_ID})")


async def diagnose(endpoints: Endpoints, purposes: tuple[Purpose, ...] = ("deploy", "audit")) -> list[Check]:
    """Every check, in the order a person would fix them."""
    from o365relay.tenant.credentials import credential_for, credential_kind

    checks = [Check("credential", "ok", f"{credential_kind()} for tenant {endpoints.tenant_id}")]
    credential = credential_for(endpoints)
    try:
        graph_check, graph_roles, _ = await _token_roles(credential, endpoints.graph_scope, "Graph")
        exo_check, exo_roles, principal = await _token_roles(credential, endpoints.exchange_scope, "Exchange")
        checks += [graph_check, exo_check]
        if graph_check.status == "ok":
            checks += permission_checks(graph_roles, purposes)
        if exo_check.status == "ok":
            if "Exchange.ManageAsApp" in exo_roles:
                checks.append(Check("Exchange.ManageAsApp", "ok", "held: the app may call the Exchange admin endpoint"))
                checks.append(await _exchange_role(endpoints, credential, principal))
            else:
                checks.append(Check("Exchange.ManageAsApp", "missing", "needed for every Exchange cmdlet",
                                    _grant_fix("Exchange.ManageAsApp", EXCHANGE_RESOURCE)))
        if "audit" in purposes and graph_check.status == "ok":
            checks.append(await _message_trace_sp(endpoints, credential))
    finally:
        await credential.close()
    return checks


def run_diagnosis(endpoints: Endpoints, purposes: tuple[Purpose, ...]) -> list[Check]:
    return asyncio.run(diagnose(endpoints, purposes))
