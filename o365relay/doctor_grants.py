"""What the deployer and reader identities need, and what they hold beyond it, judged from a token's claims.

Pure: ``roles`` (the application permissions Entra granted, per resource) and ``wids`` (the role
template ids of the Entra directory roles the service principal holds) in, one :class:`Check` per
finding out. A grant broader than needed is ``excess``: a warning that names the narrower grant, since a
stolen deployer credential is worth exactly what the identity holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Status = Literal["ok", "missing", "failed", "excess"]  # excess: held but more than o365-relay needs
Purpose = Literal["deploy", "audit"]

EXCHANGE_RESOURCE = "Office 365 Exchange Online (00000002-0000-0ff1-ce00-000000000000)"
GRAPH_RESOURCE = "Microsoft Graph (00000003-0000-0000-c000-000000000000)"
EXCHANGE_ADMINISTRATOR_ROLE = "29232cdf-9323-42fd-ade2-1d097af3e4de"  # Entra built-in role template ids
GLOBAL_READER_ROLE = "f2ef992c-3afb-46b9-b7cf-a126ee74c451"

# (permission, alternatives that also satisfy it, why o365-relay needs it, purposes)
GRAPH_PERMISSIONS: list[tuple[str, tuple[str, ...], str, tuple[Purpose, ...]]] = [
    ("Application.ReadWrite.OwnedBy", ("Application.ReadWrite.All",),
     "create the OAuth senders' app registrations and credentials", ("deploy",)),
    ("AppRoleAssignment.ReadWrite.All", (), "grant SMTP.SendAsApp to each OAuth sender", ("deploy",)),
    ("User.ReadWrite.All", ("Directory.ReadWrite.All",),
     "create mailbox users and assign licences (only if the spec creates mailboxes)", ("deploy",)),
    ("LicenseAssignment.Read.All", ("Organization.Read.All", "Organization.ReadWrite.All", "Directory.Read.All",
                                    "Directory.ReadWrite.All"),
     "read the tenant's licences (subscribedSkus) to license the mailbox users it creates (only then)",
     ("deploy",)),
    ("Application.Read.All", ("Application.ReadWrite.All", "Directory.Read.All"),
     "read Office 365 Exchange Online's app roles to grant SMTP.SendAsApp; find the applications holding it "
     "(audit, export)", ("deploy", "audit")),
    ("Domain.Read.All", ("Domain.ReadWrite.All", "Directory.Read.All"),
     "read MX targets from serviceConfigurationRecords", ("deploy", "audit")),
    ("User.Read.All", ("User.ReadWrite.All", "Directory.Read.All"), "resolve mailboxes", ("audit",)),
    ("ExchangeMessageTrace.Read.All", (), "follow test messages and usage in message trace", ("audit",)),
]

# Application permissions broader than o365-relay needs, per resource: (held, what suffices instead).
GRAPH_EXCESS: list[tuple[str, str]] = [
    ("Application.ReadWrite.All", "Application.ReadWrite.OwnedBy to deploy and Application.Read.All to read "
     "(needed once only, to add the message-trace service principal)"),
    ("Directory.ReadWrite.All", "User.ReadWrite.All, and only if the spec creates mailbox users"),
    ("Directory.Read.All", "User.Read.All, Domain.Read.All and Application.Read.All"),
    ("Domain.ReadWrite.All", "Domain.Read.All"),
    ("RoleManagement.ReadWrite.Directory", "nothing: o365-relay assigns no directory roles"),
    ("Mail.Send", "nothing: senders use SMTP with their own SMTP.SendAsApp, not Graph mail"),
    ("Mail.ReadWrite", "nothing: o365-relay reads no mailbox content"),
    ("Mail.Read", "nothing: o365-relay reads no mailbox content"),
]
EXCHANGE_EXCESS: list[tuple[str, str]] = [
    ("full_access_as_app", "nothing: o365-relay opens no mailbox (this grants every mailbox in the tenant)"),
    ("Mail.Send", "nothing: senders use SMTP with their own SMTP.SendAsApp"),
    ("Mail.ReadWrite", "nothing: o365-relay reads no mailbox content"),
    ("SMTP.SendAsApp", "nothing: SMTP.SendAsApp belongs on the sender applications the stack creates, "
     "never on the identity that runs o365-relay"),
]
# The deployer's write permissions: an identity that only reads (`--for audit`) is told to drop them.
WRITE_PERMISSIONS = {p for p, _, _, used in GRAPH_PERMISSIONS if used == ("deploy",) and ".ReadWrite." in p}

# Directory roles (template id -> name, narrower grant to deploy, narrower grant to audit). An Entra role
# as the narrower grant is given by name; Exchange Administrator is what deploying needs, Global Reader
# what reading needs (docs/least-privilege.md).
EXCHANGE_ADMINISTRATOR, GLOBAL_READER = "Exchange Administrator", "Global Reader"
BROAD_ROLES: dict[str, tuple[str, str, str]] = {
    "62e90394-69f5-4237-9190-012177145e10": ("Global Administrator", EXCHANGE_ADMINISTRATOR, GLOBAL_READER),
    "e8611ab8-c189-46e8-94e1-60213ab1f814": ("Privileged Role Administrator", "nothing", "nothing"),
    "7be44c8a-adaf-4e2a-84d6-ab2649e08a13": ("Privileged Authentication Administrator", "nothing", "nothing"),
    "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3": ("Application Administrator", "Graph Application.ReadWrite.OwnedBy",
                                             "Graph Application.Read.All"),
    "158c047a-c907-4556-b7ef-446551a6b5f7": ("Cloud Application Administrator",
                                             "Graph Application.ReadWrite.OwnedBy", "Graph Application.Read.All"),
    "fe930be7-5e62-47db-91af-98c3a49a38b1": ("User Administrator",
                                             "Graph User.ReadWrite.All (only if the spec creates mailboxes)",
                                             "Graph User.Read.All"),
    "8ac3fc64-6eca-42ea-9e69-59f4c7b60eb2": ("Hybrid Identity Administrator", "nothing", "nothing"),
    "b1be1c3e-b65d-4f19-8427-f6fa0d97feb9": ("Conditional Access Administrator", "nothing", "nothing"),
    "9360feb5-f418-4baa-8175-e2a00bac4301": ("Directory Writers", "nothing", "nothing"),
    "194ae4cb-b126-40b2-bd5b-6091b380977d": ("Security Administrator", EXCHANGE_ADMINISTRATOR, GLOBAL_READER),
    "17315797-102d-40b4-93e0-432062caca18": ("Compliance Administrator", EXCHANGE_ADMINISTRATOR, GLOBAL_READER),
    "729827e3-9c14-49f7-bb1b-9608f156bbb8": ("Helpdesk Administrator", EXCHANGE_ADMINISTRATOR, GLOBAL_READER),
    EXCHANGE_ADMINISTRATOR_ROLE: (EXCHANGE_ADMINISTRATOR, "", GLOBAL_READER),  # "": what deploying needs
}
ROLE_IDS = {EXCHANGE_ADMINISTRATOR: EXCHANGE_ADMINISTRATOR_ROLE, GLOBAL_READER: GLOBAL_READER_ROLE}


@dataclass(frozen=True)
class Check:
    name: str
    status: Status
    detail: str
    fix: str = ""


def grant_fix(permission: str, resource: str) -> str:
    return (f"grant the application permission {permission} on {resource} to the app, then admin consent "
            f"(Entra admin center > App registrations > API permissions, or `az ad app permission add` + "
            f"`az ad app permission admin-consent`)")


def permission_checks(roles: set[str], purposes: tuple[Purpose, ...]) -> list[Check]:
    """One check per Graph permission the chosen purposes need, then the Graph permissions beyond them."""
    checks = []
    for permission, alternatives, why, used_for in GRAPH_PERMISSIONS:
        if not set(used_for) & set(purposes):
            continue
        held = [p for p in (permission, *alternatives) if p in roles]
        if held:
            checks.append(Check(f"Graph {permission}", "ok", f"held as {held[0]}: {why}"))
        else:
            checks.append(Check(f"Graph {permission}", "missing", why, grant_fix(permission, GRAPH_RESOURCE)))
    return checks + excess_checks(roles, "Graph", GRAPH_EXCESS) + _writes_not_needed(roles, purposes)


def excess_checks(roles: set[str], label: str, excess: list[tuple[str, str]]) -> list[Check]:
    """A warning per application permission held that is broader than o365-relay needs (least privilege)."""
    return [Check(f"{label} {held}", "excess", _beyond_need(instead),
                  f"remove {held} from the app's API permissions"
                  + ("" if instead.startswith("nothing") else " once the narrower one is granted"))
            for held, instead in excess if held in roles]


def _beyond_need(instead: str) -> str:
    if instead.startswith("nothing: "):
        return f"held, but o365-relay needs none of it: {instead.removeprefix('nothing: ')}"
    return f"held, but more than o365-relay needs; {instead} suffices"


def _writes_not_needed(roles: set[str], purposes: tuple[Purpose, ...]) -> list[Check]:
    """An identity that only reads (``--for audit``) holding the deployer's write permissions."""
    if "deploy" in purposes:
        return []
    return [Check(f"Graph {held}", "excess", "held, but only `pulumi up` writes; reading needs "
                  "Application.Read.All, Domain.Read.All, User.Read.All and ExchangeMessageTrace.Read.All",
                  f"remove {held} from this (reader) app's API permissions; keep it on the deployer only")
            for held in sorted(WRITE_PERMISSIONS & roles)]


def directory_role_checks(wids: set[str], purposes: tuple[Purpose, ...], principal: str) -> list[Check]:
    """A warning per Entra directory role in the token (``wids``) broader than the purposes need."""
    checks = []
    for template_id, (name, for_deploy, for_audit) in BROAD_ROLES.items():
        if template_id not in wids:
            continue
        instead = for_deploy if "deploy" in purposes else for_audit
        if not instead:
            continue  # Exchange Administrator, to deploy: needed
        remove = (f"Get-MgRoleManagementDirectoryRoleAssignment -Filter \"principalId eq '{principal}' and "
                  f"roleDefinitionId eq '{template_id}'\" | Remove-MgRoleManagementDirectoryRoleAssignment")
        narrower = ROLE_IDS.get(instead)
        if narrower is None or narrower in wids:
            fix = f"remove the role: {remove}"
        else:
            fix = (f"assign {instead} instead (New-MgRoleManagementDirectoryRoleAssignment -PrincipalId {principal} "
                   f"-RoleDefinitionId {narrower} -DirectoryScopeId /), then remove {name}: {remove}")
        detail = (f"the service principal holds the Entra role {name} (token wids claim); "
                  + ("o365-relay needs nothing it allows" if instead == "nothing" else f"{instead} suffices"))
        checks.append(Check(f"Entra role {name}", "excess", detail, fix))
    return checks
