"""Azure DNS through Resource Manager, as far as the relay uses it: zones and TXT record sets.

Routes (``api-version`` required, bearer token for https://management.azure.com of this tenant):

- ``PUT /subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.Network/dnsZones/{zone}``: create a zone.
- ``GET|PUT|DELETE …/dnsZones/{zone}/TXT/{name}``: one TXT record set (``@`` is the apex).

The rules the relay depends on are Azure's: a record set is one object that a PUT replaces whole; every
write gives it a new ETag; ``If-Match: <etag>`` fails with 412 ``PreconditionFailed`` when the set changed
(or is gone), ``If-None-Match: *`` when it exists; a TXT string holds at most 255 characters; a record set
needs its zone (404 ``ParentResourceNotFound``). Error bodies are ARM's ``{"error": {"code", "message"}}``.
RBAC is not modelled: any app of the tenant with a Resource Manager token may write.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from o365relay.sandbox import store as st
from o365relay.sandbox.tokens import ARM_APP_ID, TokenRejected

if TYPE_CHECKING:
    from o365relay.sandbox.context import SandboxContext

ZONE = "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Network/dnsZones/{zone}"
MAX_TXT_STRING = 255


class ArmError(Exception):
    def __init__(self, status: int, code: str, message: str):
        self.status, self.code = status, code
        super().__init__(message)

    def response(self) -> JSONResponse:
        return JSONResponse({"error": {"code": self.code, "message": str(self)}}, status_code=self.status)


def routes(ctx: SandboxContext) -> list[BaseRoute]:
    def guarded(handler: Any) -> Any:
        async def endpoint(request: Request) -> Response:
            try:
                if not request.query_params.get("api-version"):
                    raise ArmError(400, "MissingApiVersionParameter",
                                   "The api-version query parameter (?api-version=) is required for all requests.")
                try:
                    ctx.tokens.verify(request.headers.get("authorization"), ctx.tokens.audiences(ARM_APP_ID))
                except TokenRejected as error:
                    raise ArmError(401, "InvalidAuthenticationToken", str(error)) from None
                p = request.path_params
                zone_id = f"{p['sub']}/{p['rg']}/{p['zone']}".lower()
                return await handler(request, zone_id)
            except ArmError as error:
                return error.response()
        return endpoint

    async def put_zone(request: Request, zone_id: str) -> Response:
        existed = ctx.store.get(st.AZURE_DNS_ZONE, zone_id) is not None
        ctx.store.put(st.AZURE_DNS_ZONE, {"id": zone_id})
        p = request.path_params
        body = {"id": ZONE.format(**p), "name": p["zone"], "type": "Microsoft.Network/dnszones",
                "location": "global", "etag": str(uuid.uuid4()), "properties": {}}
        return JSONResponse(body, status_code=200 if existed else 201)

    async def record_set(request: Request, zone_id: str) -> Response:
        p = request.path_params
        if ctx.store.get(st.AZURE_DNS_ZONE, zone_id) is None:
            raise ArmError(404, "ParentResourceNotFound", "Can not perform requested operation on nested resource. "
                                                          f"Parent resource '{p['zone']}' not found.")
        set_id = f"{zone_id}/TXT/{p['name']}".lower()
        with ctx.store.transaction():
            current = ctx.store.get(st.AZURE_RECORD_SET, set_id)
            if request.method == "GET":
                if current is None:
                    raise ArmError(404, "NotFound", f"The resource record '{p['name']}' does not exist in resource "
                                                    f"group '{p['rg']}' of subscription '{p['sub']}'.")
                return JSONResponse(_shape(p, current))
            _precondition(request, current)
            if request.method == "DELETE":
                ctx.store.delete(st.AZURE_RECORD_SET, set_id)
                return Response(status_code=200 if current else 204)
            doc = {"id": set_id, "etag": str(uuid.uuid4()), **_txt_properties(await request.json())}
            ctx.store.put(st.AZURE_RECORD_SET, doc)
        return JSONResponse(_shape(p, doc), status_code=200 if current else 201)

    return [Route(ZONE, guarded(put_zone), methods=["PUT"]),
            Route(ZONE + "/TXT/{name}", guarded(record_set), methods=["GET", "PUT", "DELETE"])]


def _precondition(request: Request, current: dict[str, Any] | None) -> None:
    etag = current["etag"] if current else ""
    if_match, if_none = request.headers.get("if-match"), request.headers.get("if-none-match")
    if if_match is not None and if_match.strip('"') != etag:
        raise ArmError(412, "PreconditionFailed", f"The condition '{if_match}' in the If-Match header was not "
                                                  f"satisfied. The current was '{etag}'.")
    if if_none == "*" and current is not None:
        raise ArmError(412, "PreconditionFailed",
                       f"The condition '*' in the If-None-Match header was not satisfied. The current was '{etag}'.")


def _txt_properties(body: Any) -> dict[str, Any]:
    properties = body.get("properties") if isinstance(body, dict) else None
    if not isinstance(properties, dict):
        properties = {}
    records = properties.get("TXTRecords")
    if not isinstance(records, list) or not all(
            isinstance(r, dict) and isinstance(r.get("value"), list) and all(isinstance(v, str) for v in r["value"])
            for r in records):
        raise ArmError(400, "BadRequest", "The request body must carry properties.TXTRecords: [{value: [strings]}].")
    for record in records:
        for string in record["value"]:
            if len(string) > MAX_TXT_STRING:
                raise ArmError(400, "BadRequest", f"The length of a TXT record string ({len(string)}) exceeds the "
                                                  f"maximum of {MAX_TXT_STRING} characters.")
    return {"ttl": int(properties.get("TTL") or 3600), "txt": [list(r["value"]) for r in records]}


def _shape(p: dict[str, Any], doc: dict[str, Any]) -> dict[str, Any]:
    fqdn = f"{p['zone']}." if p["name"] == "@" else f"{p['name']}.{p['zone']}."
    return {"id": ZONE.format(**p) + f"/TXT/{p['name']}", "name": p["name"], "type": "Microsoft.Network/dnszones/TXT",
            "etag": doc["etag"], "properties": {"TTL": doc["ttl"], "fqdn": fqdn, "provisioningState": "Succeeded",
                                                "TXTRecords": [{"value": v} for v in doc["txt"]]}}
