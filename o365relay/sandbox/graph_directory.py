"""Graph directory routes of the sandbox: users (list, get, create, update, assignLicense),
subscribedSkus, domains and their serviceConfigurationRecords.

Behaviour copied from Graph because clients trip over it: a user without ``$select`` carries only
Graph's default properties (``usageLocation`` and ``assignedLicenses`` must be selected);
``assignLicense`` refuses a user without ``usageLocation`` and a SKU with no unit left; a new user's
mailbox appears once a licence with an Exchange service plan is assigned.
"""

from __future__ import annotations

import re
import uuid
from typing import TYPE_CHECKING, Any

from starlette.responses import Response
from starlette.routing import BaseRoute

from o365relay.sandbox import store as st
from o365relay.sandbox.graph_http import (
    GraphCall,
    GraphError,
    bad_request,
    collection,
    entity,
    graph_route,
    no_content,
    not_found,
    parse_filter,
    public,
)
from o365relay.sandbox.graph_shapes import strip_odata
from o365relay.sandbox.odata import equalities

if TYPE_CHECKING:
    from o365relay.sandbox.context import SandboxContext

USER_READ = ("User.Read.All", "User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All")
USER_WRITE = ("User.ReadWrite.All", "Directory.ReadWrite.All")
DOMAIN_READ = ("Domain.Read.All", "Domain.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All")
SKU_READ = ("Organization.Read.All", "Organization.ReadWrite.All", "Directory.Read.All",
            "Directory.ReadWrite.All", "LicenseAssignment.Read.All")

USER_DEFAULT_PROPERTIES = ("id", "businessPhones", "displayName", "givenName", "jobTitle", "mail",
                           "mobilePhone", "officeLocation", "preferredLanguage", "surname",
                           "userPrincipalName")
# Writable user properties of Graph's v1.0 user resource (the azuread provider sends most of them;
# showInAddressList it writes through /beta, both endpoints take it).
USER_WRITABLE = frozenset({"accountEnabled", "displayName", "givenName", "surname", "jobTitle", "mail",
                           "mailNickname", "usageLocation", "passwordProfile", "userPrincipalName",
                           "department", "officeLocation", "mobilePhone", "businessPhones",
                           "preferredLanguage", "ageGroup", "city", "companyName", "consentProvidedForMinor",
                           "country", "employeeHireDate", "employeeId", "employeeOrgData", "employeeType",
                           "faxNumber", "onPremisesImmutableId", "otherMails", "passwordPolicies",
                           "postalCode", "state", "streetAddress", "showInAddressList", "userType"})
_USER_STORED_AS_GIVEN = USER_WRITABLE - {"accountEnabled", "displayName", "mail", "mailNickname",
                                         "usageLocation", "passwordProfile", "userPrincipalName"}
USER_FILTER = {"id": {"eq", "in"}, "userPrincipalName": {"eq", "startswith", "in"},
               "mail": {"eq", "startswith", "in"}, "displayName": {"eq", "startswith", "in"},
               "mailNickname": {"eq", "startswith"}, "usageLocation": {"eq"}, "accountEnabled": {"eq"},
               "proxyAddresses": {"eq"}, "assignedLicenses": {"eq"}}
DOMAIN_PUBLIC = ("id", "authenticationType", "isDefault", "isInitial", "isRoot", "isVerified",
                 "supportedServices")
_USAGE_LOCATION = re.compile(r"^[A-Z]{2}\Z")
_SPF_INCLUDE = "include:spf.protection.outlook.com"


def routes(ctx: SandboxContext) -> list[BaseRoute]:
    return [
        graph_route(ctx, "/users", list_users, ["GET"], USER_READ),
        graph_route(ctx, "/users", create_user, ["POST"], USER_WRITE),
        graph_route(ctx, "/users/{key}", get_user, ["GET"], USER_READ),
        graph_route(ctx, "/users/{key}", update_user, ["PATCH"], USER_WRITE),
        graph_route(ctx, "/users/{key}", delete_user, ["DELETE"], USER_WRITE),
        graph_route(ctx, "/users/{key}/manager", get_manager, ["GET"], USER_READ),
        graph_route(ctx, "/users/{key}/assignLicense", assign_license, ["POST"], USER_WRITE),
        graph_route(ctx, "/subscribedSkus", list_skus, ["GET"], SKU_READ),
        graph_route(ctx, "/domains", list_domains, ["GET"], DOMAIN_READ),
        graph_route(ctx, "/domains/{key}", get_domain, ["GET"], DOMAIN_READ),
        graph_route(ctx, "/domains/{key}/serviceConfigurationRecords", service_records, ["GET"],
                    DOMAIN_READ),
    ]


# -- users ----------------------------------------------------------------------------------------

def find_user(store: st.Store, key: str) -> st.Doc:
    """A user by object id or userPrincipalName; Graph's 404 otherwise."""
    user = store.get(st.USER, key) or store.find(st.USER, userPrincipalName=key)
    if user is None:
        raise not_found(key)
    return user


def user_view(user: st.Doc, query: dict[str, str]) -> st.Doc:
    """Graph's default property set unless ``$select`` asks for more."""
    if query.get("$select"):
        return user
    shown = {k: user.get(k) for k in USER_DEFAULT_PROPERTIES}
    shown.setdefault("businessPhones", [])
    shown["businessPhones"] = shown["businessPhones"] or []
    return shown


async def list_users(call: GraphCall) -> Response:
    node = parse_filter(call.query, USER_FILTER, "User")
    users = [user_view(u, call.query) for u in call.ctx.store.list(st.USER, **equalities(node))
             if node is None or node.matches(u)]
    return collection(call, "users", users)


async def get_user(call: GraphCall) -> Response:
    user = find_user(call.ctx.store, call.path_params["key"])
    return entity(call, "users", user_view(user, call.query))


async def create_user(call: GraphCall) -> Response:
    body = await call.body()
    _check_writable(body)
    for prop in ("accountEnabled", "displayName", "mailNickname", "userPrincipalName", "passwordProfile"):
        if body.get(prop) in (None, ""):
            raise bad_request(f"Invalid value specified for property '{prop}' of resource 'User'.")
    store = call.ctx.store
    upn = str(body["userPrincipalName"]).lower()
    domain = upn.rpartition("@")[2]
    verified = store.get(st.DOMAIN, domain)
    if "@" not in upn or verified is None or not verified.get("isVerified"):
        raise bad_request("The domain portion of the userPrincipalName property is invalid. You must use one "
                          "of the verified domain names in your organization.")
    if body.get("usageLocation") is not None:
        _check_usage_location(body["usageLocation"])
    user: st.Doc = {
        "id": str(uuid.uuid4()), "userPrincipalName": upn, "displayName": body["displayName"],
        "mail": body.get("mail") or upn, "mailNickname": body["mailNickname"],
        "accountEnabled": bool(body["accountEnabled"]), "usageLocation": body.get("usageLocation"),
        "assignedLicenses": [], "proxyAddresses": [f"SMTP:{upn}"], "xHasMailbox": False,
        "xSmtpClientAuthenticationDisabled": None, "xExchangeGuid": str(uuid.uuid4()), "userType": "Member",
        **{k: strip_odata(body[k]) for k in body.keys() & _USER_STORED_AS_GIVEN},
    }
    _apply_password(user, body["passwordProfile"])
    with store.transaction():
        if store.find(st.USER, userPrincipalName=upn) is not None:
            raise bad_request("Another object with the same value for property userPrincipalName already "
                              "exists.")
        store.insert(st.USER, user)
    return entity(call, "users", user, status=201)


async def update_user(call: GraphCall) -> Response:
    body = await call.body()
    _check_writable(body)
    store = call.ctx.store
    user = find_user(store, call.path_params["key"])
    changes = {k: strip_odata(v) for k, v in body.items() if k != "passwordProfile"}
    if "usageLocation" in changes:
        _check_usage_location(changes["usageLocation"])
    if "passwordProfile" in body:
        _apply_password(changes, body["passwordProfile"])
    store.update(st.USER, user["id"], changes)
    return no_content()


async def delete_user(call: GraphCall) -> Response:
    """Deletes the user and the app role assignments it holds. (Graph keeps a deleted user in
    deletedItems for 30 days; no client of the sandbox reads that, so it is not modelled.)"""
    store = call.ctx.store
    with store.transaction():
        user = find_user(store, call.path_params["key"])
        for assignment in store.list(st.APP_ROLE_ASSIGNMENT, principalId=user["id"]):
            store.delete(st.APP_ROLE_ASSIGNMENT, assignment["id"])
        store.delete(st.USER, user["id"])
    return no_content()


async def get_manager(call: GraphCall) -> Response:
    """No sandbox user has a manager: Graph answers 404 for the missing relationship."""
    find_user(call.ctx.store, call.path_params["key"])
    raise not_found("manager")


def _check_writable(body: dict[str, Any]) -> None:
    for key in body:
        if key not in USER_WRITABLE:
            raise bad_request(f"Property '{key}' is read-only or does not exist on type "
                              "'microsoft.graph.user'.")


def _check_usage_location(value: Any) -> None:
    if not isinstance(value, str) or not _USAGE_LOCATION.match(value):
        raise bad_request("Invalid value specified for property 'usageLocation' of resource 'User'.")


def _apply_password(target: st.Doc, profile: Any) -> None:
    password = profile.get("password") if isinstance(profile, dict) else None
    if not isinstance(password, str) or len(password) < 8:
        raise bad_request("The specified password does not comply with password complexity requirements. "
                          "Please provide a different password.")
    target["xPasswordHash"] = st.hash_secret(password)


async def assign_license(call: GraphCall) -> Response:
    body = await call.body()
    adds, removes = body.get("addLicenses"), body.get("removeLicenses")
    if not isinstance(adds, list) or not isinstance(removes, list):
        raise bad_request("Invalid value specified for property 'addLicenses' or 'removeLicenses'. Both are "
                          "required (use [] for none).")
    store = call.ctx.store
    with store.transaction():
        user = find_user(store, call.path_params["key"])
        if adds and not user.get("usageLocation"):
            raise bad_request("License assignment cannot be done for user with invalid usage location.")
        skus = {s["skuId"].lower(): s for s in store.list(st.SKU)}
        licenses = {a["skuId"].lower(): a for a in user.get("assignedLicenses", [])}
        for sku_id in removes:
            if str(sku_id).lower() not in licenses:
                raise bad_request(f"User does not have a corresponding license {sku_id}.")
            del licenses[str(sku_id).lower()]
        for add in adds:
            sku_id = str(add.get("skuId", "")).lower() if isinstance(add, dict) else ""
            sku = skus.get(sku_id)
            if sku is None:
                raise bad_request(f"License {sku_id or '(none)'} does not correspond to a valid company "
                                  "License.")
            if sku_id not in licenses and consumed_units(store, sku_id) >= sku["prepaidUnits"]["enabled"]:
                raise bad_request(f"Subscription with SKU {sku['skuId']} does not have any available "
                                  "licenses.")
            licenses[sku_id] = {"skuId": sku["skuId"], "disabledPlans": list(add.get("disabledPlans", []))}
        has_exchange = any(p["servicePlanName"].startswith("EXCHANGE")
                           for lic in licenses.values() for p in skus[lic["skuId"].lower()]["servicePlans"])
        changes = {"assignedLicenses": list(licenses.values()),
                   "xHasMailbox": bool(user.get("xHasMailbox")) or has_exchange}
        user = store.update(st.USER, user["id"], changes)
    return entity(call, "users", user_view(user, call.query))


# -- subscribed SKUs ------------------------------------------------------------------------------

def consumed_units(store: st.Store, sku_id: str) -> int:
    return sum(1 for u in store.list(st.USER) for a in u.get("assignedLicenses", [])
               if a["skuId"].lower() == sku_id.lower())


async def list_skus(call: GraphCall) -> Response:
    if "$filter" in call.query or "$top" in call.query:
        raise bad_request("subscribedSkus supports only the $select query option.")
    store = call.ctx.store
    skus = [{**s, "consumedUnits": consumed_units(store, s["skuId"])} for s in store.list(st.SKU)]
    return collection(call, "subscribedSkus", skus)


# -- domains --------------------------------------------------------------------------------------

def find_domain(store: st.Store, key: str) -> st.Doc:
    domain = store.get(st.DOMAIN, key.lower())
    if domain is None:
        raise not_found(key)
    return domain


def domain_view(domain: st.Doc) -> st.Doc:
    shown = {k: domain.get(k) for k in DOMAIN_PUBLIC}
    shown["isRoot"] = True
    return shown


async def list_domains(call: GraphCall) -> Response:
    if "$filter" in call.query:
        raise GraphError(400, "Request_UnsupportedQuery", "The domains collection does not support $filter.")
    return collection(call, "domains", [domain_view(d) for d in call.ctx.store.list(st.DOMAIN)])


async def get_domain(call: GraphCall) -> Response:
    return entity(call, "domains", domain_view(find_domain(call.ctx.store, call.path_params["key"])))


def service_configuration_records(domain: st.Doc) -> list[st.Doc]:
    """The records Microsoft asks the domain owner to publish (none for the initial domain)."""
    name = domain["id"]
    if domain.get("isInitial") or "Email" not in domain.get("supportedServices", []):
        return []

    def record(odata_type: str, rtype: str, **fields: Any) -> st.Doc:
        rid = str(uuid.uuid5(uuid.NAMESPACE_DNS, f"{name}/{rtype}/{sorted(fields.items())}"))
        return {"@odata.type": f"#microsoft.graph.domainDns{odata_type}Record", "id": rid,
                "isOptional": False, "label": fields.pop("label", name), "recordType": rtype,
                "supportedService": "Email", "ttl": 3600, **fields}

    records = []
    if domain.get("mxTarget"):
        records.append(record("Mx", "Mx", mailExchange=domain["mxTarget"], preference=0))
    records.append(record("Txt", "Txt", text=f"v=spf1 {_SPF_INCLUDE} -all"))
    records.append(record("CName", "CName", label=f"autodiscover.{name}",
                          canonicalName="autodiscover.outlook.com"))
    return records


async def service_records(call: GraphCall) -> Response:
    domain = find_domain(call.ctx.store, call.path_params["key"])
    records = [public(r) for r in service_configuration_records(domain)]
    return collection(call, f"domains('{domain['id']}')/serviceConfigurationRecords", records)
