"""``relayctl doctor``: can the configured identity do what o365-relay asks of it, and if not, the fix.

It reads its own access tokens' ``roles`` and ``wids`` claims (the application permissions and the
Entra directory roles Entra granted) rather than guessing from failures, then makes one cheap call per
service to prove what a token cannot show: that Exchange accepts the service principal's role (a 403 of
NUL bytes without one) and the message-trace service principal. What the tokens show beyond what the
purposes need is judged in :mod:`o365relay.doctor_grants`. Tokens are read for their claims only and
never printed.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING

from o365relay.doctor_grants import (
    BROAD_ROLES,
    EXCHANGE_ADMINISTRATOR_ROLE,
    EXCHANGE_EXCESS,
    EXCHANGE_RESOURCE,
    Check,
    Purpose,
    directory_role_checks,
    excess_checks,
    grant_fix,
    permission_checks,
)
from o365relay.errors import AuthError, NotFound, PermissionDenied, TenantError
from o365relay.reports.wording import plural
from o365relay.tenant.settings import Endpoints

if TYPE_CHECKING:
    from azure.core.credentials_async import AsyncTokenCredential

MESSAGE_TRACE_APP_ID = "8bd644d1-64a1-4d4b-ae52-2e0cbf64e373"


@dataclass(frozen=True)
class TokenGrants:
    """What one access token says the identity holds: app roles on its resource, directory roles, and who."""

    roles: set[str]
    wids: set[str]
    principal: str


def _claims(token: str) -> dict[str, object]:
    import jwt

    claims: dict[str, object] = jwt.decode(token, options={"verify_signature": False})
    return claims


def _strings(claim: object) -> set[str]:
    return {str(v) for v in claim} if isinstance(claim, list) else set()


async def _token_grants(credential: AsyncTokenCredential, scope: str, label: str) -> tuple[Check, TokenGrants]:
    from o365relay.tenant.credentials import bearer_token

    try:
        token = await bearer_token(credential, scope)
    except AuthError as error:
        fix = "check AZURE_TENANT_ID / AZURE_CLIENT_ID and the credential (see docs/least-privilege.md)"
        return Check(f"{label} token", "failed", str(error), fix), TokenGrants(set(), set(), "")
    claims = _claims(token)
    grants = TokenGrants(_strings(claims.get("roles")), _strings(claims.get("wids")),
                         str(claims.get("oid", "<service-principal-object-id>")))
    check = Check(f"{label} token", "ok", f"issued for {scope}; {plural(len(grants.roles), 'application permission')}")
    return check, grants


async def _exchange_role(endpoints: Endpoints, credential: AsyncTokenCredential, grants: TokenGrants) -> Check:
    from o365relay.tenant.exchange import ExchangeClient

    try:
        async with ExchangeClient(endpoints, credential) as exo:
            await exo.invoke("Get-OrganizationConfig", {})
    except PermissionDenied:
        return Check("Exchange role", "missing", "the app's service principal holds no Exchange role (HTTP 403)",
                     "assign the Entra role Exchange Administrator to the app's service principal: "
                     f"New-MgRoleManagementDirectoryRoleAssignment -PrincipalId {grants.principal} "
                     f"-RoleDefinitionId {EXCHANGE_ADMINISTRATOR_ROLE} -DirectoryScopeId / "
                     "(or add it to an Exchange role group; see docs/least-privilege.md)")
    except TenantError as error:
        return Check("Exchange role", "failed", f"Get-OrganizationConfig failed: {error}")
    held = sorted(BROAD_ROLES[w][0] for w in grants.wids & BROAD_ROLES.keys())
    named = f" (directory roles in its token: {', '.join(held)})" if held else " (through an Exchange role group)"
    return Check("Exchange role", "ok", f"Get-OrganizationConfig answered: the service principal holds an "
                                        f"Exchange role{named}")


async def _exchange_checks(endpoints: Endpoints, credential: AsyncTokenCredential, exo: TokenGrants) -> list[Check]:
    """Exchange.ManageAsApp and the role behind it, then the Exchange application permissions beyond it."""
    excess = excess_checks(exo.roles, "Exchange", EXCHANGE_EXCESS)
    if "Exchange.ManageAsApp" not in exo.roles:
        return [Check("Exchange.ManageAsApp", "missing", "needed for every Exchange cmdlet",
                      grant_fix("Exchange.ManageAsApp", EXCHANGE_RESOURCE)), *excess]
    return [Check("Exchange.ManageAsApp", "ok", "held: the app may call the Exchange admin endpoint"),
            await _exchange_role(endpoints, credential, exo), *excess]


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
        graph_check, graph = await _token_grants(credential, endpoints.graph_scope, "Graph")
        exo_check, exo = await _token_grants(credential, endpoints.exchange_scope, "Exchange")
        checks += [graph_check, exo_check]
        if graph_check.status == "ok":
            checks += permission_checks(graph.roles, purposes)
        if exo_check.status == "ok":
            checks += await _exchange_checks(endpoints, credential, exo)
        if "audit" in purposes and graph_check.status == "ok":
            checks.append(await _message_trace_sp(endpoints, credential))
        principal = exo.principal or graph.principal
        checks += directory_role_checks(graph.wids | exo.wids, purposes, principal)
    finally:
        await credential.close()
    return checks


def run_diagnosis(endpoints: Endpoints, purposes: tuple[Purpose, ...]) -> list[Check]:
    return asyncio.run(diagnose(endpoints, purposes))
