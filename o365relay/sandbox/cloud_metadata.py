"""The sandbox as a custom Azure cloud: ``GET /metadata/endpoints?api-version=2022-09-01``.

Why: clients built on go-azure-sdk (the azuread Terraform provider, so ``pulumi-azuread``) reach a
non-public cloud through its metadata document: with ``metadata_host`` / ``ARM_METADATA_HOSTNAME`` set
to ``127.0.0.1:<port>`` they GET ``https://<host>/metadata/endpoints?api-version=2022-09-01`` and take
the login endpoint (``authentication.loginEndpoint``) and the Microsoft Graph endpoint, which is also
the Graph token resource (``microsoftGraphResourceId``), from it. go-azure-sdk refuses a document
without ``name``, ``resourceManager`` or ``microsoftGraphResourceId``.

The shape is Azure Resource Manager's answer for api-version 2022-09-01 (one object; older versions
answered a list). Of Resource Manager the sandbox serves Azure DNS only (:mod:`o365relay.sandbox.arm_dns`);
``resourceManager`` names the sandbox, where those routes are. Services it does not have are left out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

if TYPE_CHECKING:
    from o365relay.sandbox.context import SandboxContext

CLOUD_NAME = "O365RelaySandbox"


def metadata_document(base_url: str) -> dict[str, Any]:
    """The cloud's endpoints, every URL on the sandbox (trailing slash as Azure writes them)."""
    root = f"{base_url}/"
    return {
        "name": CLOUD_NAME,
        "authentication": {
            "loginEndpoint": base_url,
            "audiences": [root],
            "tenant": "common",
            "identityProvider": "AAD",
        },
        "resourceManager": root,
        "microsoftGraphResourceId": root,
        "suffixes": {},
    }


def routes(ctx: SandboxContext) -> list[BaseRoute]:
    async def endpoints(request: Request) -> Response:
        if not request.query_params.get("api-version"):
            error = {"code": "MissingApiVersionParameter",
                     "message": "The api-version query parameter (?api-version=) is required for all requests."}
            return JSONResponse({"error": error}, status_code=400)
        return JSONResponse(metadata_document(ctx.base_url))

    return [Route("/metadata/endpoints", endpoints, methods=["GET"])]
