"""Translate msgraph-sdk / kiota / transport failures into :mod:`o365relay.errors`.

Each GraphClient method names the least-privileged application permission it needs, so a 403
becomes a PermissionDenied whose fix says exactly what to grant.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any, ParamSpec, TypeVar

import httpx

from o365relay.errors import (
    AuthError,
    Conflict,
    LicenceRequired,
    NotFound,
    PermissionDenied,
    RelayError,
    TenantError,
    Throttled,
    TransientError,
)
from o365relay.netfail import is_transport_failure, transport_error

P = ParamSpec("P")
# Graph's answer when the tenant lacks Microsoft Entra ID P1/P2 for sign-in logs (and other reports).
NO_PREMIUM_LICENCE = "Authentication_RequestFromNonPremiumTenantOrB2CTenant"
R = TypeVar("R")


def permission_fix(permission: str) -> str:
    return (f"grant the deploying app the Microsoft Graph application permission {permission} "
            "and grant admin consent (Entra ID > App registrations > API permissions)")


def translate(status: int | None, code: str, message: str, what: str, permission: str) -> TenantError:
    """One Graph error (status, OData error code and message) as the matching TenantError."""
    text = f"{what}: {message or code or 'no message'}" + (f" ({code})" if code and message else "")
    lowered = message.lower()
    if status == 401:
        return AuthError(f"{text}; the token was refused")
    if status == 403 and code == NO_PREMIUM_LICENCE:
        return LicenceRequired(f"{text}; reading sign-in logs through Graph needs Microsoft Entra ID P1 or P2")
    if status == 403:
        return PermissionDenied(text, fix=permission_fix(permission))
    if status == 404 or code in ("Request_ResourceNotFound", "ResourceNotFound"):
        return NotFound(text)
    if status == 409 or "already exists" in lowered or code == "Request_MultipleObjectsWithSameKeyValue":
        return Conflict(text)
    if status == 429:
        return Throttled(f"{text} (still throttled after retries)")
    if status is not None and status >= 500:
        return TransientError(text)
    return TenantError(text)


def translate_body(status: int, body: Any, what: str, permission: str) -> TenantError:
    """A ``$batch`` sub-response's error body as a TenantError."""
    error = body.get("error") if isinstance(body, dict) else None
    error = error if isinstance(error, dict) else {}
    return translate(status, str(error.get("code") or ""), str(error.get("message") or ""), what, permission)


def translate_exception(exc: Exception, what: str, permission: str) -> RelayError | None:
    """The TenantError for an exception msgraph-sdk raised, or None if it is not a tenant failure."""
    from azure.core.exceptions import ClientAuthenticationError
    from kiota_abstractions.api_error import APIError

    from o365relay.tenant.credentials import auth_error

    if isinstance(exc, RelayError):
        return exc
    if isinstance(exc, ClientAuthenticationError):
        return auth_error(exc, "Microsoft Graph")
    if isinstance(exc, httpx.TransportError):
        return transport_error(exc, f"Microsoft Graph ({what})")
    if is_transport_failure(exc):  # the token request under msgraph-sdk's auth provider
        return transport_error(exc, "the sign-in endpoint")
    if isinstance(exc, APIError):
        error = getattr(exc, "error", None)
        code = str(getattr(error, "code", "") or "")
        message = str(getattr(error, "message", "") or "") or (exc.message or "")
        return translate(exc.response_status_code, code, message, what, permission)
    return None


def graph_call(permission: str, name: str | None = None
               ) -> Callable[[Callable[P, Awaitable[R]]], Callable[P, Awaitable[R]]]:
    """Decorate a GraphClient method (or a step inside one, given ``name``): failures become
    o365relay.errors naming ``permission``."""

    def decorate(method: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
        what = name or method.__name__

        @functools.wraps(method)
        async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return await method(*args, **kwargs)
            except Exception as exc:
                translated = translate_exception(exc, what, permission)
                if translated is None or translated is exc:
                    raise
                raise translated from None

        wrapper.permission = permission  # type: ignore[attr-defined]
        return wrapper

    return decorate
