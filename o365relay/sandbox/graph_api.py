"""The sandbox's Microsoft Graph subset under ``/v1.0``: the hook :func:`routes` that app.py calls.

The routes live in one module per area; every one of them checks the bearer token (audience
``https://graph.microsoft.com``) and its ``roles`` with Graph's error bodies (:mod:`graph_http`):

- :mod:`graph_directory`: users (list/get/create/update, assignLicense), subscribedSkus, domains and
  their serviceConfigurationRecords.
- :mod:`graph_apps`: applications (+ federatedIdentityCredentials, addPassword/removePassword),
  servicePrincipals, appRoleAssignments / appRoleAssignedTo.
- :mod:`graph_trace`: admin/exchange/tracing/messageTraces and getDetailsByRecipient.
- :mod:`graph_signins`: auditLogs/signIns (the Entra sign-in log, licence-gated).
- :mod:`graph_batch`: ``$batch``.

The beta endpoint (``/beta``) serves the same entity routes (clients such as the azuread provider
read and write beta-only properties there, e.g. an application's ``oauth2RequirePostResponse`` or a
user's ``showInAddressList``); ``$batch`` is served under /v1.0 only. Anything else gets Graph's 400
"Resource not found for the segment".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from o365relay.sandbox import graph_apps, graph_batch, graph_directory, graph_signins, graph_trace
from o365relay.sandbox.graph_http import BETA_PREFIX, GRAPH_PREFIX, GraphError

if TYPE_CHECKING:
    from o365relay.sandbox.context import SandboxContext


def routes(ctx: SandboxContext) -> list[BaseRoute]:
    """Every Graph route of the sandbox under /v1.0, the same entity routes under /beta, unknown
    paths last."""
    stable = [*graph_directory.routes(ctx), *graph_apps.routes(ctx), *graph_trace.routes(ctx),
              *graph_signins.routes(ctx)]
    beta = [Route(BETA_PREFIX + r.path.removeprefix(GRAPH_PREFIX), r.endpoint, methods=list(r.methods or []))
            for r in stable if isinstance(r, Route)]
    anything = ["GET", "POST", "PATCH", "PUT", "DELETE"]
    return [
        *graph_batch.routes(ctx),
        *stable,
        *beta,
        Route(GRAPH_PREFIX + "/{rest:path}", _unknown, methods=anything),
        Route(BETA_PREFIX + "/{rest:path}", _unknown, methods=anything),
    ]


async def _unknown(request: Request) -> Response:
    segment = request.path_params["rest"].split("/")[0]
    return GraphError(400, "BadRequest", f"Resource not found for the segment '{segment}'.").response()
