"""The sandbox's Entra ID endpoints: the token endpoint, the OIDC discovery documents and keys, and the
stand-in external identity provider (what each answers: :mod:`o365relay.sandbox.tokens`)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

import jwt
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from o365relay.sandbox.certs import SandboxPki
from o365relay.sandbox.context import SandboxContext
from o365relay.sandbox.tokens import TOKEN_EXCHANGE_AUDIENCE, OAuthError


def _jwks(pki: SandboxPki) -> dict[str, Any]:
    jwk = jwt.algorithms.RSAAlgorithm.to_jwk(pki.token_key.public_key(), as_dict=True)
    jwk.update({"kid": pki.token_kid, "use": "sig", "alg": "RS256"})
    return {"keys": [jwk]}


def routes(ctx: SandboxContext) -> list[BaseRoute]:
    tokens = ctx.tokens

    async def token(request: Request) -> Response:
        # urlencoded body parsed here: starlette's request.form() needs python-multipart for nothing else
        form = dict(parse_qsl((await request.body()).decode("utf-8", "replace"), keep_blank_values=True))
        try:
            return JSONResponse(tokens.grant(request.path_params["tenant"], form))
        except OAuthError as error:
            return error.response()

    async def openid_configuration(request: Request) -> Response:
        tenant = request.path_params["tenant"]
        base = f"{ctx.base_url}/{tenant}"
        return JSONResponse(
            {
                "issuer": f"{ctx.base_url}/{ctx.tenant_id}/v2.0",
                "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                "token_endpoint": f"{base}/oauth2/v2.0/token",
                "jwks_uri": f"{base}/discovery/v2.0/keys",
                "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt"],
                "response_types_supported": ["code", "id_token", "token"],
                "subject_types_supported": ["pairwise"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "tenant_region_scope": "WW",
                "cloud_instance_name": "microsoftonline.com",
            }
        )

    async def keys(request: Request) -> Response:
        return JSONResponse(_jwks(ctx.pki))

    async def external_assertion(request: Request) -> Response:
        try:
            body = await request.json()
            assertion = tokens.mint_external_assertion(
                str(body["issuer"]), str(body["subject"]), str(body.get("audience", TOKEN_EXCHANGE_AUDIENCE))
            )
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            return JSONResponse({"error": f"bad assertion request: {error}"}, status_code=400)
        return JSONResponse({"token": assertion})

    return [
        Route("/{tenant}/oauth2/v2.0/token", token, methods=["POST"]),
        Route("/{tenant}/oauth2/token", token, methods=["POST"]),
        Route("/{tenant}/v2.0/.well-known/openid-configuration", openid_configuration, methods=["GET"]),
        Route("/{tenant}/.well-known/openid-configuration", openid_configuration, methods=["GET"]),
        Route("/{tenant}/discovery/v2.0/keys", keys, methods=["GET"]),
        Route("/{tenant}/discovery/keys", keys, methods=["GET"]),
        Route("/_sandbox/oidc/token", external_assertion, methods=["POST"]),
    ]
