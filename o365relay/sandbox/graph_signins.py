"""Entra sign-in logs in the sandbox: ``GET /auditLogs/signIns`` with the service's rules.

- Application permission ``AuditLog.Read.All`` (Graph's list page also names Directory.Read.All as a
  known issue; the sandbox asks for AuditLog.Read.All only).
- Licence: sign-in logs through Graph need Microsoft Entra ID P1 or P2. Without it (the seed's
  ``tenant.entraPremium: false``) Graph answers 403 ``Authentication_RequestFromNonPremiumTenantOrB2CTenant``
  "Neither tenant is B2C or tenant doesn't have premium license" (the code and text public clients report,
  e.g. microsoftgraph/msgraph-sdk-dotnet#1006).
- ``$filter``: ``createdDateTime`` ge/le/gt/lt; ``clientAppUsed``, ``userPrincipalName``, ``appId``,
  ``ipAddress`` eq; terms joined by ``and``. ``$top`` 1..1000 (1000 is the documented default and
  maximum page), ``@odata.nextLink`` paging, newest first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.responses import Response
from starlette.routing import BaseRoute

from o365relay.sandbox import signins
from o365relay.sandbox.graph_http import GraphCall, GraphError, bad_request, collection, graph_route, parse_filter
from o365relay.sandbox.odata import Node
from o365relay.sandbox.trace import parse_iso

if TYPE_CHECKING:
    from o365relay.sandbox.context import SandboxContext

ROLES = ("AuditLog.Read.All",)
FILTER = {"createdDateTime": {"ge", "le", "gt", "lt"},
          **{p: {"eq"} for p in ("clientAppUsed", "userPrincipalName", "appId", "ipAddress")}}
PAGE = 1000
NO_PREMIUM = ("Authentication_RequestFromNonPremiumTenantOrB2CTenant",
              "Neither tenant is B2C or tenant doesn't have premium license")


def routes(ctx: SandboxContext) -> list[BaseRoute]:
    async def list_sign_ins(call: GraphCall) -> Response:
        if not call.ctx.store.organization().get("xEntraPremium", True):
            raise GraphError(403, *NO_PREMIUM)
        node = parse_filter(call.query, FILTER, "signIn")
        terms = node.conjuncts() if node is not None else []
        if any(t.kind in ("or", "not") for t in terms):
            raise bad_request("Sign-in filters combine clauses with 'and' only.")
        rows = [signins.view(d) for d in signins.newest_first(call.ctx.store)]
        for term in terms:
            rows = [r for r in rows if _matches(term, r)]
        return collection(call, "auditLogs/signIns", rows, default_page=PAGE, max_page=PAGE)

    return [graph_route(ctx, "/auditLogs/signIns", list_sign_ins, ["GET"], ROLES)]


def _matches(term: Node, row: dict[str, Any]) -> bool:
    if term.prop != "createdDateTime":
        return bool(term.matches(row))
    try:
        bound = parse_iso(str(term.value))
    except ValueError:
        raise bad_request(f"Invalid createdDateTime value '{term.value}'.") from None
    at = parse_iso(row["createdDateTime"])
    return {"ge": at >= bound, "le": at <= bound, "gt": at > bound, "lt": at < bound}[term.op]
