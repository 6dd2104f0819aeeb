"""exchange:ServicePrincipal through the real provider host against the sandbox."""

from __future__ import annotations

import grpc
import pytest
from dynamic_host import DynamicHost
from msgraph.generated.models.application import Application
from provider_support import Driven, Tenant

from components.providers.service_principal import ServicePrincipalProvider

TYPE = "pulumi-python:dynamic/exchange:ServicePrincipal"


@pytest.fixture
def entra_app(tenant: Tenant) -> dict[str, str]:
    """An app registration and its enterprise application, made through Graph as azuread would."""
    async def make(graph):  # noqa: ANN001, ANN202
        app = await graph.create_application(Application(display_name="o365-relay erp-mailer"))
        sp = await graph.create_service_principal(app.app_id)
        return {"app_id": app.app_id, "app_object_id": app.id, "sp_object_id": sp.id}

    return tenant.graph(make)


def registered(tenant: Tenant, app_id: str) -> list[dict]:
    return [sp for sp in tenant.exchange("Get-ServicePrincipal") if sp["AppId"] == app_id]


def test_lifecycle(host: DynamicHost, tenant: Tenant, entra_app: dict[str, str]) -> None:
    props = {"app_id": entra_app["app_id"], "object_id": entra_app["sp_object_id"],
             "display_name": "o365-relay erp-mailer"}
    res = Driven(host, ServicePrincipalProvider(), TYPE, "exo-sp")
    outs = res.create(props)
    (live,) = registered(tenant, entra_app["app_id"])
    assert outs["identity"] == live["Identity"] and res.id == entra_app["app_id"]
    assert res.read() == (res.id, outs)
    renamed = {**props, "display_name": "ERP mailer"}
    assert res.diff(renamed) == ("DIFF_SOME", [], False)
    assert res.update(renamed) == {**outs, "display_name": "ERP mailer"}  # identity kept
    assert registered(tenant, entra_app["app_id"])[0]["DisplayName"] == "ERP mailer"
    # a new object id for the same app id must replace, deleting first (one registration per app)
    d = res.diff({**props, "object_id": entra_app["app_object_id"]})
    assert d == ("DIFF_SOME", ["object_id"], True)
    res.delete()
    assert registered(tenant, entra_app["app_id"]) == []
    assert res.read()[0] == ""
    res.delete()


def test_create_after_interrupted_create_adopts_and_converges_the_name(
        host: DynamicHost, tenant: Tenant, entra_app: dict[str, str]) -> None:
    tenant.exchange("New-ServicePrincipal", {"AppId": entra_app["app_id"], "ObjectId": entra_app["sp_object_id"],
                                             "DisplayName": "old name"})
    res = Driven(host, ServicePrincipalProvider(), TYPE, "exo-sp")
    outs = res.create({"app_id": entra_app["app_id"], "object_id": entra_app["sp_object_id"],
                       "display_name": "o365-relay erp-mailer"})
    (live,) = registered(tenant, entra_app["app_id"])
    assert live["DisplayName"] == "o365-relay erp-mailer" and outs["identity"] == live["Identity"]


def test_app_registration_object_id_is_refused_by_the_tenant(host: DynamicHost, entra_app: dict[str, str]) -> None:
    res = Driven(host, ServicePrincipalProvider(), TYPE, "exo-sp")
    with pytest.raises(grpc.RpcError) as err:
        res.create({"app_id": entra_app["app_id"], "object_id": entra_app["app_object_id"], "display_name": "x"})
    assert "object id of an app registration" in err.value.details()
