"""Fixed facts of Microsoft's cloud the sandbox reproduces: app role ids and directory role ids.

Ids are Microsoft's where they are well known; the others (marked ``sandbox``) are stable uuid5
values, good enough because nothing outside the sandbox compares them.
"""

from __future__ import annotations

import uuid

_NS = uuid.UUID("5f1d7a52-6d0b-4c2e-9f6e-0a1b2c3d4e5f")


def _sandbox_id(value: str) -> str:
    return str(uuid.uuid5(_NS, value))


# Microsoft Graph (appId 00000003-0000-0000-c000-000000000000) application permissions.
GRAPH_APP_ROLES: dict[str, str] = {
    "Application.ReadWrite.All": "1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9",
    "Application.ReadWrite.OwnedBy": "18a4783c-866b-4cc7-a460-3d5e5662c884",
    "Application.Read.All": "9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30",
    "AppRoleAssignment.ReadWrite.All": "06b708a9-e830-4db3-a914-8e69da51d44f",
    "User.ReadWrite.All": "741f803b-c850-494e-b5df-cde7c675a1ca",
    "User.Read.All": "df021288-bdef-4463-88db-98f22de89214",
    "Directory.Read.All": "7ab1d382-f21e-4acd-a863-ba3e13f7da61",
    "Directory.ReadWrite.All": "19dbc75e-c2e2-444c-a770-ec69d8559fc7",
    "RoleManagement.ReadWrite.Directory": "9e3f62cf-ca93-4989-b6ce-bf83c28f9fe8",
    "Mail.ReadWrite": "e2a3a72e-5f79-4c64-b1b1-878b674786c9",
    "Domain.Read.All": "dbb9058a-0e50-45d7-ae91-66909b5d4664",
    "Organization.Read.All": "498476ce-e0fe-48b0-b801-37ba7e2685c6",
    "LicenseAssignment.Read.All": _sandbox_id("LicenseAssignment.Read.All"),  # sandbox
    "Mail.Send": "b633e1c5-b582-4048-a93e-9f11b44c7e96",
    "AuditLog.Read.All": "b0afded3-3588-46d8-8b3d-9842eff778da",
    "ExchangeMessageTrace.Read.All": _sandbox_id("ExchangeMessageTrace.Read.All"),  # sandbox
}

# Office 365 Exchange Online (appId 00000002-0000-0ff1-ce00-000000000000) application permissions.
EXCHANGE_APP_ROLES: dict[str, str] = {
    "Exchange.ManageAsApp": "dc50a0fb-09a3-484d-be87-e023b12c6440",
    "SMTP.SendAsApp": _sandbox_id("SMTP.SendAsApp"),  # sandbox
    "Exchange.ManageAsAppV2": _sandbox_id("Exchange.ManageAsAppV2"),  # sandbox
    "full_access_as_app": "dc890d15-9560-4a4c-9b7f-a736ec74ec40",
}

# Entra directory roles (role template ids).
DIRECTORY_ROLES: dict[str, str] = {
    "Global Administrator": "62e90394-69f5-4237-9190-012177145e10",
    "Exchange Administrator": "29232cdf-9323-42fd-ade2-1d097af3e4de",
    "Exchange Recipient Administrator": "31392ffb-586c-42d1-9346-e59415a2cc4e",
    "Compliance Administrator": "17315797-102d-40b4-93e0-432062caca18",
    "Helpdesk Administrator": "729827e3-9c14-49f7-bb1b-9608f156bbb8",
    "Security Administrator": "194ae4cb-b126-40b2-bd5b-6091b380977d",
    "Security Reader": "5d6b6bb7-de71-4623-b4af-96380a352509",
    "Global Reader": "f2ef992c-3afb-46b9-b7cf-a126ee74c451",
    "Application Administrator": "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3",
    "Cloud Application Administrator": "158c047a-c907-4556-b7ef-446551a6b5f7",
    "Privileged Role Administrator": "e8611ab8-c189-46e8-94e1-60213ab1f814",
}

# Directory roles that let an app with Exchange.ManageAsApp run cmdlets (app-only-auth-powershell-v2);
# the read-only ones may run Get-* only.
EXCHANGE_WRITE_ROLES = frozenset(
    {
        "Global Administrator",
        "Exchange Administrator",
        "Exchange Recipient Administrator",
        "Compliance Administrator",
        "Helpdesk Administrator",
        "Security Administrator",
    }
)
EXCHANGE_READ_ROLES = EXCHANGE_WRITE_ROLES | {"Global Reader", "Security Reader"}

MESSAGE_TRACE_APP_ID = "8bd644d1-64a1-4d4b-ae52-2e0cbf64e373"
