"""Microsoft Graph client on msgraph-sdk's GraphServiceClient, with the tenant layer's retry policy.

    async with GraphClient(Endpoints.from_env()) as graph:
        user = await graph.get_user("erp@contoso.com")
        rows = await graph.batch_get(["/users/a@contoso.com", "/domains/contoso.com"])

The httpx client under msgraph-sdk carries Graph's default middleware *except* kiota's RetryHandler,
over :class:`~o365relay.tenant.retry.RetryTransport`, so one policy governs retries. Methods return
msgraph-sdk models and raise :mod:`o365relay.errors`; each declares the least-privileged Graph
application permission it needs (``method.permission``), named in the fix of a PermissionDenied.
Import this module lazily (msgraph-sdk is heavy).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

import httpx
from kiota_abstractions.base_request_configuration import RequestConfiguration
from kiota_abstractions.method import Method
from kiota_abstractions.request_information import RequestInformation
from kiota_abstractions.request_option import RequestOption
from kiota_http.middleware import REQUEST_OPTIONS_KEY, BaseMiddleware
from msgraph import GraphRequestAdapter, GraphServiceClient
from msgraph.generated.applications.item.add_password.add_password_post_request_body import (
    AddPasswordPostRequestBody,
)
from msgraph.generated.applications.item.remove_password.remove_password_post_request_body import (
    RemovePasswordPostRequestBody,
)
from msgraph.generated.models.app_role_assignment import AppRoleAssignment
from msgraph.generated.models.application import Application
from msgraph.generated.models.assigned_license import AssignedLicense
from msgraph.generated.models.domain import Domain
from msgraph.generated.models.domain_dns_record import DomainDnsRecord
from msgraph.generated.models.exchange_message_trace import ExchangeMessageTrace
from msgraph.generated.models.federated_identity_credential import FederatedIdentityCredential
from msgraph.generated.models.password_credential import PasswordCredential
from msgraph.generated.models.service_principal import ServicePrincipal
from msgraph.generated.models.sign_in import SignIn
from msgraph.generated.models.subscribed_sku import SubscribedSku
from msgraph.generated.models.user import User
from msgraph.generated.users.item.assign_license.assign_license_post_request_body import (
    AssignLicensePostRequestBody,
)

from o365relay.errors import NotFound, TenantError
from o365relay.tenant.credentials import credential_for
from o365relay.tenant.graph_errors import graph_call, translate_body
from o365relay.tenant.retry import (
    DEFAULT_POLICY,
    IDEMPOTENT,
    RetryPolicy,
    RetryTransport,
    SubResponse,
    create_or_recover,
)
from o365relay.tenant.settings import Endpoints
from o365relay.tenant.token_cache import TokenCache

if TYPE_CHECKING:
    from azure.core.credentials_async import AsyncTokenCredential

BATCH_SIZE = 20
AUTHENTICATED_SMTP = "Authenticated SMTP"  # Entra's client app name for legacy (Basic) SMTP AUTH sign-ins
TRACE_PATH = "/admin/exchange/tracing/messageTraces"
TRACE_PAGE_SIZE = 5000  # Graph's largest $top for messageTraces
MESSAGE_TRACE_APP_ID = "8bd644d1-64a1-4d4b-ae52-2e0cbf64e373"
APP_READ = "Application.ReadWrite.OwnedBy (for apps it owns) or Application.Read.All"
URL_PERMISSION = "the permission this URL needs"
SP_CREATE = "Application.ReadWrite.All (Application.ReadWrite.OwnedBy suffices only for its own apps)"


class IdempotentOption(RequestOption):
    """Kiota request option telling :class:`RetryTransport` this POST/PATCH is safe to repeat."""

    @staticmethod
    def get_key() -> str:
        return IDEMPOTENT


class _MarkIdempotent(BaseMiddleware):
    """Last in the chain: copies :class:`IdempotentOption` into the request extension RetryTransport
    reads, since kiota's last middleware drops its request options before the transport sees them."""

    async def send(self, request: httpx.Request, transport: httpx.AsyncBaseTransport) -> httpx.Response:
        if IDEMPOTENT in (request.extensions.get(REQUEST_OPTIONS_KEY) or {}):
            request.extensions[IDEMPOTENT] = True
        return await super().send(request, transport)


@dataclass
class _Query:
    """OData query options for any collection builder (kiota maps names via get_query_parameter)."""

    filter: str | None = None
    select: list[str] | None = None
    top: int | None = None

    def get_query_parameter(self, original_name: str) -> str:
        return "%24" + original_name


def _config(query: _Query | None = None, idempotent: bool = False) -> RequestConfiguration[Any]:
    return RequestConfiguration(query_parameters=query, options=[IdempotentOption()] if idempotent else [])


def odata_quote(value: str) -> str:
    """A string literal for $filter (single quotes doubled)."""
    return "'" + value.replace("'", "''") + "'"


class GraphClient:
    """Async Graph client for one tenant; use as ``async with``. ``transport`` replaces the network."""

    def __init__(self, endpoints: Endpoints, credential: AsyncTokenCredential | None = None, *,
                 policy: RetryPolicy = DEFAULT_POLICY, transport: httpx.AsyncBaseTransport | None = None,
                 timeout: float = 100.0):
        self.endpoints = endpoints
        self._credential = TokenCache.of(credential) if credential is not None else None
        self._owns_credential = credential is None
        self._policy = policy
        self._transport = transport
        self._timeout = timeout
        self._http: httpx.AsyncClient | None = None
        self._client: GraphServiceClient | None = None

    def __getstate__(self) -> Any:
        raise TypeError("GraphClient holds a credential and is never pickled; build one where needed")

    async def __aenter__(self) -> GraphClient:
        from kiota_authentication_azure.azure_identity_authentication_provider import (
            AzureIdentityAuthenticationProvider,
        )

        if self._credential is None:
            self._credential = TokenCache(credential_for(self.endpoints))
        self._http = build_http_client(self.endpoints, self._policy, self._transport, self._timeout)
        auth = AzureIdentityAuthenticationProvider(self._credential, scopes=[self.endpoints.graph_scope],
                                                   allowed_hosts=[self.endpoints.graph_host])
        adapter = GraphRequestAdapter(auth, client=self._http)
        adapter.base_url = self.endpoints.graph_base
        self._client = GraphServiceClient(request_adapter=adapter)
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = self._client = None
        if self._owns_credential and self._credential is not None:
            await self._credential.aclose()
            self._credential = None

    @property
    def sdk(self) -> GraphServiceClient:
        """The underlying GraphServiceClient (same adapter, middleware and retry policy)."""
        if self._client is None:
            raise TenantError("GraphClient used outside `async with`")
        return self._client

    async def _all(self, builder: Any, query: _Query | None = None) -> list[Any]:
        """Every item of a collection, following @odata.nextLink."""
        page = await builder.get(request_configuration=_config(query))
        items = list(page.value or []) if page else []
        while page is not None and page.odata_next_link:
            page = await builder.with_url(page.odata_next_link).get()
            items.extend((page.value or []) if page else [])
        return items

    # -- users and licences -----------------------------------------------------------------------

    @graph_call("User.Read.All")
    async def get_user(self, user: str, select: Sequence[str] | None = None) -> User:
        """A user by object id or userPrincipalName; NotFound if absent."""
        found = await self.sdk.users.by_user_id(user).get(
            request_configuration=_config(_Query(select=list(select) if select else None)))
        if found is None:
            raise NotFound(f"get_user: no user {user!r}")
        return found

    @graph_call("User.Read.All")
    async def list_users(self, filter: str | None = None, select: Sequence[str] | None = None) -> list[User]:
        return await self._all(self.sdk.users, _Query(filter=filter, select=list(select) if select else None))

    @graph_call("User.ReadWrite.All")
    async def create_user(self, user: User) -> User:
        """Create a user; safe after a dropped connection (looks the UPN up before creating again)."""
        upn = user.user_principal_name or ""

        async def find() -> User | None:
            rows = await self.list_users(f"userPrincipalName eq {odata_quote(upn)}")
            return rows[0] if rows else None

        @graph_call("User.ReadWrite.All", "create_user")
        async def create() -> User:
            created = await self.sdk.users.post(user)
            if created is None:
                raise TenantError(f"create_user: Graph returned no user for {upn!r}")
            return created

        return await create_or_recover(create, find, self._policy)

    @graph_call("User.ReadWrite.All")
    async def update_user(self, user: str, changes: User) -> None:
        """PATCH the given properties (absolute values, so repeating it is safe)."""
        await self.sdk.users.by_user_id(user).patch(changes, request_configuration=_config(idempotent=True))

    @graph_call("User.ReadWrite.All")
    async def assign_license(self, user: str, add_sku_ids: Sequence[str | uuid.UUID],
                             remove_sku_ids: Sequence[str | uuid.UUID] = ()) -> User | None:
        """Add/remove licences (set ``usageLocation`` first, or Graph refuses); declarative, so repeatable."""
        body = AssignLicensePostRequestBody(
            add_licenses=[AssignedLicense(sku_id=uuid.UUID(str(s)), disabled_plans=[]) for s in add_sku_ids],
            remove_licenses=[uuid.UUID(str(s)) for s in remove_sku_ids])
        return await self.sdk.users.by_user_id(user).assign_license.post(
            body, request_configuration=_config(idempotent=True))

    @graph_call("LicenseAssignment.Read.All")
    async def list_subscribed_skus(self) -> list[SubscribedSku]:
        return await self._all(self.sdk.subscribed_skus)

    # -- domains ----------------------------------------------------------------------------------

    @graph_call("Domain.Read.All")
    async def list_domains(self) -> list[Domain]:
        return await self._all(self.sdk.domains)

    @graph_call("Domain.Read.All")
    async def service_configuration_records(self, domain: str) -> list[DomainDnsRecord]:
        """The DNS records Microsoft 365 wants for ``domain`` (read MX targets here, never compute them)."""
        return await self._all(self.sdk.domains.by_domain_id(domain).service_configuration_records)

    # -- applications -----------------------------------------------------------------------------

    @graph_call(APP_READ)
    async def list_applications(self, filter: str | None = None) -> list[Application]:
        return await self._all(self.sdk.applications, _Query(filter=filter))

    @graph_call(APP_READ)
    async def get_application(self, object_id: str) -> Application:
        found = await self.sdk.applications.by_application_id(object_id).get()
        if found is None:
            raise NotFound(f"get_application: no application {object_id!r}")
        return found

    @graph_call("Application.ReadWrite.OwnedBy")
    async def create_application(self, app: Application) -> Application:
        """Create an app registration; after a dropped connection it looks the displayName up first."""
        name = app.display_name or ""

        async def find() -> Application | None:
            rows = await self.list_applications(f"displayName eq {odata_quote(name)}")
            return rows[0] if len(rows) == 1 else None

        @graph_call("Application.ReadWrite.OwnedBy", "create_application")
        async def create() -> Application:
            created = await self.sdk.applications.post(app)
            if created is None:
                raise TenantError(f"create_application: Graph returned no application for {name!r}")
            return created

        return await create_or_recover(create, find, self._policy)

    @graph_call("Application.ReadWrite.OwnedBy")
    async def delete_application(self, object_id: str, missing_ok: bool = True) -> None:
        try:
            await self.sdk.applications.by_application_id(object_id).delete()
        except Exception as exc:
            if not (missing_ok and getattr(exc, "response_status_code", None) == 404):
                raise

    @graph_call("Application.ReadWrite.OwnedBy")
    async def add_federated_identity_credential(
            self, app_object_id: str, credential: FederatedIdentityCredential) -> FederatedIdentityCredential:
        """Add an OIDC trust (e.g. a GitHub repo/environment subject); names are unique per app."""
        builder = self.sdk.applications.by_application_id(app_object_id).federated_identity_credentials

        async def find() -> FederatedIdentityCredential | None:
            rows = await self._all(builder)
            return next((c for c in rows if c.name == credential.name), None)

        @graph_call("Application.ReadWrite.OwnedBy", "add_federated_identity_credential")
        async def create() -> FederatedIdentityCredential:
            created = await builder.post(credential)
            if created is None:
                raise TenantError("add_federated_identity_credential: Graph returned nothing")
            return created

        return await create_or_recover(create, find, self._policy)

    @graph_call("Application.ReadWrite.OwnedBy")
    async def add_password(self, app_object_id: str, display_name: str,
                           end: dt.datetime | None = None) -> PasswordCredential:
        """Add a client secret; the returned ``secret_text`` is shown once and must never be logged."""
        body = AddPasswordPostRequestBody(
            password_credential=PasswordCredential(display_name=display_name, end_date_time=end))
        created = await self.sdk.applications.by_application_id(app_object_id).add_password.post(body)
        if created is None:
            raise TenantError("add_password: Graph returned no credential")
        return created

    @graph_call("Application.ReadWrite.OwnedBy")
    async def remove_password(self, app_object_id: str, key_id: str | uuid.UUID) -> None:
        body = RemovePasswordPostRequestBody(key_id=uuid.UUID(str(key_id)))
        await self.sdk.applications.by_application_id(app_object_id).remove_password.post(
            body, request_configuration=_config(idempotent=True))

    # -- service principals and app role assignments ----------------------------------------------

    @graph_call(APP_READ)
    async def list_service_principals(self, filter: str | None = None) -> list[ServicePrincipal]:
        return await self._all(self.sdk.service_principals, _Query(filter=filter))

    @graph_call(APP_READ)
    async def get_service_principal(self, object_id: str) -> ServicePrincipal:
        found = await self.sdk.service_principals.by_service_principal_id(object_id).get()
        if found is None:
            raise NotFound(f"get_service_principal: no service principal {object_id!r}")
        return found

    @graph_call(APP_READ)
    async def find_service_principal(self, app_id: str) -> ServicePrincipal | None:
        """The service principal (enterprise application) of ``app_id`` in this tenant, or None."""
        rows = await self.list_service_principals(f"appId eq {odata_quote(app_id)}")
        return rows[0] if rows else None

    @graph_call(SP_CREATE)
    async def create_service_principal(self, app_id: str) -> ServicePrincipal:
        """Create the enterprise application for ``app_id`` (e.g. MESSAGE_TRACE_APP_ID)."""

        @graph_call(SP_CREATE, "create_service_principal")
        async def create() -> ServicePrincipal:
            created = await self.sdk.service_principals.post(ServicePrincipal(app_id=app_id))
            if created is None:
                raise TenantError(f"create_service_principal: Graph returned nothing for {app_id}")
            return created

        return await create_or_recover(create, lambda: self.find_service_principal(app_id), self._policy)

    @graph_call(APP_READ)
    async def list_app_role_assignments(self, principal_id: str) -> list[AppRoleAssignment]:
        """App roles the service principal ``principal_id`` holds (its application permissions)."""
        return await self._all(self.sdk.service_principals.by_service_principal_id(principal_id)
                               .app_role_assignments)

    @graph_call("AppRoleAssignment.ReadWrite.All")
    async def create_app_role_assignment(self, principal_id: str, resource_id: str,
                                         app_role_id: str | uuid.UUID) -> AppRoleAssignment:
        """Grant app role ``app_role_id`` of resource SP ``resource_id`` to SP ``principal_id``."""
        role = uuid.UUID(str(app_role_id))
        builder = self.sdk.service_principals.by_service_principal_id(principal_id).app_role_assignments

        async def find() -> AppRoleAssignment | None:
            return next((a for a in await self.list_app_role_assignments(principal_id)
                         if a.app_role_id == role and str(a.resource_id) == resource_id), None)

        @graph_call("AppRoleAssignment.ReadWrite.All", "create_app_role_assignment")
        async def create() -> AppRoleAssignment:
            body = AppRoleAssignment(principal_id=uuid.UUID(principal_id), resource_id=uuid.UUID(resource_id),
                                     app_role_id=role)
            created = await builder.post(body)
            if created is None:
                raise TenantError("create_app_role_assignment: Graph returned nothing")
            return created

        return await create_or_recover(create, find, self._policy)

    @graph_call("AppRoleAssignment.ReadWrite.All")
    async def delete_app_role_assignment(self, principal_id: str, assignment_id: str,
                                         missing_ok: bool = True) -> None:
        try:
            await (self.sdk.service_principals.by_service_principal_id(principal_id)
                   .app_role_assignments.by_app_role_assignment_id(assignment_id).delete())
        except Exception as exc:
            if not (missing_ok and getattr(exc, "response_status_code", None) == 404):
                raise

    # -- message trace ----------------------------------------------------------------------------

    @graph_call("ExchangeMessageTrace.Read.All")
    async def message_traces(self, start: dt.datetime, end: dt.datetime, *, message_id: str | None = None,
                             sender: str | None = None, recipient: str | None = None,
                             status: str | None = None) -> list[ExchangeMessageTrace]:
        """Trace records received in [start, end] (span <= 10 days), every page, as msgraph-sdk models."""
        builder = self.sdk.admin.exchange.tracing.message_traces
        query = _Query(filter=_trace_filter(start, end, message_id, sender, recipient, status))
        return await self._all(builder, query)

    @graph_call("ExchangeMessageTrace.Read.All")
    async def message_trace_rows(self, start: dt.datetime, end: dt.datetime, *, message_id: str | None = None,
                                 sender: str | None = None, recipient: str | None = None,
                                 status: str | None = None) -> list[dict[str, Any]]:
        """The same records as :meth:`message_traces`, as Graph's JSON objects (camelCase keys).

        Why: msgraph-sdk builds each model at about 20 ms a row, minutes for a busy relay's day of
        trace, while the JSON is read at page speed (bench/bench_usage_read.py). Pages are asked for
        at the largest ``$top`` so a long read spends few of the 100 requests per 5 minutes allowed."""
        query = urlencode({"$filter": _trace_filter(start, end, message_id, sender, recipient, status),
                           "$top": str(TRACE_PAGE_SIZE)}, quote_via=quote)
        return await self._json_pages(f"{self.endpoints.graph_base}{TRACE_PATH}?{query}")

    @graph_call("ExchangeMessageTrace.Read.All")
    async def message_trace_details(self, trace_id: str, recipient: str) -> list[Any]:
        """getDetailsByRecipient: one message's events for one recipient (Receive, Deliver, Fail, ...),
        whose ``data`` says how the message came in (e.g. the inbound connector that recognised it)."""
        builder = (self.sdk.admin.exchange.tracing.message_traces.by_exchange_message_trace_id(trace_id)
                   .get_details_by_recipient_with_recipient_address(recipient))
        return await self._all(builder)

    async def _json_pages(self, url: str | None) -> list[dict[str, Any]]:
        """Every item of a collection as JSON, following ``@odata.nextLink``, through the same
        adapter (credential, middleware, retry policy) as the model calls."""
        items: list[dict[str, Any]] = []
        while url:
            info = RequestInformation(Method.GET)
            info.url = url
            info.headers.try_add("Accept", "application/json")
            raw: Any = await self.sdk.request_adapter.send_primitive_async(  # type: ignore[func-returns-value]
                info, "bytes", None)
            page = json.loads(raw or b"{}")
            items += page.get("value", [])
            url = page.get("@odata.nextLink")
        return items

    # -- sign-in logs ------------------------------------------------------------------------------

    @graph_call("AuditLog.Read.All")
    async def smtp_sign_ins(self, start: dt.datetime, end: dt.datetime) -> list[SignIn]:
        """Entra sign-ins through SMTP AUTH with a password (clientAppUsed 'Authenticated SMTP') created in
        [start, end], every page; LicenceRequired when the tenant has no Entra ID P1/P2."""
        clauses = [f"createdDateTime ge {_iso(start)}", f"createdDateTime le {_iso(end)}",
                   f"clientAppUsed eq {odata_quote(AUTHENTICATED_SMTP)}"]
        return await self._all(self.sdk.audit_logs.sign_ins, _Query(filter=" and ".join(clauses)))

    # -- $batch -----------------------------------------------------------------------------------

    @graph_call("(the permission of each URL)")
    async def batch_get(self, urls: Sequence[str]) -> list[dict[str, Any] | TenantError]:
        """GET many relative URLs (e.g. ``/users/x``) through ``$batch``, 20 a batch; results line
        up with ``urls``, a failed URL's slot holding its TenantError. Throttled ones are resent."""
        results: list[dict[str, Any] | TenantError] = []
        for start in range(0, len(urls), BATCH_SIZE):
            chunk = list(range(start, min(start + BATCH_SIZE, len(urls))))
            subs = await self._policy.run_batch(lambda keys: self._send_batch(urls, keys), chunk,
                                                lambda _: True)
            for i in chunk:
                sub = subs[i]
                body = sub.body if isinstance(sub.body, dict) else {}
                failed = sub.status >= 400
                results.append(translate_body(sub.status, body, f"GET {urls[i]}", URL_PERMISSION)
                               if failed else body)
        return results

    async def _send_batch(self, urls: Sequence[str], keys: list[int]) -> dict[int, SubResponse]:
        info = RequestInformation(Method.POST, "{+baseurl}/$batch")
        info.headers.try_add("Accept", "application/json")
        payload = {"requests": [{"id": str(i), "method": "GET", "url": urls[i]} for i in keys]}
        info.set_stream_content(json.dumps(payload).encode(), "application/json")
        info.add_request_options([IdempotentOption()])
        raw: Any = await self.sdk.request_adapter.send_primitive_async(  # type: ignore[func-returns-value]
            info, "bytes", None)
        data = json.loads(raw or b"{}")
        subs = {int(r["id"]): SubResponse(int(r.get("status", 500)),
                                          {k.lower(): v for k, v in (r.get("headers") or {}).items()},
                                          r.get("body")) for r in data.get("responses", [])}
        missing = SubResponse(500, {}, {"error": {"message": "no response for this URL in the $batch"}})
        return {i: subs.get(i, missing) for i in keys}


def build_http_client(endpoints: Endpoints, policy: RetryPolicy = DEFAULT_POLICY,
                      transport: httpx.AsyncBaseTransport | None = None,
                      timeout: float = 100.0) -> httpx.AsyncClient:
    """httpx client with Graph's default middleware minus RetryHandler, over RetryTransport (which
    learns from the request which writes are safe to repeat)."""
    from kiota_http.kiota_client_factory import KiotaClientFactory
    from kiota_http.middleware import RetryHandler
    from msgraph_core import GraphClientFactory
    from msgraph_core.middleware import GraphTelemetryHandler

    inner = transport or httpx.AsyncHTTPTransport(verify=endpoints.ssl_context(), http2=True)
    client = httpx.AsyncClient(transport=RetryTransport(inner, policy), base_url=endpoints.graph_base,
                               timeout=httpx.Timeout(timeout, connect=30))
    defaults = KiotaClientFactory.get_default_middleware(None)
    middleware = [m for m in defaults if not isinstance(m, RetryHandler)]
    return GraphClientFactory.create_with_custom_middleware(
        [*middleware, GraphTelemetryHandler(), _MarkIdempotent()], client=client)


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _trace_filter(start: dt.datetime, end: dt.datetime, message_id: str | None, sender: str | None,
                  recipient: str | None, status: str | None) -> str:
    clauses = [f"receivedDateTime ge {_iso(start)}", f"receivedDateTime le {_iso(end)}"]
    for field, value in (("messageId", message_id), ("senderAddress", sender),
                         ("recipientAddress", recipient), ("status", status)):
        if value is not None:
            clauses.append(f"{field} eq {odata_quote(value)}")
    return " and ".join(clauses)
