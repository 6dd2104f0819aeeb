"""Graph application routes of the sandbox: applications (with federatedIdentityCredentials,
addPassword / removePassword), servicePrincipals and app role assignments.

Permission rules as Entra applies them to app-only callers: reads need Application.Read.All (or a
write or Directory role); ``Application.ReadWrite.OwnedBy`` may create applications (the caller
becomes their owner) and change or delete only the ones it owns, and may create service principals
only for those; provisioning a first-party service principal such as Microsoft's message-trace app
needs ``Application.ReadWrite.All``; app role assignments need ``AppRoleAssignment.ReadWrite.All``.
Both ``/applications/{id}`` and the alternate key ``/applications(appId='...')`` are served (the SDK's
``applications_with_app_id``), likewise for service principals. Reads return Graph's full shape
(:mod:`graph_shapes`); owners live in :mod:`graph_owners`, certificate writes in :mod:`graph_keys`.
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from typing import TYPE_CHECKING, Any

from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

from o365relay.sandbox import graph_owners
from o365relay.sandbox import store as st
from o365relay.sandbox.catalog import MESSAGE_TRACE_APP_ID
from o365relay.sandbox.graph_http import (
    BETA_PREFIX,
    GraphCall,
    GraphError,
    bad_request,
    collection,
    denied,
    entity,
    graph_route,
    no_content,
    not_found,
    parse_filter,
    public,
)
from o365relay.sandbox.graph_keys import key_view, merge_key_credentials
from o365relay.sandbox.graph_shapes import (
    APPLICATION_BETA_DEFAULTS,
    APPLICATION_DEFAULTS,
    APPLICATION_WRITABLE,
    BETA_ONLY,
    SERVICE_PRINCIPAL_DEFAULTS,
    SERVICE_PRINCIPAL_WRITABLE,
    strip_odata,
    with_defaults,
)
from o365relay.sandbox.odata import equalities
from o365relay.sandbox.tokens import EXCHANGE_APP_ID, GRAPH_APP_ID

if TYPE_CHECKING:
    from o365relay.sandbox.context import SandboxContext

APP_WRITE_ALL = ("Application.ReadWrite.All", "Directory.ReadWrite.All")
APP_WRITE = (*APP_WRITE_ALL, "Application.ReadWrite.OwnedBy")
APP_READ = (*APP_WRITE, "Application.Read.All", "Directory.Read.All")
ASSIGN_WRITE = ("AppRoleAssignment.ReadWrite.All",)
ASSIGN_READ = (*ASSIGN_WRITE, *APP_READ)

FIRST_PARTY = {GRAPH_APP_ID: "Microsoft Graph", EXCHANGE_APP_ID: "Office 365 Exchange Online",
               MESSAGE_TRACE_APP_ID: "Microsoft Message Trace"}
MICROSOFT_TENANT_ID = "f8cdef31-a31e-4b4a-93e4-5f571e91255a"  # appOwnerOrganizationId of first-party apps
APP_FILTER = {"id": {"eq", "in"}, "appId": {"eq", "in"}, "displayName": {"eq", "startswith", "in"}}
SP_FILTER = {**APP_FILTER, "servicePrincipalType": {"eq"}, "accountEnabled": {"eq"}}
FIC_FIELDS = ("name", "issuer", "subject", "audiences")


def routes(ctx: SandboxContext) -> list[BaseRoute]:
    out: list[BaseRoute] = []
    for key in ("/applications/{key}", "/applications(appId='{appid}')"):
        out += [
            graph_route(ctx, key, get_app, ["GET"], APP_READ),
            graph_route(ctx, key, patch_app, ["PATCH"], APP_WRITE),
            graph_route(ctx, key, delete_app, ["DELETE"], APP_WRITE),
            graph_route(ctx, key + "/addPassword", add_password, ["POST"], APP_WRITE),
            graph_route(ctx, key + "/removePassword", remove_password, ["POST"], APP_WRITE),
            graph_route(ctx, key + "/federatedIdentityCredentials", list_fics, ["GET"], APP_READ),
            graph_route(ctx, key + "/federatedIdentityCredentials", create_fic, ["POST"], APP_WRITE),
            graph_route(ctx, key + "/federatedIdentityCredentials/{fic}", get_fic, ["GET"], APP_READ),
            graph_route(ctx, key + "/federatedIdentityCredentials/{fic}", patch_fic, ["PATCH"], APP_WRITE),
            graph_route(ctx, key + "/federatedIdentityCredentials/{fic}", delete_fic, ["DELETE"], APP_WRITE),
        ]
    for key in ("/servicePrincipals/{key}", "/servicePrincipals(appId='{appid}')"):
        out += [
            graph_route(ctx, key, get_sp, ["GET"], APP_READ),
            graph_route(ctx, key, patch_sp, ["PATCH"], APP_WRITE),
            graph_route(ctx, key, delete_sp, ["DELETE"], APP_WRITE),
            graph_route(ctx, key + "/appRoleAssignments", list_assignments, ["GET"], ASSIGN_READ),
            graph_route(ctx, key + "/appRoleAssignments", create_assignment, ["POST"], ASSIGN_WRITE),
            graph_route(ctx, key + "/appRoleAssignments/{aid}", get_assignment, ["GET"], ASSIGN_READ),
            graph_route(ctx, key + "/appRoleAssignments/{aid}", delete_assignment, ["DELETE"], ASSIGN_WRITE),
            graph_route(ctx, key + "/appRoleAssignedTo", list_assigned_to, ["GET"], ASSIGN_READ),
            graph_route(ctx, key + "/appRoleAssignedTo", create_assignment, ["POST"], ASSIGN_WRITE),
            graph_route(ctx, key + "/appRoleAssignedTo/{aid}", get_assignment, ["GET"], ASSIGN_READ),
            graph_route(ctx, key + "/appRoleAssignedTo/{aid}", delete_assignment, ["DELETE"], ASSIGN_WRITE),
        ]
    return [
        graph_route(ctx, "/applications", list_apps, ["GET"], APP_READ),
        graph_route(ctx, "/applications", create_app, ["POST"], APP_WRITE),
        graph_route(ctx, "/servicePrincipals", list_sps, ["GET"], APP_READ),
        graph_route(ctx, "/servicePrincipals", create_sp, ["POST"], APP_WRITE),
        *out,
        *graph_owners.routes(ctx, find_app, find_sp, _may_write, APP_READ, APP_WRITE),
    ]


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# -- applications ---------------------------------------------------------------------------------

def find_app(call: GraphCall) -> st.Doc:
    params = call.path_params
    store = call.ctx.store
    if "appid" in params:
        app = store.find(st.APPLICATION, appId=params["appid"])
        shown = f"appId='{params['appid']}'"
    else:
        app = store.get(st.APPLICATION, params["key"])
        shown = params["key"]
    if app is None:
        raise not_found(shown)
    return app


def _may_write(call: GraphCall, app: st.Doc) -> None:
    """OwnedBy callers may change only the applications they own."""
    if call.roles.intersection(APP_WRITE_ALL):
        return
    if call.caller_sp_id not in app.get("xOwners", []):
        raise denied()


def app_view(call: GraphCall, app: st.Doc) -> st.Doc:
    """The application as Graph returns it at the version the caller addressed."""
    beta = call.prefix == BETA_PREFIX
    defaults = {**APPLICATION_DEFAULTS, **(APPLICATION_BETA_DEFAULTS if beta else {})}
    shown = with_defaults({k: v for k, v in app.items() if k != "federatedIdentityCredentials"}, defaults)
    shown["keyCredentials"] = [key_view(c) for c in app.get("keyCredentials", [])]
    shown["publisherDomain"] = call.ctx.initial_domain
    return shown


async def list_apps(call: GraphCall) -> Response:
    node = parse_filter(call.query, APP_FILTER, "Application")
    apps = [app_view(call, a) for a in call.ctx.store.list(st.APPLICATION, **equalities(node))
            if node is None or node.matches(a)]
    return collection(call, "applications", apps)


async def get_app(call: GraphCall) -> Response:
    return entity(call, "applications", app_view(call, find_app(call)))


def _writes(call: GraphCall, body: dict[str, Any], kind: str, writable: frozenset[str],
            current: st.Doc | None = None) -> st.Doc:
    """The properties a create or update sets; Graph's 400 for one the type does not have."""
    allowed = writable | (BETA_ONLY.get(kind, frozenset()) if call.prefix == BETA_PREFIX else frozenset())
    changes: st.Doc = {}
    for key, value in body.items():
        if key == "id" and current is not None and str(value).lower() == current["id"].lower():
            continue
        if key == "owners@odata.bind" and current is None:
            continue
        if key not in allowed:
            raise bad_request(f"Property '{key}' does not exist on type 'microsoft.graph.{kind}'.")
        changes[key] = strip_odata(value)
    if "keyCredentials" in changes:
        changes["keyCredentials"] = merge_key_credentials((current or {}).get("keyCredentials", []),
                                                          changes["keyCredentials"])
    if "displayName" in changes and not changes["displayName"]:
        raise bad_request(f"Invalid value specified for property 'displayName' of resource "
                          f"'{kind[0].upper()}{kind[1:]}'.")
    return changes


async def create_app(call: GraphCall) -> Response:
    body = await call.body()
    if not body.get("displayName"):
        raise bad_request("Invalid value specified for property 'displayName' of resource 'Application'.")
    if body.get("passwordCredentials"):
        raise bad_request("Adding passwordCredentials when creating an application is not supported; use "
                          "addPassword.")
    owners = graph_owners.bound_owners(call, body) or [call.caller_sp_id]
    app = {"id": str(uuid.uuid4()), "appId": str(uuid.uuid4()), "createdDateTime": _now(),
           "passwordCredentials": [], "keyCredentials": [], "federatedIdentityCredentials": [],
           **_writes(call, body, "application", APPLICATION_WRITABLE), "xOwners": owners}
    call.ctx.store.insert(st.APPLICATION, app)
    return entity(call, "applications", app_view(call, app), status=201)


async def patch_app(call: GraphCall) -> Response:
    body = await call.body()
    app = find_app(call)
    _may_write(call, app)
    call.ctx.store.update(st.APPLICATION, app["id"], _writes(call, body, "application", APPLICATION_WRITABLE, app))
    return no_content()


async def delete_app(call: GraphCall) -> Response:
    """Deleting the application also deletes its service principal and that SP's assignments."""
    app = find_app(call)
    _may_write(call, app)
    store = call.ctx.store
    with store.transaction():
        for sp in store.list(st.SERVICE_PRINCIPAL, appId=app["appId"]):
            _remove_sp(store, sp)
        store.delete(st.APPLICATION, app["id"])
    return no_content()


async def add_password(call: GraphCall) -> Response:
    body = await call.body()
    app = find_app(call)
    _may_write(call, app)
    wanted = body.get("passwordCredential") or {}
    secret = secrets.token_urlsafe(30)
    start = _now()
    end = wanted.get("endDateTime") or (dt.datetime.now(dt.UTC) + dt.timedelta(days=730)).strftime(
        "%Y-%m-%dT%H:%M:%SZ")
    cred = {"keyId": str(uuid.uuid4()), "displayName": wanted.get("displayName"), "hint": secret[:3],
            "startDateTime": start, "endDateTime": end, "customKeyIdentifier": None}
    store = call.ctx.store
    with store.transaction():
        current = store.get(st.APPLICATION, app["id"]) or app
        creds = [*current.get("passwordCredentials", []), {**cred, "xHash": st.hash_secret(secret)}]
        store.update(st.APPLICATION, app["id"], {"passwordCredentials": creds})
    ctx_url = f"{call.ctx.base_url}/v1.0/$metadata#microsoft.graph.passwordCredential"
    return JSONResponse({"@odata.context": ctx_url, **cred, "secretText": secret})


async def remove_password(call: GraphCall) -> Response:
    body = await call.body()
    app = find_app(call)
    _may_write(call, app)
    key_id = str(body.get("keyId", ""))
    creds = app.get("passwordCredentials", [])
    kept = [c for c in creds if c["keyId"].lower() != key_id.lower()]
    if len(kept) == len(creds):
        raise not_found(key_id)
    call.ctx.store.update(st.APPLICATION, app["id"], {"passwordCredentials": kept})
    return no_content()


# -- federated identity credentials ---------------------------------------------------------------

def _fic_context(app: st.Doc) -> str:
    return f"applications('{app['id']}')/federatedIdentityCredentials"


def _find_fic(app: st.Doc, key: str) -> st.Doc:
    for fic in app.get("federatedIdentityCredentials", []):
        if key.lower() in (fic["id"].lower(), fic["name"].lower()):
            return fic
    raise not_found(key)


async def list_fics(call: GraphCall) -> Response:
    app = find_app(call)
    return collection(call, _fic_context(app), app.get("federatedIdentityCredentials", []))


async def get_fic(call: GraphCall) -> Response:
    app = find_app(call)
    return entity(call, _fic_context(app), _find_fic(app, call.path_params["fic"]))


async def create_fic(call: GraphCall) -> Response:
    body = await call.body()
    app = find_app(call)
    _may_write(call, app)
    for prop in FIC_FIELDS:
        if not body.get(prop):
            raise bad_request(f"Invalid value specified for property '{prop}' of resource "
                              "'FederatedIdentityCredential'.")
    fics = app.get("federatedIdentityCredentials", [])
    if any(f["name"].lower() == str(body["name"]).lower() for f in fics):
        raise GraphError(409, "Request_MultipleObjectsWithSameKeyValue",
                         f"FederatedIdentityCredential with name {body['name']} already exists.")
    if len(fics) >= 20:
        raise bad_request("An application can have at most 20 federated identity credentials.")
    fic = {"id": str(uuid.uuid4()), "description": body.get("description"),
           **{k: body[k] for k in FIC_FIELDS}}
    call.ctx.store.update(st.APPLICATION, app["id"], {"federatedIdentityCredentials": [*fics, fic]})
    return entity(call, _fic_context(app), fic, status=201)


async def patch_fic(call: GraphCall) -> Response:
    body = await call.body()
    app = find_app(call)
    _may_write(call, app)
    fic = _find_fic(app, call.path_params["fic"])
    if "name" in body and body["name"] != fic["name"]:
        raise bad_request("Property 'name' of a federated identity credential cannot be changed.")
    updated = [{**f, **{k: v for k, v in body.items() if k in (*FIC_FIELDS, "description")}}
               if f["id"] == fic["id"] else f for f in app["federatedIdentityCredentials"]]
    call.ctx.store.update(st.APPLICATION, app["id"], {"federatedIdentityCredentials": updated})
    return no_content()


async def delete_fic(call: GraphCall) -> Response:
    app = find_app(call)
    _may_write(call, app)
    fic = _find_fic(app, call.path_params["fic"])
    kept = [f for f in app["federatedIdentityCredentials"] if f["id"] != fic["id"]]
    call.ctx.store.update(st.APPLICATION, app["id"], {"federatedIdentityCredentials": kept})
    return no_content()


# -- service principals ---------------------------------------------------------------------------

def find_sp(call: GraphCall, key: str | None = None) -> st.Doc:
    params = call.path_params
    store = call.ctx.store
    if key is None and "appid" in params:
        sp = store.find(st.SERVICE_PRINCIPAL, appId=params["appid"])
        shown = f"appId='{params['appid']}'"
    else:
        shown = key or params["key"]
        sp = store.get(st.SERVICE_PRINCIPAL, shown)
    if sp is None:
        raise not_found(shown)
    return sp


def sp_view(call: GraphCall, sp: st.Doc) -> st.Doc:
    """The service principal as Graph returns it: every property, the owning tenant named."""
    first_party = sp["appId"].lower() in FIRST_PARTY
    shown = with_defaults(sp, SERVICE_PRINCIPAL_DEFAULTS)
    shown.setdefault("appDisplayName", sp.get("displayName"))
    shown.setdefault("servicePrincipalNames", [sp["appId"]])
    shown.setdefault("appOwnerOrganizationId", MICROSOFT_TENANT_ID if first_party else call.ctx.tenant_id)
    return shown


async def list_sps(call: GraphCall) -> Response:
    node = parse_filter(call.query, SP_FILTER, "ServicePrincipal")
    sps = [sp_view(call, s) for s in call.ctx.store.list(st.SERVICE_PRINCIPAL, **equalities(node))
           if node is None or node.matches(s)]
    return collection(call, "servicePrincipals", sps)


async def get_sp(call: GraphCall) -> Response:
    return entity(call, "servicePrincipals", sp_view(call, find_sp(call)))


async def patch_sp(call: GraphCall) -> Response:
    body = await call.body()
    sp = find_sp(call)
    _may_write_sp(call, sp)
    changes = _writes(call, body, "servicePrincipal", SERVICE_PRINCIPAL_WRITABLE, sp)
    call.ctx.store.update(st.SERVICE_PRINCIPAL, sp["id"], changes)
    return no_content()


def _may_write_sp(call: GraphCall, sp: st.Doc) -> None:
    """ReadWrite.All changes any service principal; OwnedBy only those of applications it owns."""
    if call.roles.intersection(APP_WRITE_ALL):
        return
    app = call.ctx.store.find(st.APPLICATION, appId=sp["appId"])
    if app is None:
        raise denied()
    _may_write(call, app)


async def delete_sp(call: GraphCall) -> Response:
    """Deletes the service principal and every app role assignment it holds or grants."""
    sp = find_sp(call)
    _may_write_sp(call, sp)
    store = call.ctx.store
    with store.transaction():
        _remove_sp(store, sp)
    return no_content()


def _remove_sp(store: st.Store, sp: st.Doc) -> None:
    for field in ("principalId", "resourceId"):
        for assignment in store.list(st.APP_ROLE_ASSIGNMENT, **{field: sp["id"]}):
            store.delete(st.APP_ROLE_ASSIGNMENT, assignment["id"])
    store.delete(st.SERVICE_PRINCIPAL, sp["id"])


async def create_sp(call: GraphCall) -> Response:
    body = await call.body()
    app_id = str(body.get("appId") or "")
    store = call.ctx.store
    app = store.find(st.APPLICATION, appId=app_id) if app_id else None
    if app is None and app_id.lower() not in FIRST_PARTY:
        raise bad_request(f"The appId '{app_id}' of the service principal does not reference a valid "
                          "application object.")
    if not call.roles.intersection(APP_WRITE_ALL):
        # OwnedBy: only for applications the caller owns; first-party apps need ReadWrite.All.
        if app is None:
            raise denied()
        _may_write(call, app)
    written = _writes(call, {k: v for k, v in body.items() if k != "appId"}, "servicePrincipal",
                      SERVICE_PRINCIPAL_WRITABLE)
    owners = graph_owners.bound_owners(call, body) or [call.caller_sp_id]
    with store.transaction():
        if store.find(st.SERVICE_PRINCIPAL, appId=app_id) is not None:
            raise GraphError(409, "Request_MultipleObjectsWithSameKeyValue",
                             "Another object with the same value for property servicePrincipalNames "
                             "already exists.")
        sp = store.insert(st.SERVICE_PRINCIPAL, {
            "id": str(uuid.uuid4()), "appId": app_id,
            "displayName": app["displayName"] if app else FIRST_PARTY[app_id.lower()],
            "servicePrincipalType": "Application", "accountEnabled": True,
            "appRoles": list(app.get("appRoles", [])) if app else [], "servicePrincipalNames": [app_id],
            **written, "xOwners": owners,
        })
    return entity(call, "servicePrincipals", sp_view(call, sp), status=201)


# -- app role assignments -------------------------------------------------------------------------

async def list_assignments(call: GraphCall) -> Response:
    sp = find_sp(call)
    items = call.ctx.store.list(st.APP_ROLE_ASSIGNMENT, principalId=sp["id"])
    return collection(call, f"servicePrincipals('{sp['id']}')/appRoleAssignments", items)


async def list_assigned_to(call: GraphCall) -> Response:
    sp = find_sp(call)
    items = call.ctx.store.list(st.APP_ROLE_ASSIGNMENT, resourceId=sp["id"])
    return collection(call, f"servicePrincipals('{sp['id']}')/appRoleAssignedTo", items)


async def create_assignment(call: GraphCall) -> Response:
    """POST on either side: the path's SP must be the body's principal or its resource."""
    body = await call.body()
    owner = find_sp(call)
    for prop in ("principalId", "resourceId", "appRoleId"):
        if not body.get(prop):
            raise bad_request(f"Invalid value specified for property '{prop}' of resource "
                              "'AppRoleAssignment'.")
    if owner["id"] not in (body["principalId"], body["resourceId"]):
        raise bad_request("The principalId or resourceId must be the service principal in the request URL.")
    principal = find_sp(call, str(body["principalId"]))
    resource = find_sp(call, str(body["resourceId"]))
    wanted = str(body["appRoleId"]).lower()
    role = next((r for r in resource.get("appRoles", []) if r["id"].lower() == wanted), None)
    if role is None:
        raise bad_request(f"Permission being assigned was not found on application '{resource['appId']}'.")
    store = call.ctx.store
    with store.transaction():
        if store.find(st.APP_ROLE_ASSIGNMENT, principalId=principal["id"], resourceId=resource["id"],
                      appRoleId=role["id"]):
            raise bad_request("Permission being assigned already exists on the object")
        assignment = store.insert(st.APP_ROLE_ASSIGNMENT, {
            "id": str(uuid.uuid4()), "principalId": principal["id"], "principalType": "ServicePrincipal",
            "principalDisplayName": principal["displayName"], "resourceId": resource["id"],
            "resourceDisplayName": resource["displayName"], "appRoleId": role["id"],
            "createdDateTime": _now(), "deletedDateTime": None, "xRoleValue": role["value"],
        })
    return entity(call, "appRoleAssignments", public(assignment), status=201)


def _find_assignment(call: GraphCall) -> st.Doc:
    """The assignment the path names, held or granted by the path's service principal; else 404."""
    sp = find_sp(call)
    assignment = call.ctx.store.get(st.APP_ROLE_ASSIGNMENT, call.path_params["aid"])
    if assignment is None or sp["id"] not in (assignment["principalId"], assignment["resourceId"]):
        raise not_found(call.path_params["aid"])
    return assignment


async def get_assignment(call: GraphCall) -> Response:
    return entity(call, "appRoleAssignments", {"deletedDateTime": None, **_find_assignment(call)})


async def delete_assignment(call: GraphCall) -> Response:
    assignment = _find_assignment(call)
    call.ctx.store.delete(st.APP_ROLE_ASSIGNMENT, assignment["id"])
    return no_content()
