"""Transport failures (refused, unresolvable, TLS, timeouts) in plain words, with the endpoint named.

The libraries under o365-relay each wrap a socket error their own way: azure-core's
``ServiceRequestError`` around aiohttp's ``ClientConnectorError`` (token requests), httpx's
``TransportError`` (Graph and Exchange), ``smtplib`` and bare ``OSError`` (SMTP). :func:`transport_error`
turns any of them into a :class:`~o365relay.errors.TransientError` (exit 3) that says which endpoint
could not be reached and why, in one line; it imports none of those libraries (they are recognised by
their attributes and their cause chain), so the CLI can call it on any exception cheaply.
"""

from __future__ import annotations

import errno
import re
import socket
import ssl
from typing import Any

from o365relay.errors import TransientError

_HOST_PORT = re.compile(r"(?:Cannot connect to host|host) ([\w.:-]+:\d+)")
_NETWORK_ERRNOS = {errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ENETDOWN, errno.EHOSTDOWN,
                   errno.EADDRNOTAVAIL, errno.ECONNABORTED}
_TRANSPORT_TYPES = {
    # module prefix -> class names that mean "the request never got an answer"
    "azure.core.exceptions": {"ServiceRequestError", "ServiceResponseError", "ServiceRequestTimeoutError",
                              "ServiceResponseTimeoutError"},
    "aiohttp.client_exceptions": {"ClientConnectorError", "ClientConnectionError", "ServerDisconnectedError",
                                  "ClientOSError", "ServerTimeoutError", "ClientConnectorCertificateError",
                                  "ClientSSLError", "ClientConnectorSSLError"},
}


def _chain(exc: BaseException) -> list[BaseException]:
    """``exc`` and its causes (``__cause__``, ``__context__``, azure-core's ``inner_exception``)."""
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen and len(seen) < 20:
        seen.append(current)
        inner = getattr(current, "inner_exception", None)
        current = inner if isinstance(inner, BaseException) else (current.__cause__ or current.__context__)
    return seen


def is_transport_failure(exc: BaseException) -> bool:
    """True when ``exc`` means the endpoint could not be reached or stopped answering."""
    for link in _chain(exc):
        kind = type(link)
        if isinstance(link, ConnectionError | TimeoutError | ssl.SSLError | socket.gaierror | socket.herror):
            return True
        if isinstance(link, OSError) and link.errno in _NETWORK_ERRNOS:
            return True
        if any(kind.__module__.startswith(prefix) and kind.__name__ in names
               for prefix, names in _TRANSPORT_TYPES.items()):
            return True
        if kind.__module__.startswith("httpx") and _is_httpx_transport(kind):
            return True
        if kind.__module__ == "smtplib" and kind.__name__ in ("SMTPServerDisconnected", "SMTPConnectError"):
            return True
    return False


def _is_httpx_transport(kind: type) -> bool:
    return any(base.__name__ == "TransportError" for base in kind.__mro__)


def reason(exc: BaseException) -> str:
    """Why the connection failed, in a few words: "connection refused", "TLS: certificate verify failed"."""
    for link in reversed(_chain(exc)):  # the root cause says it best
        if isinstance(link, ssl.SSLCertVerificationError):
            return f"TLS: {link.verify_message or 'certificate verify failed'}"
        if isinstance(link, ssl.SSLError):
            return f"TLS: {link.reason or link}"
        if isinstance(link, ConnectionRefusedError):
            return "connection refused (is it running, and is the port right?)"
        if isinstance(link, socket.gaierror):
            return "the host name does not resolve"
        if isinstance(link, TimeoutError) or "Timeout" in type(link).__name__:
            return "timed out"
        if isinstance(link, ConnectionResetError) or "Disconnected" in type(link).__name__:
            return "the connection was closed by the other end"
        if isinstance(link, OSError) and link.strerror:
            return link.strerror.lower()
    return type(exc).__name__


def endpoint_of(exc: BaseException) -> str | None:
    """The host:port or URL the failing request was for, when the exception says."""
    for link in _chain(exc):
        request = _httpx_request(link)
        if request is not None:
            url = request.url
            return f"{url.scheme}://{url.host}{f':{url.port}' if url.port else ''}"
        host, port = getattr(link, "host", None), getattr(link, "port", None)
        if isinstance(host, str) and isinstance(port, int):
            return f"{host}:{port}"
        if m := _HOST_PORT.search(str(link)):
            return m.group(1)
    return None


def _httpx_request(link: BaseException) -> Any:
    if not type(link).__module__.startswith("httpx"):
        return None
    try:
        return getattr(link, "request", None)
    except RuntimeError:  # httpx raises when the error carries no request
        return None


def transport_error(exc: BaseException, what: str, endpoint: str | None = None) -> TransientError:
    """A TransientError for a transport failure: "cannot reach <what> at <endpoint>: <reason>"."""
    where = endpoint or endpoint_of(exc)
    at = f" at {where}" if where else ""
    return TransientError(f"cannot reach {what}{at}: {reason(exc)}")
