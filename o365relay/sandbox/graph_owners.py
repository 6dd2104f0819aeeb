"""Owners of applications and service principals: ``owners@odata.bind`` on create, the ``/owners``
collection and ``DELETE .../owners/{id}/$ref``.

Why: the azuread provider creates every application and service principal with itself bound as an
owner (``owners@odata.bind`` naming ``<graph>/v1.0/directoryObjects/{id}``), reads ``/owners`` on every
refresh, and removes itself with ``DELETE /owners/{id}/$ref`` when the configuration names other
owners or none. Owners are kept in the object's sandbox-only ``xOwners`` list, the same list that
decides what an ``Application.ReadWrite.OwnedBy`` caller may change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from starlette.responses import Response
from starlette.routing import BaseRoute

from o365relay.sandbox import store as st
from o365relay.sandbox.graph_http import GraphCall, bad_request, collection, graph_route, no_content, not_found

if TYPE_CHECKING:
    from o365relay.sandbox.context import SandboxContext

Finder = Callable[[GraphCall], st.Doc]
Guard = Callable[[GraphCall, st.Doc], None]


def bound_owners(call: GraphCall, body: dict[str, Any]) -> list[str]:
    """Object ids named by ``owners@odata.bind``; Graph's 400 for a URL naming no user or SP."""
    bound = body.get("owners@odata.bind") or []
    if not isinstance(bound, list):
        raise bad_request("Invalid value specified for property 'owners@odata.bind'.")
    owners = []
    for url in bound:
        object_id = urlsplit(str(url)).path.rstrip("/").rpartition("/")[2]
        if directory_object(call.ctx.store, object_id) is None:
            raise bad_request(f"Invalid object identifier '{object_id}'.")
        owners.append(object_id)
    return owners


def directory_object(store: st.Store, object_id: str) -> st.Doc | None:
    """A user or service principal as a directoryObject (``@odata.type`` tells which), or None."""
    sp = store.get(st.SERVICE_PRINCIPAL, object_id)
    if sp is not None:
        return {"@odata.type": "#microsoft.graph.servicePrincipal", "id": sp["id"], "appId": sp["appId"],
                "displayName": sp.get("displayName"), "servicePrincipalType": "Application"}
    user = store.get(st.USER, object_id)
    if user is not None:
        return {"@odata.type": "#microsoft.graph.user", "id": user["id"], "displayName": user.get("displayName"),
                "userPrincipalName": user["userPrincipalName"], "mail": user.get("mail")}
    return None


def routes(ctx: SandboxContext, find_app: Finder, find_sp: Finder, may_write: Guard,
           read: Iterable[str], write: Iterable[str]) -> list[BaseRoute]:
    """The owner routes of both kinds; ``may_write(call, app)`` guards removal."""
    kinds = (("applications", st.APPLICATION, find_app), ("servicePrincipals", st.SERVICE_PRINCIPAL, find_sp))
    out: list[BaseRoute] = []
    for segment, kind, find in kinds:
        list_owners, remove_owner = _handlers(kind, find, may_write)
        for key in (f"/{segment}/{{key}}", f"/{segment}(appId='{{appid}}')"):
            out += [graph_route(ctx, key + "/owners", list_owners, ["GET"], read),
                    graph_route(ctx, key + "/owners/{owner}/$ref", remove_owner, ["DELETE"], write)]
    return out


def _handlers(kind: str, find: Finder, may_write: Guard) -> tuple[Any, Any]:
    async def list_owners(call: GraphCall) -> Response:
        obj = find(call)
        store = call.ctx.store
        owners = [o for o in (directory_object(store, i) for i in obj.get("xOwners", [])) if o is not None]
        return collection(call, "directoryObjects", owners)

    async def remove_owner(call: GraphCall) -> Response:
        obj = find(call)
        _guard(call, kind, obj, may_write)
        owner = call.path_params["owner"]
        kept = [o for o in obj.get("xOwners", []) if o.lower() != owner.lower()]
        if len(kept) == len(obj.get("xOwners", [])):
            raise not_found(owner)
        call.ctx.store.update(kind, obj["id"], {"xOwners": kept})
        return no_content()

    return list_owners, remove_owner


def _guard(call: GraphCall, kind: str, obj: st.Doc, may_write: Guard) -> None:
    app = obj if kind == st.APPLICATION else call.ctx.store.find(st.APPLICATION, appId=obj["appId"])
    may_write(call, app or {"xOwners": []})
