"""What every sandbox Graph route shares: Graph's error bodies, the bearer-token role check, OData
query options ($select, $top, $filter, $skiptoken paging) and the JSON reply.

Error bodies are Graph's: ``{"error": {"code", "message", "innerError": {"date", "request-id",
"client-request-id"}}}``. Codes used: 401 ``InvalidAuthenticationToken``, 403
``Authorization_RequestDenied`` ("Insufficient privileges to complete the operation."), 404
``Request_ResourceNotFound``, 400 ``Request_BadRequest`` / ``Request_UnsupportedQuery``, 429
``TooManyRequests`` (with ``Retry-After``).

A handler is ``async def h(call: GraphCall) -> Response`` and raises :class:`GraphError`; the
:func:`graph_route` wrapper verifies the token (audience https://graph.microsoft.com), checks that its
``roles`` hold one of the route's permissions, and renders errors. The same wrapper serves
``$batch`` sub-requests, so each one is authorised on its own.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from o365relay.sandbox import odata
from o365relay.sandbox.tokens import GRAPH_APP_ID, TokenRejected

if TYPE_CHECKING:
    from o365relay.sandbox.context import SandboxContext

GRAPH_PREFIX = "/v1.0"
BETA_PREFIX = "/beta"
DEFAULT_PAGE = 100
MAX_PAGE = 999
INSUFFICIENT = "Insufficient privileges to complete the operation."


class GraphError(Exception):
    """A Graph failure reply; ``headers`` carries e.g. Retry-After."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None):
        self.status, self.code, self.message = status, code, message
        self.headers = headers or {}
        super().__init__(f"{status} {code}: {message}")

    def response(self, client_request_id: str | None = None) -> JSONResponse:
        request_id = str(uuid.uuid4())
        inner = {"date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S"), "request-id": request_id,
                 "client-request-id": client_request_id or request_id}
        body = {"error": {"code": self.code, "message": self.message, "innerError": inner}}
        return JSONResponse(body, status_code=self.status, headers=self.headers)


def not_found(what: str) -> GraphError:
    return GraphError(404, "Request_ResourceNotFound",
                      f"Resource '{what}' does not exist or one of its queried reference-property objects "
                      "are not present.")


def bad_request(message: str) -> GraphError:
    return GraphError(400, "Request_BadRequest", message)


def denied() -> GraphError:
    return GraphError(403, "Authorization_RequestDenied", INSUFFICIENT)


@dataclass
class GraphCall:
    """One authorised Graph request: its parameters, body and the caller's token claims."""

    ctx: SandboxContext
    request: Request
    claims: dict[str, Any]
    path_params: dict[str, str] = field(default_factory=dict)
    _body: Any = None

    @property
    def roles(self) -> set[str]:
        return set(self.claims.get("roles", []))

    @property
    def caller_sp_id(self) -> str:
        return str(self.claims.get("oid", ""))

    @property
    def prefix(self) -> str:
        """``/beta`` or ``/v1.0``: the API version the caller addressed."""
        return BETA_PREFIX if self.request.url.path.startswith(BETA_PREFIX + "/") else GRAPH_PREFIX

    @property
    def query(self) -> dict[str, str]:
        return dict(self.request.query_params)

    async def body(self) -> dict[str, Any]:
        """The JSON body; 400 when it is absent or not a JSON object."""
        if self._body is None:
            raw = await self.request.body()
            try:
                self._body = json.loads(raw or b"null")
            except ValueError:
                raise bad_request("Unable to read JSON request payload. Please ensure Content-Type "
                                  "header is set and payload is of valid JSON format.") from None
        if not isinstance(self._body, dict):
            raise bad_request("Empty Payload. JSON content expected.")
        return {k: v for k, v in self._body.items() if not k.startswith("@odata.")}

    def require_any(self, *roles: str) -> None:
        if not self.roles.intersection(roles):
            raise denied()


Handler = Callable[[GraphCall], Awaitable[Response]]


def graph_route(ctx: SandboxContext, path: str, handler: Handler, methods: list[str],
                roles: Iterable[str]) -> Route:
    """A Route under /v1.0 that authenticates, authorises (any of ``roles``) and renders errors."""
    needed = tuple(roles)

    async def endpoint(request: Request) -> Response:
        client_request_id = request.headers.get("client-request-id")
        try:
            claims = authenticate(ctx, request.headers.get("authorization"))
            call = GraphCall(ctx, request, claims, dict(request.path_params))
            if needed:
                call.require_any(*needed)
            return await handler(call)
        except GraphError as error:
            return error.response(client_request_id)

    return Route(GRAPH_PREFIX + path, endpoint, methods=methods)


def authenticate(ctx: SandboxContext, authorization: str | None) -> dict[str, Any]:
    try:
        return ctx.tokens.verify(authorization, ctx.tokens.audiences(GRAPH_APP_ID))
    except TokenRejected as error:
        raise GraphError(401, "InvalidAuthenticationToken", str(error)) from None


def public(doc: dict[str, Any]) -> dict[str, Any]:
    """The document without sandbox-only ``x*`` keys (recursively in lists of objects)."""
    out: dict[str, Any] = {}
    for key, value in doc.items():
        if len(key) > 1 and key[0] == "x" and key[1].isupper():
            continue
        if isinstance(value, list):
            value = [public(v) if isinstance(v, dict) else v for v in value]
        out[key] = value
    return out


def select(doc: dict[str, Any], query: dict[str, str]) -> dict[str, Any]:
    """Apply ``$select`` (always keeping ``id`` and ``@odata.type``)."""
    wanted = [s.strip() for s in query.get("$select", "").split(",") if s.strip()]
    if not wanted:
        return doc
    keep = {w.lower() for w in wanted} | {"id", "@odata.type"}
    return {k: v for k, v in doc.items() if k.lower() in keep}


def parse_filter(query: dict[str, str], allowed: dict[str, set[str]], resource: str) -> odata.Node | None:
    text = query.get("$filter")
    if not text:
        return None
    try:
        return odata.parse(text, allowed)
    except odata.FilterError as error:
        if error.prop is not None:
            raise GraphError(400, "Request_UnsupportedQuery",
                             f"Unsupported or invalid query filter clause specified for property "
                             f"'{error.prop}' of resource '{resource}'.") from None
        raise GraphError(400, "BadRequest", f"Invalid filter clause: {error}") from None


def page_size(query: dict[str, str], default: int = DEFAULT_PAGE, maximum: int = MAX_PAGE) -> int:
    raw = query.get("$top")
    if raw is None:
        return default
    try:
        top = int(raw)
    except ValueError:
        raise bad_request(f"Invalid page size specified: '{raw}'.") from None
    if not 1 <= top <= maximum:
        raise bad_request(f"Invalid page size specified: '{raw}'. Must be between 1 and {maximum} "
                          "inclusive.")
    return top


def collection(call: GraphCall, context: str, items: list[dict[str, Any]], *,
               default_page: int = DEFAULT_PAGE, max_page: int = MAX_PAGE) -> Response:
    """A paged collection reply: ``@odata.context``, ``value`` and ``@odata.nextLink`` if more."""
    query = call.query
    size = page_size(query, default_page, max_page)
    offset = _decode_skiptoken(query.get("$skiptoken"))
    chunk = items[offset:offset + size]
    body: dict[str, Any] = {"@odata.context": f"{call.ctx.base_url}{call.prefix}/$metadata#{context}",
                            "value": [select(public(d), query) for d in chunk]}
    if offset + size < len(items):
        next_query = {k: v for k, v in query.items() if k != "$skiptoken"}
        next_query["$skiptoken"] = _encode_skiptoken(offset + size)
        query_text = urlencode(next_query, safe="$,()'")
        body["@odata.nextLink"] = f"{call.ctx.base_url}{call.request.url.path}?{query_text}"
    return JSONResponse(body)


def entity(call: GraphCall, context: str, doc: dict[str, Any], status: int = 200) -> Response:
    body = {"@odata.context": f"{call.ctx.base_url}{call.prefix}/$metadata#{context}/$entity",
            **select(public(doc), call.query)}
    return JSONResponse(body, status_code=status)


def no_content() -> Response:
    return Response(status_code=204)


def _encode_skiptoken(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode().rstrip("=")


def _decode_skiptoken(token: str | None) -> int:
    if not token:
        return 0
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        kind, _, number = text.partition(":")
        if kind != "offset":
            raise ValueError(kind)
        return max(0, int(number))
    except ValueError:
        raise bad_request("Invalid $skiptoken value.") from None
