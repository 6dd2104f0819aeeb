"""The sandbox's HTTPS application: token, Exchange admin and Graph routes in one starlette app.

Composition (each module contributes ``routes(ctx) -> list[BaseRoute]`` with full paths):

- :mod:`o365relay.sandbox.token_routes`: ``/{tenant}/oauth2/v2.0/token`` and the OIDC discovery documents
  (the token service itself is :mod:`o365relay.sandbox.tokens`).
- :mod:`o365relay.sandbox.cloud_metadata`: ``/metadata/endpoints``, the custom-cloud document the
  azuread provider (go-azure-sdk) reads to find the login and Graph endpoints.
- :mod:`o365relay.sandbox.exchange_api`: ``/adminapi/beta/{tenant}/InvokeCommand`` and ``/$batch``.
- :mod:`o365relay.sandbox.graph_api`: ``/v1.0/...``, the Microsoft Graph subset.
- :mod:`o365relay.sandbox.arm_dns`: ``/subscriptions/.../dnsZones/...``, Azure DNS zones and TXT record sets.
- The sandbox admin routes below, **sandbox-only** (no real Microsoft service has them, and they
  take no token because only a local test or person drives them):

  - ``GET  /_sandbox/health`` -> ``{"status": "ok", "tenantId": ...}``
  - ``GET  /_sandbox/dns`` -> ``{"records": [{"name", "type", "value"}]}``: the DNS view
    (:mod:`o365relay.sandbox.dns_view`; TXT rows also carry their ``strings``)
  - ``POST /_sandbox/dns`` with ``{"records": [{"name": "selector1._domainkey.contoso.com",
    "type": "CNAME", "value": "selector1-contoso-com._domainkey.contoso.n-v1.dkim.mail.microsoft"}]}``
    publishes records into the DNS view (what Set-DkimSigningConfig -Enabled $true checks). Types:
    CNAME, TXT (``value`` one string or a list of character-strings), MX (``"10 host"``). With
    ``"replace": true`` each name and type given gets exactly the values given.
  - ``DELETE /_sandbox/dns/{name}`` unpublishes every record of that name.
  - ``GET /_sandbox/requests`` / ``DELETE /_sandbox/requests``: the request journal
    (:mod:`o365relay.sandbox.request_log`).
  - ``GET /_sandbox/faults`` / ``PUT /_sandbox/faults`` with ``{"spec": "429=0.2,seed=3"}`` (or
    ``{"spec": ""}`` to switch faults off): see :mod:`o365relay.sandbox.faults`.

All routes run behind :class:`~o365relay.sandbox.faults.FaultMiddleware` (admin routes exempt).
The Graph module gets faults for free; for per-item faults inside a ``$batch`` it can call
``ctx.faults.plan.decide(path)`` itself.
"""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from o365relay.errors import UsageError
from o365relay.sandbox import dns_view
from o365relay.sandbox.context import SandboxContext
from o365relay.sandbox.faults import FaultMiddleware, FaultPlan
from o365relay.sandbox.request_log import RequestLogMiddleware


def build_app(ctx: SandboxContext) -> FaultMiddleware:
    """The ASGI app of one sandbox: the starlette app inside the fault layer.

    The fault layer is outermost so that it receives the server's own ``send`` (needed to drop a
    connection) and so that faults hit requests before any route or middleware sees them; the
    request log sits inside it and times what the tenant itself answered.
    """
    from o365relay.sandbox import arm_dns, cloud_metadata, exchange_api, graph_api, token_routes

    routes: list[BaseRoute] = [*_admin_routes(ctx), *cloud_metadata.routes(ctx), *token_routes.routes(ctx),
                               *exchange_api.routes(ctx), *arm_dns.routes(ctx), *graph_api.routes(ctx)]
    return FaultMiddleware(RequestLogMiddleware(Starlette(routes=routes), ctx.requests), ctx.faults)


def _admin_routes(ctx: SandboxContext) -> list[BaseRoute]:
    async def health(request: Request) -> Response:
        return JSONResponse({"status": "ok", "tenantId": ctx.tenant_id})

    async def dns_list(request: Request) -> Response:
        return JSONResponse({"records": dns_view.published(ctx.store)})

    async def dns_publish(request: Request) -> Response:
        try:
            body = await request.json()
            records = body.get("records", [])
            with ctx.store.transaction():
                if body.get("replace"):
                    sets: dict[tuple[str, str], list[Any]] = {}
                    for r in records:
                        sets.setdefault((r["name"], r.get("type", "CNAME")), []).append(r["value"])
                    for (name, rtype), values in sets.items():
                        dns_view.replace(ctx.store, name, rtype, values)
                else:
                    for r in records:
                        dns_view.publish(ctx.store, r["name"], r.get("type", "CNAME"), r["value"])
        except (ValueError, KeyError, TypeError, AttributeError, UsageError) as error:
            return JSONResponse({"error": f"bad record: {error}"}, status_code=400)
        return await dns_list(request)

    async def dns_delete(request: Request) -> Response:
        found = dns_view.unpublish(ctx.store, request.path_params["name"])
        return Response(status_code=204 if found else 404)

    async def requests_list(request: Request) -> Response:
        return JSONResponse({"requests": ctx.requests.entries()})

    async def requests_clear(request: Request) -> Response:
        ctx.requests.clear()
        return Response(status_code=204)

    async def faults_get(request: Request) -> Response:
        plan = ctx.faults.plan
        return JSONResponse({"faults": plan.describe() if plan else None})

    async def faults_put(request: Request) -> Response:
        spec = (await request.json()).get("spec", "")
        try:
            ctx.faults.plan = FaultPlan.parse(spec) if spec else None
        except UsageError as error:
            return JSONResponse({"error": str(error)}, status_code=400)
        return await faults_get(request)

    async def sender_credentials(request: Request) -> Response:
        from o365relay.sandbox.try_credentials import issue

        return JSONResponse({"senders": [c.as_dict() for c in issue(ctx.store)]})

    return [
        Route("/_sandbox/health", health, methods=["GET"]),
        Route("/_sandbox/sender-credentials", sender_credentials, methods=["POST"]),
        Route("/_sandbox/dns", dns_list, methods=["GET"]),
        Route("/_sandbox/dns", dns_publish, methods=["POST"]),
        Route("/_sandbox/dns/{name}", dns_delete, methods=["DELETE"]),
        Route("/_sandbox/requests", requests_list, methods=["GET"]),
        Route("/_sandbox/requests", requests_clear, methods=["DELETE"]),
        Route("/_sandbox/faults", faults_get, methods=["GET"]),
        Route("/_sandbox/faults", faults_put, methods=["PUT"]),
    ]
