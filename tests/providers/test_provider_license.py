"""graph:LicenseAssignment through the real provider host against the sandbox's Graph."""

from __future__ import annotations

import grpc
import pytest
from dynamic_host import DynamicHost
from msgraph.generated.models.password_profile import PasswordProfile
from msgraph.generated.models.user import User
from provider_support import Driven, Served, Tenant

from components.providers.license import LicenseAssignmentProvider

TYPE = "pulumi-python:dynamic/graph:LicenseAssignment"
UPN = "printer-lobby@contoso.com"
EXCHANGESTANDARD = "4b9405b0-7788-4568-add1-99614e613b69"  # the seed's SKU id
PROPS = {"user": UPN, "sku_part_number": "EXCHANGESTANDARD", "usage_location": "DE"}


@pytest.fixture
def new_user(tenant: Tenant) -> str:
    """A user as azuread would create it: no licence, no usage location yet."""
    async def make(graph):  # noqa: ANN001, ANN202
        user = User(account_enabled=True, display_name="Lobby printer", mail_nickname="printer-lobby",
                    user_principal_name=UPN,
                    password_profile=PasswordProfile(password="Sandbox-only-Pw-1!",
                                                     force_change_password_next_sign_in=False))
        return (await graph.create_user(user)).id

    return tenant.graph(make)


def user_state(tenant: Tenant) -> tuple[str | None, set[str]]:
    async def get(graph):  # noqa: ANN001, ANN202
        return await graph.get_user(UPN, select=["usageLocation", "assignedLicenses"])

    user = tenant.graph(get)
    return user.usage_location, {str(lic.sku_id) for lic in user.assigned_licenses or []}


def test_lifecycle_sets_usage_location_first(host: DynamicHost, tenant: Tenant, new_user: str) -> None:
    res = Driven(host, LicenseAssignmentProvider(), TYPE, "lobby-license")
    outs = res.create(PROPS)
    assert user_state(tenant) == ("DE", {EXCHANGESTANDARD})
    assert (outs["sku_id"], outs["user_id"]) == (EXCHANGESTANDARD, new_user)
    assert res.read() == (res.id, outs)
    assert res.diff({**PROPS, "user": UPN.upper()}).changes == "DIFF_NONE"
    assert res.diff({**PROPS, "usage_location": "US"}) == ("DIFF_SOME", [], False)
    assert res.update({**PROPS, "usage_location": "US"}) == {**outs, "usage_location": "US"}
    assert user_state(tenant) == ("US", {EXCHANGESTANDARD})
    assert res.diff({**PROPS, "sku_part_number": "ENTERPRISEPACK"}).replaces == ["sku_part_number"]
    res.delete()
    assert user_state(tenant) == ("US", set())
    assert res.read()[0] == ""
    res.delete()


def test_create_after_interrupted_create_adopts(host: DynamicHost, tenant: Tenant, served: Served,
                                                new_user: str) -> None:
    res = Driven(host, LicenseAssignmentProvider(), TYPE, "lobby-license")
    first = res.create(PROPS)
    assert any(c.endswith("/assignLicense") for c in served.writes())
    served.calls.clear()
    again = Driven(host, LicenseAssignmentProvider(), TYPE, "lobby-license")
    assert again.create(PROPS) == first and again.id == res.id
    assert served.calls and served.writes() == []  # read the user and the SKUs, assigned nothing
    assert user_state(tenant) == ("DE", {EXCHANGESTANDARD})


def test_unknown_sku_and_bad_country(host: DynamicHost, new_user: str) -> None:
    res = Driven(host, LicenseAssignmentProvider(), TYPE, "lobby-license")
    _, failures = res.check({**PROPS, "usage_location": "Germany"})
    assert failures == [
        ("usage_location", "usage_location: 'Germany' is not a two-letter country code such as US or DE")]
    with pytest.raises(grpc.RpcError) as err:
        res.create({**PROPS, "sku_part_number": "EXCHANGESTANDRAD"})
    assert "no subscription for licence 'EXCHANGESTANDRAD'" in err.value.details()
