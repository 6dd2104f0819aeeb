"""The sandbox's Graph application routes through the real msgraph-sdk: applications, credentials,
service principals, app role assignments, and the permission rules that decide who may change them."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph.generated.applications.applications_request_builder import ApplicationsRequestBuilder
from msgraph.generated.applications.item.add_password.add_password_post_request_body import (
    AddPasswordPostRequestBody,
)
from msgraph.generated.applications.item.remove_password.remove_password_post_request_body import (
    RemovePasswordPostRequestBody,
)
from msgraph.generated.models.app_role_assignment import AppRoleAssignment
from msgraph.generated.models.application import Application
from msgraph.generated.models.federated_identity_credential import FederatedIdentityCredential
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph.generated.models.password_credential import PasswordCredential
from msgraph.generated.models.service_principal import ServicePrincipal
from msgraph.generated.service_principals.service_principals_request_builder import (
    ServicePrincipalsRequestBuilder,
)

from o365relay.sandbox.catalog import GRAPH_APP_ROLES, MESSAGE_TRACE_APP_ID
from o365relay.sandbox.tokens import GRAPH_APP_ID


async def refusal(coro: Any) -> ODataError:
    with pytest.raises(ODataError) as caught:
        await coro
    return caught.value


async def graph_sp_id(client: Any) -> str:
    query = ServicePrincipalsRequestBuilder.ServicePrincipalsRequestBuilderGetQueryParameters(
        filter=f"appId eq '{GRAPH_APP_ID}'"
    )
    found = await client.service_principals.get(RequestConfiguration(query_parameters=query))
    return str(found.value[0].id)


async def new_app_with_roles(client: Any, name: str, roles: list[str]) -> tuple[Any, str]:
    """Create app + secret + service principal + Graph app roles, all through Graph; (app, secret)."""
    app = await client.applications.post(Application(display_name=name))
    secret = await client.applications.by_application_id(app.id).add_password.post(
        AddPasswordPostRequestBody(password_credential=PasswordCredential(display_name="test"))
    )
    sp = await client.service_principals.post(ServicePrincipal(app_id=app.app_id))
    resource = await graph_sp_id(client)
    for role in roles:
        await client.service_principals.by_service_principal_id(resource).app_role_assigned_to.post(
            AppRoleAssignment(
                principal_id=uuid.UUID(sp.id),
                resource_id=uuid.UUID(resource),
                app_role_id=uuid.UUID(GRAPH_APP_ROLES[role]),
            )
        )
    return app, str(secret.secret_text)


def test_application_lifecycle_with_credentials(graph_session: Any) -> None:
    async def scenario() -> None:
        async with graph_session() as client:
            app = await client.applications.post(Application(display_name="relay-erp"))
            assert app.app_id and app.id
            by_app_id = await client.applications_with_app_id(app.app_id).get()
            assert by_app_id.id == app.id
            query = ApplicationsRequestBuilder.ApplicationsRequestBuilderGetQueryParameters(
                filter=f"appId eq '{app.app_id}'", select=["id", "displayName"]
            )
            listed = await client.applications.get(RequestConfiguration(query_parameters=query))
            assert [a.display_name for a in listed.value] == ["relay-erp"]

            await client.applications.by_application_id(app.id).patch(Application(display_name="relay-erp-2"))
            assert (await client.applications.by_application_id(app.id).get()).display_name == "relay-erp-2"

            fics = client.applications.by_application_id(app.id).federated_identity_credentials
            fic = FederatedIdentityCredential(
                name="github-main",
                issuer="https://token.actions.githubusercontent.com",
                subject="repo:contoso/relay:ref:refs/heads/main",
                audiences=["api://AzureADTokenExchange"],
            )
            created = await fics.post(fic)
            assert created.id and created.subject == fic.subject
            dup = await refusal(fics.post(fic))
            assert dup.response_status_code == 409
            assert [f.name for f in (await fics.get()).value] == ["github-main"]
            await fics.by_federated_identity_credential_id(created.id).delete()
            assert (await fics.get()).value == []

            password = await client.applications.by_application_id(app.id).add_password.post(
                AddPasswordPostRequestBody(password_credential=PasswordCredential(display_name="ci"))
            )
            assert password.secret_text and password.hint == password.secret_text[:3]
            stored = await client.applications.by_application_id(app.id).get()
            assert [c.key_id for c in stored.password_credentials] == [password.key_id]
            assert stored.password_credentials[0].secret_text is None  # never returned again
            await client.applications.by_application_id(app.id).remove_password.post(
                RemovePasswordPostRequestBody(key_id=password.key_id)
            )
            assert (await client.applications.by_application_id(app.id).get()).password_credentials == []

            sp = await client.service_principals.post(ServicePrincipal(app_id=app.app_id))
            assert (await client.service_principals_with_app_id(app.app_id).get()).id == sp.id
            again = await refusal(client.service_principals.post(ServicePrincipal(app_id=app.app_id)))
            assert again.response_status_code == 409
            await client.applications.by_application_id(app.id).delete()
            gone = await refusal(client.service_principals.by_service_principal_id(sp.id).get())
            assert gone.response_status_code == 404 and gone.error.code == "Request_ResourceNotFound"

    asyncio.run(scenario())


def test_app_roles_granted_through_graph_decide_what_the_new_app_may_do(graph_session: Any) -> None:
    async def scenario() -> None:
        async with graph_session() as client:
            app, secret = await new_app_with_roles(client, "domain-reader", ["Domain.Read.All"])
            resource = await graph_sp_id(client)
            granted = await client.service_principals.by_service_principal_id(
                resource
            ).app_role_assigned_to.get()
            mine = [a for a in granted.value if a.principal_display_name == "domain-reader"]
            assert len(mine) == 1 and str(mine[0].app_role_id) == GRAPH_APP_ROLES["Domain.Read.All"]
            sp = await client.service_principals_with_app_id(app.app_id).get()
            held = await client.service_principals.by_service_principal_id(sp.id).app_role_assignments.get()
            assert [a.id for a in held.value] == [mine[0].id]
            dup = await refusal(
                client.service_principals.by_service_principal_id(resource).app_role_assigned_to.post(
                    AppRoleAssignment(
                        principal_id=uuid.UUID(sp.id),
                        resource_id=uuid.UUID(resource),
                        app_role_id=uuid.UUID(GRAPH_APP_ROLES["Domain.Read.All"]),
                    )
                )
            )
            assert dup.response_status_code == 400 and "already exists" in dup.error.message
            bogus = await refusal(
                client.service_principals.by_service_principal_id(sp.id).app_role_assignments.post(
                    AppRoleAssignment(
                        principal_id=uuid.UUID(sp.id),
                        resource_id=uuid.UUID(resource),
                        app_role_id=uuid.uuid4(),
                    )
                )
            )
            assert bogus.response_status_code == 400 and "not found on application" in bogus.error.message

        async with graph_session(app.app_id, secret) as reader:
            assert {d.id for d in (await reader.domains.get()).value} >= {"contoso.com"}
            denied = await refusal(reader.users.get())
            assert denied.response_status_code == 403
            assert denied.error.code == "Authorization_RequestDenied"
            assert denied.error.message == "Insufficient privileges to complete the operation."

        async with graph_session() as client:
            await (
                client.service_principals.by_service_principal_id(sp.id)
                .app_role_assignments.by_app_role_assignment_id(mine[0].id)
                .delete()
            )
        async with graph_session(app.app_id, secret) as reader:  # a fresh token carries no role any more
            assert (await refusal(reader.domains.get())).response_status_code == 403

    asyncio.run(scenario())


def test_owned_by_may_change_only_its_own_applications(graph_session: Any) -> None:
    async def scenario() -> None:
        async with graph_session() as client:
            other = await client.applications.post(Application(display_name="someone-else"))
            owner_app, secret = await new_app_with_roles(client, "owner", ["Application.ReadWrite.OwnedBy"])
        async with graph_session(owner_app.app_id, secret) as owner:
            mine = await owner.applications.post(Application(display_name="owned-sender"))
            await owner.applications.by_application_id(mine.id).patch(Application(display_name="owned-2"))
            assert (
                await owner.service_principals.post(ServicePrincipal(app_id=mine.app_id))
            ).app_id == mine.app_id
            foreign = await refusal(
                owner.applications.by_application_id(other.id).patch(Application(display_name="hijack"))
            )
            assert foreign.response_status_code == 403
            first_party = await refusal(
                owner.service_principals.post(ServicePrincipal(app_id=MESSAGE_TRACE_APP_ID))
            )
            assert first_party.response_status_code == 403
            unknown = await refusal(owner.service_principals.post(ServicePrincipal(app_id=str(uuid.uuid4()))))
            assert unknown.response_status_code == 400
            assert "does not reference a valid application object" in unknown.error.message

    asyncio.run(scenario())
