"""The tenant layer: async clients for Microsoft Graph and the Exchange Online admin endpoint.

Modules (import ``exchange``/``graph`` lazily: httpx, azure-identity and msgraph-sdk are heavy):

- ``settings``: :class:`Endpoints` (tenant, login authority, Graph and Exchange bases, trusted CA).
- ``credentials``: ``credential_for(endpoints)``, an azure-identity credential built from the
  environment at call time (workload identity, GitHub OIDC, certificate, secret, managed identity).
- ``retry``: the one retry policy (429/503/504, Exchange's concurrency reply, Retry-After, bounded,
  full jitter, only repeatable requests) as an httpx transport under both clients.
- ``exchange``: ``ExchangeClient`` (InvokeCommand and ``$batch``); ``graph``: ``GraphClient``
  (msgraph-sdk); ``sync``: ``run_sync(coro)`` for synchronous callers.

Least privilege. The deploying app needs, as *application* permissions with admin consent:

Microsoft Graph (each GraphClient method carries its own as ``method.permission``)
    ==================================  =====================================================
    get_user, list_users                User.Read.All
    create_user, update_user,           User.ReadWrite.All (assignLicense also accepts
    assign_license                      Directory.ReadWrite.All; set usageLocation first)
    list_subscribed_skus                LicenseAssignment.Read.All (or Organization.Read.All)
    list_domains,                       Domain.Read.All (serviceConfigurationRecords was
    service_configuration_records       documented with Directory.Read.All on older pages)
    list/get applications,              Application.ReadWrite.OwnedBy for the apps the deployer
    list/get/find service principals    owns, else Application.Read.All
    create/delete application,          Application.ReadWrite.OwnedBy (the relay's service
    add/remove password, add federated  accounts are apps the deployer creates, so it owns them)
    identity credential
    create_service_principal            Application.ReadWrite.All for Microsoft's message-trace
                                        app (8bd644d1-64a1-4d4b-ae52-2e0cbf64e373); OwnedBy for own apps
    list_app_role_assignments           Application.Read.All (or OwnedBy for own service principals)
    create/delete_app_role_assignment   AppRoleAssignment.ReadWrite.All
    message_traces, message_trace_rows  ExchangeMessageTrace.Read.All (+ the message-trace SP
    (models / plain JSON)               provisioned; some guides add the Global Reader role)
    batch_get                           whatever each URL needs
    ==================================  =====================================================

Exchange Online (``ExchangeClient``)
    Application permission **Exchange.ManageAsApp** on "Office 365 Exchange Online"
    (resource 00000002-0000-0ff1-ce00-000000000000, role dc50a0fb-09a3-484d-be87-e023b12c6440), plus
    an Exchange role for the app's service principal: the Entra role **Exchange Administrator**
    covers every cmdlet the relay runs (connectors, RecipientPermission, MailboxPermission,
    CASMailbox/TransportConfig SMTP AUTH switches, DKIM, New-ServicePrincipal). Narrower: register
    the service principal in Exchange (New-ServicePrincipal) and add it to a custom role group with
    "Remote and Accepted Domains" (connectors), "Mail Recipients" (CASMailbox, permissions),
    "Organization Transport Settings" (TransportConfig), "View-Only Configuration" (reads) and
    "Role Management" only if it registers service principals itself. Audit-only runs need just
    Global Reader (or View-Only Configuration + View-Only Recipients). Without Exchange.ManageAsApp
    the endpoint answers 401 (AuthError); without a role, a 403 of NUL bytes (PermissionDenied).
"""

from o365relay.tenant.settings import EXCHANGE_SCOPE, GRAPH_SCOPE, Endpoints
from o365relay.tenant.sync import run_sync

__all__ = ["EXCHANGE_SCOPE", "GRAPH_SCOPE", "Endpoints", "run_sync"]
