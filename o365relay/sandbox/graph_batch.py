"""Graph JSON batching in the sandbox: ``POST /v1.0/$batch``.

At most 20 sub-requests with unique ids and relative URLs (``/users/x``; an absolute one fails the whole
batch, as Graph answers it), else 400. Each sub-request is dispatched through the same
routes as a direct call (so it is authorised on its own with the outer request's token) and can be
throttled on its own: the fault plan draws once per sub-request, and a throttle or outage becomes that
sub-response's 429/503 with ``Retry-After`` (a sub-request cannot drop the connection, so a drawn
"drop" is reported as 503). ``dependsOn`` runs sub-requests in order; a sub-request whose dependency
failed gets 424 Failed Dependency. Sub-requests run sequentially and the responses keep the request
order (Graph may reorder them; clients must match on ``id``).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from o365relay.sandbox.graph_http import GRAPH_PREFIX, GraphError, authenticate, bad_request

if TYPE_CHECKING:
    from o365relay.sandbox.context import SandboxContext

MAX_REQUESTS = 20
_FORWARDED = ("authorization", "client-request-id", "prefer", "consistencylevel")


def routes(ctx: SandboxContext) -> list[BaseRoute]:
    async def batch(request: Request) -> Response:
        try:
            authenticate(ctx, request.headers.get("authorization"))
            items = _validate(await _json(request))
            responses: list[dict[str, Any]] = []
            statuses: dict[str, int] = {}
            for item in items:
                reply = await _run(ctx, request, item, statuses)
                statuses[str(item["id"])] = reply["status"]
                responses.append(reply)
            return JSONResponse({"responses": responses})
        except GraphError as error:
            return error.response(request.headers.get("client-request-id"))

    return [Route(GRAPH_PREFIX + "/$batch", batch, methods=["POST"])]


async def _json(request: Request) -> Any:
    try:
        return json.loads(await request.body() or b"null")
    except ValueError:
        raise bad_request("Invalid batch payload format.") from None


def _validate(body: Any) -> list[dict[str, Any]]:
    items = body.get("requests") if isinstance(body, dict) else None
    if not isinstance(items, list) or not items or not all(isinstance(i, dict) for i in items):
        raise bad_request("Invalid batch payload format.")
    if len(items) > MAX_REQUESTS:
        raise bad_request(f"Number of batch requests ({len(items)}) exceeds the maximum of {MAX_REQUESTS}.")
    ids = [str(i.get("id", "")) for i in items]
    if "" in ids or len(set(ids)) != len(ids):
        raise bad_request("Batch request ids must be present and unique.")
    for item in items:
        if not item.get("method") or not item.get("url"):
            raise bad_request(f"Batch request {item['id']} needs a method and a url.")
        if urlsplit(str(item["url"])).netloc:  # Graph takes only relative URLs (/users, not https://.../users)
            raise bad_request("Invalid batch payload format.")
        if "body" in item and "content-type" not in {k.lower() for k in (item.get("headers") or {})}:
            raise bad_request(f"Batch request {item['id']}: a body requires a Content-Type header.")
        for dep in item.get("dependsOn") or []:
            if str(dep) not in ids:
                raise bad_request(f"Batch request {item['id']} depends on unknown request {dep}.")
    return items


async def _run(ctx: SandboxContext, outer: Request, item: dict[str, Any],
               statuses: dict[str, int]) -> dict[str, Any]:
    rid = str(item["id"])
    failed = [d for d in item.get("dependsOn") or [] if statuses.get(str(d), 599) >= 400]
    if failed:
        error = {"code": "FailedDependency", "message": f"Dependent request(s) {failed} failed."}
        return {"id": rid, "status": 424, "headers": {}, "body": {"error": error}}
    url = urlsplit(str(item["url"]))
    path = url.path if url.path.startswith("/") else "/" + url.path
    path = path.removeprefix(GRAPH_PREFIX)
    fault = _fault(ctx, GRAPH_PREFIX + path)
    if fault is not None:
        return {"id": rid, **fault}
    headers = {k.lower(): str(v) for k, v in (item.get("headers") or {}).items()}
    for name in _FORWARDED:
        if name not in headers and outer.headers.get(name):
            headers[name] = outer.headers[name]
    body = item.get("body")
    payload = b"" if body is None else (json.dumps(body) if not isinstance(body, str) else body).encode()
    status, reply_headers, reply_body = await _dispatch(outer, str(item["method"]).upper(),
                                                        GRAPH_PREFIX + path, url.query, headers, payload)
    reply: dict[str, Any] = {"id": rid, "status": status, "headers": reply_headers}
    if reply_body:
        try:
            reply["body"] = json.loads(reply_body)
        except ValueError:
            reply["body"] = reply_body.decode(errors="replace")
    return reply


def _fault(ctx: SandboxContext, path: str) -> dict[str, Any] | None:
    plan = ctx.faults.plan
    if plan is None:
        return None
    drawn = plan.decide(path)
    if drawn is None:
        return None
    status, code, message = (429, "TooManyRequests", "Too many requests. Please retry after some time.") \
        if drawn == "throttle" else (503, "ServiceUnavailable", "The service is temporarily unavailable.")
    return {"status": status, "headers": {"Retry-After": str(plan.retry_after), "Content-Type":
            "application/json"}, "body": {"error": {"code": code, "message": message}}}


async def _dispatch(outer: Request, method: str, path: str, query: str, headers: dict[str, str],
                    payload: bytes) -> tuple[int, dict[str, str], bytes]:
    """Run one sub-request through the app's router (not its middleware) and capture the reply."""
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
        "scheme": outer.url.scheme, "server": outer.scope.get("server"), "client": outer.scope.get("client"),
        "path": path, "raw_path": path.encode(), "root_path": "", "query_string": query.encode(),
        "headers": [(k.encode(), v.encode()) for k, v in headers.items()]
                   + [(b"host", outer.headers.get("host", "").encode()),
                      (b"content-length", str(len(payload)).encode())],
        "app": outer.scope.get("app"), "state": {},
    }
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": payload, "more_body": False}

    result: dict[str, Any] = {"status": 500, "headers": {}, "body": b""}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            result["status"] = message["status"]
            result["headers"] = {k.decode().title(): v.decode() for k, v in message.get("headers", [])
                                 if k.lower() in (b"content-type", b"retry-after", b"location")}
        elif message["type"] == "http.response.body":
            result["body"] += message.get("body", b"")

    await outer.app.router(scope, receive, send)
    return result["status"], result["headers"], result["body"]
