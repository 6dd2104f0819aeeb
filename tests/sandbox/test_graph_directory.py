"""The sandbox's Graph directory routes through the real msgraph-sdk over HTTPS: users, licences,
subscribed SKUs, domains and serviceConfigurationRecords, and Graph's refusals."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest
from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph.generated.models.assigned_license import AssignedLicense
from msgraph.generated.models.domain_dns_mx_record import DomainDnsMxRecord
from msgraph.generated.models.domain_dns_txt_record import DomainDnsTxtRecord
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph.generated.models.password_profile import PasswordProfile
from msgraph.generated.models.user import User
from msgraph.generated.users.item.assign_license.assign_license_post_request_body import (
    AssignLicensePostRequestBody,
)
from msgraph.generated.users.users_request_builder import UsersRequestBuilder

from o365relay.sandbox.tokens import EXCHANGE_RESOURCE, GRAPH_RESOURCE

EXCHANGESTANDARD = uuid.UUID("4b9405b0-7788-4568-add1-99614e613b69")
ENTERPRISEPACK = uuid.UUID("6fd2c87f-b296-42f0-b197-1e91e994b900")


def users_query(**kwargs: Any) -> RequestConfiguration[Any]:
    return RequestConfiguration(query_parameters=UsersRequestBuilder.UsersRequestBuilderGetQueryParameters(**kwargs))


async def refusal(coro: Any) -> ODataError:
    with pytest.raises(ODataError) as caught:
        await coro
    return caught.value


def test_users_filter_select_and_paging(graph_session: Any) -> None:
    async def scenario() -> None:
        async with graph_session() as client:
            page = await client.users.get(users_query(top=3, select=["id", "userPrincipalName", "usageLocation"]))
            seen = [u.user_principal_name for u in page.value]
            assert len(seen) == 3 and page.odata_next_link
            while page.odata_next_link:
                page = await client.users.with_url(page.odata_next_link).get()
                seen += [u.user_principal_name for u in page.value]
            assert len(seen) == len(set(seen)) == 8 and "scanner3@contoso.com" in seen

            found = await client.users.get(
                users_query(
                    filter="userPrincipalName eq 'ERP@contoso.com'",
                    select=["id", "usageLocation", "assignedLicenses"],
                )
            )
            assert [u.usage_location for u in found.value] == ["US"]
            assert found.value[0].assigned_licenses[0].sku_id == EXCHANGESTANDARD

            e3 = await client.users.get(users_query(filter=f"assignedLicenses/any(x:x/skuId eq {ENTERPRISEPACK})"))
            assert [u.user_principal_name for u in e3.value] == ["admin@contoso.onmicrosoft.com"]

            unsupported = await refusal(client.users.get(users_query(filter="endswith(mail,'@contoso.com')")))
            assert unsupported.response_status_code == 400
            assert unsupported.error.code == "Request_UnsupportedQuery"

    asyncio.run(scenario())


def test_get_user_by_upn_and_default_properties(graph_session: Any) -> None:
    async def scenario() -> None:
        async with graph_session() as client:
            user = await client.users.by_user_id("invoices@contoso.com").get()
            assert user.display_name == "Invoices"
            assert user.usage_location is None  # not a default property: must be $select-ed
            missing = await refusal(client.users.by_user_id("ghost@contoso.com").get())
            assert missing.response_status_code == 404
            assert missing.error.code == "Request_ResourceNotFound"

    asyncio.run(scenario())


def test_create_user_then_license_needs_usage_location(graph_session: Any) -> None:
    async def scenario() -> None:
        async with graph_session() as client:
            new = User(
                account_enabled=True,
                display_name="Printer 7",
                mail_nickname="printer7",
                user_principal_name="printer7@contoso.com",
                password_profile=PasswordProfile(password="Sandbox-Only-Pw-1!"),
            )
            created = await client.users.post(new)
            assert created.id and created.user_principal_name == "printer7@contoso.com"
            dup = await refusal(client.users.post(new))
            assert dup.response_status_code == 400 and "already exists" in dup.error.message

            body = AssignLicensePostRequestBody(
                add_licenses=[AssignedLicense(sku_id=EXCHANGESTANDARD, disabled_plans=[])], remove_licenses=[]
            )
            no_location = await refusal(client.users.by_user_id(created.id).assign_license.post(body))
            assert no_location.response_status_code == 400
            assert no_location.error.message == (
                "License assignment cannot be done for user with invalid usage location."
            )

            await client.users.by_user_id(created.id).patch(User(usage_location="GB"))
            await client.users.by_user_id(created.id).assign_license.post(body)
            cfg = users_query(select=["usageLocation", "assignedLicenses"])
            user = await client.users.by_user_id("printer7@contoso.com").get(
                RequestConfiguration(query_parameters=cfg.query_parameters)
            )
            assert user.usage_location == "GB"
            assert [a.sku_id for a in user.assigned_licenses] == [EXCHANGESTANDARD]

            skus = {s.sku_part_number: s for s in (await client.subscribed_skus.get()).value}
            assert skus["EXCHANGESTANDARD"].consumed_units == 8
            assert skus["EXCHANGESTANDARD"].prepaid_units.enabled == 25

    asyncio.run(scenario())


def test_assign_license_refuses_when_no_unit_is_left(graph_session: Any) -> None:
    async def scenario() -> None:
        async with graph_session() as client:
            body = AssignLicensePostRequestBody(
                add_licenses=[AssignedLicense(sku_id=ENTERPRISEPACK, disabled_plans=[])], remove_licenses=[]
            )
            for n in range(9):  # 10 E3 units, the admin holds one
                user = await client.users.post(
                    User(
                        account_enabled=True,
                        display_name=f"u{n}",
                        mail_nickname=f"u{n}",
                        usage_location="US",
                        user_principal_name=f"u{n}@contoso.com",
                        password_profile=PasswordProfile(password="x" * 12),
                    )
                )
                await client.users.by_user_id(user.id).assign_license.post(body)
            last = await client.users.post(
                User(
                    account_enabled=True,
                    display_name="late",
                    mail_nickname="late",
                    usage_location="US",
                    user_principal_name="late@contoso.com",
                    password_profile=PasswordProfile(password="x" * 12),
                )
            )
            full = await refusal(client.users.by_user_id(last.id).assign_license.post(body))
            assert full.response_status_code == 400
            assert full.error.message == f"Subscription with SKU {ENTERPRISEPACK} does not have any available licenses."

    asyncio.run(scenario())


def test_domains_and_service_configuration_records(graph_session: Any) -> None:
    async def scenario() -> None:
        async with graph_session() as client:
            domains = {d.id: d for d in (await client.domains.get()).value}
            assert set(domains) == {"contoso.onmicrosoft.com", "contoso.com", "notify.contoso.com"}
            assert domains["contoso.onmicrosoft.com"].is_initial and domains["contoso.com"].is_default
            records = (
                await client.domains.by_domain_id("notify.contoso.com").service_configuration_records.get()
            ).value
            mx = [r for r in records if isinstance(r, DomainDnsMxRecord)]
            txt = [r for r in records if isinstance(r, DomainDnsTxtRecord)]
            assert [r.mail_exchange for r in mx] == ["notify-contoso-com.mail.protection.outlook.com"]
            assert "include:spf.protection.outlook.com" in txt[0].text
            assert (
                await client.domains.by_domain_id("contoso.onmicrosoft.com").service_configuration_records.get()
            ).value == []
            missing = await refusal(client.domains.by_domain_id("fabrikam.com").get())
            assert missing.response_status_code == 404

    asyncio.run(scenario())


def test_graph_refuses_missing_wrong_audience_and_unprivileged_tokens(sandbox: Any) -> None:
    url = f"{sandbox.base_url}/v1.0/users"
    with httpx.Client(verify=str(sandbox.ca_file)) as http:
        empty = http.get(url)
        assert empty.status_code == 401
        assert empty.json()["error"]["code"] == "InvalidAuthenticationToken"
        assert set(empty.json()["error"]["innerError"]) == {"date", "request-id", "client-request-id"}

        exo_token = sandbox.ctx.tokens.issue(sandbox.deployer_client_id, EXCHANGE_RESOURCE)
        wrong = http.get(url, headers={"Authorization": f"Bearer {exo_token}"})
        assert wrong.status_code == 401 and "Invalid audience" in wrong.json()["error"]["message"]

        expired = sandbox.ctx.tokens.issue(sandbox.deployer_client_id, GRAPH_RESOURCE, lifetime=-60)
        late = http.get(url, headers={"Authorization": f"Bearer {expired}"})
        assert late.status_code == 401 and "expired" in late.json()["error"]["message"]

        # The message-trace service principal holds no Graph role at all.
        bare = sandbox.ctx.tokens.issue("8bd644d1-64a1-4d4b-ae52-2e0cbf64e373", GRAPH_RESOURCE)
        for path in (
            "/users",
            "/domains",
            "/subscribedSkus",
            "/applications",
            "/admin/exchange/tracing/messageTraces",
        ):
            denied = http.get(f"{sandbox.base_url}/v1.0{path}", headers={"Authorization": f"Bearer {bare}"})
            assert denied.status_code == 403, path
            assert denied.json()["error"]["code"] == "Authorization_RequestDenied"
            assert denied.json()["error"]["message"].startswith("Insufficient privileges to complete the operation.")
