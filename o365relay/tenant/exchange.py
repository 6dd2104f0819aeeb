"""Exchange Online admin client: cmdlets over the (undocumented) ``adminapi/beta`` InvokeCommand REST
endpoint and its ``$batch``, with the service's quirks handled in one place.

    async with ExchangeClient(Endpoints.from_env()) as exo:
        rows = await exo.invoke("Get-InboundConnector")
        conn = await exo.get_by_identity("Get-InboundConnector", "Relay")   # None if absent

Quirks (the facts and their sources: docs/exchange-admin-endpoint.md):

- A ``Get-*`` with an identity that does not exist may return *every* object: :meth:`get_by_identity`
  filters client-side.
- Pages are followed through ``@odata.nextLink``. ``@adminapi.warnings`` are kept on
  :attr:`ExchangeResult.warnings`; one saying the result was truncated ("more results available",
  with no next link) makes the read fail with :class:`~o365relay.errors.IncompleteRead`: rows on
  the unseen part must be *unknown*, never missing. Other warnings (Set-*'s "no settings of ...
  have been modified", Add-*'s "already present") are not truncation.
- Errors: the real text is ``innererror.internalexception.message`` (keys in any letter case), else
  ``details[].message`` (``id|type|text``), else ``error.message``. A missing RBAC role is a 403
  whose body is NUL bytes. A 2xx with an empty body is success with no rows; a 2xx whose body cannot
  be decoded is a TransientError (its rows are unknown).
- Retries (429, the plain-text concurrency reply, 503, Retry-After) are :mod:`o365relay.tenant.retry`'s;
  ``Get-*``/``Test-*`` cmdlets are repeatable, other cmdlets only when the caller says ``idempotent``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx

from o365relay.errors import (
    AuthError,
    Conflict,
    IncompleteRead,
    NotFound,
    PermissionDenied,
    TenantError,
    Throttled,
    TransientError,
)
from o365relay.kinds import accepted_domain
from o365relay.kinds.service_principal import SERVICE_PRINCIPAL
from o365relay.netfail import transport_error
from o365relay.tenant.credentials import bearer_token, credential_for
from o365relay.tenant.retry import (
    DEFAULT_POLICY,
    IDEMPOTENT,
    RetryPolicy,
    RetryTransport,
    SubResponse,
    create_or_recover,
    is_concurrency_reply,
)
from o365relay.tenant.settings import Endpoints
from o365relay.tenant.token_cache import TokenCache

if TYPE_CHECKING:
    from azure.core.credentials_async import AsyncTokenCredential

log = logging.getLogger(__name__)

SYSTEM_MAILBOX = "SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}"
BATCH_SIZE = 10
ROLE_FIX = ("assign the Exchange Administrator role (or a custom Exchange role group holding the roles "
            "this cmdlet needs) to the deploying app's service principal in Entra ID, and grant it the "
            "Office 365 Exchange Online application permission Exchange.ManageAsApp with admin consent")
# The warnings Exchange gives when it returned fewer rows than exist (Get-* with a ResultSize cap).
TRUNCATION = re.compile(r"more results|only the first \d+ items|\bResultSize\b|truncat", re.IGNORECASE)
# Fields an Exchange object may be named by, in the order get_by_identity compares them.
IDENTITY_FIELDS = ("Identity", "Name", "Id", "Guid", "ExchangeObjectId", *SERVICE_PRINCIPAL.identity_fields(),
                   "PrimarySmtpAddress", "UserPrincipalName", accepted_domain.DOMAIN)


class ExchangeResult(list[dict[str, Any]]):
    """The rows a cmdlet returned; ``warnings`` holds ``@adminapi.warnings`` (possible truncation)."""

    warnings: list[str]

    def __init__(self, rows: Sequence[dict[str, Any]] = (), warnings: Sequence[str] = ()):
        super().__init__(rows)
        self.warnings = list(warnings)


def is_read(cmdlet: str) -> bool:
    """Get-/Test- cmdlets change nothing, so repeating them is always safe."""
    return cmdlet.lower().startswith(("get-", "test-"))


class ExchangeClient:
    """Async client for one tenant's Exchange admin endpoint; use as ``async with``.

    ``credential`` defaults to :func:`~o365relay.tenant.credentials.credential_for` (built on enter,
    closed on exit). ``concurrency`` caps requests in flight (Exchange throttles per tenant).
    ``transport`` replaces the network (tests); it is wrapped in the retry policy either way.
    """

    def __init__(self, endpoints: Endpoints, credential: AsyncTokenCredential | None = None, *,
                 policy: RetryPolicy = DEFAULT_POLICY, transport: httpx.AsyncBaseTransport | None = None,
                 concurrency: int = 3, timeout: float = 120.0):
        self.endpoints = endpoints
        self._credential = TokenCache.of(credential) if credential is not None else None
        self._owns_credential = credential is None
        self._policy = policy
        inner = transport or httpx.AsyncHTTPTransport(verify=endpoints.ssl_context())
        self._http = httpx.AsyncClient(transport=RetryTransport(inner, policy), timeout=timeout)
        self._slots = asyncio.Semaphore(concurrency)
        base = f"{endpoints.exchange_base}/adminapi/beta/{endpoints.tenant_id}"
        self.invoke_url = f"{base}/InvokeCommand"
        self.batch_url = f"{base}/$batch"

    def __getstate__(self) -> Any:
        raise TypeError("ExchangeClient holds a credential and is never pickled; build one where needed")

    async def __aenter__(self) -> ExchangeClient:
        if self._credential is None:
            self._credential = TokenCache(credential_for(self.endpoints))
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()
        if self._owns_credential and self._credential is not None:
            await self._credential.aclose()
            self._credential = None

    # -- public API -------------------------------------------------------------------------------

    async def invoke(self, cmdlet: str, parameters: dict[str, Any] | None = None, *,
                     idempotent: bool | None = None) -> ExchangeResult:
        """Run one cmdlet and return every row (all pages). Raises a TenantError subclass.

        ``idempotent`` says the cmdlet may be repeated after an ambiguous failure (default: only
        Get-/Test- cmdlets); a Set-* with absolute values usually is, a New-* never is.
        """
        body = command_body(cmdlet, parameters)
        safe = is_read(cmdlet) if idempotent is None else idempotent
        data = await self._post(self.invoke_url, body, safe, cmdlet)
        return await self._collect(cmdlet, body, data)

    async def invoke_batch(self, commands: Sequence[tuple[str, dict[str, Any]]], *,
                           idempotent: bool = False) -> list[list[dict[str, Any]] | TenantError]:
        """Run many cmdlets through ``$batch`` (10 a batch, batches concurrent within the limit).

        Results line up with ``commands``; a failed command's slot holds its TenantError (nothing is
        raised for one command's failure). Throttled sub-requests are resent on their own.
        """
        chunks = [list(range(i, min(i + BATCH_SIZE, len(commands))))
                  for i in range(0, len(commands), BATCH_SIZE)]
        results: list[list[dict[str, Any]] | TenantError] = [[] for _ in commands]

        async def run(chunk: list[int]) -> None:
            safe = {i: idempotent or is_read(commands[i][0]) for i in chunk}
            try:
                subs = await self._policy.run_batch(lambda keys: self._send_batch(commands, keys, safe),
                                                    chunk, safe.__getitem__)
            except TenantError as exc:
                for i in chunk:
                    results[i] = exc
                return
            for i in chunk:
                results[i] = await self._sub_result(commands[i], subs[i])

        await asyncio.gather(*(run(chunk) for chunk in chunks))
        return results

    async def get_by_identity(self, cmdlet: str, identity: str, key: str = "Identity",
                              fields: Sequence[str] = IDENTITY_FIELDS) -> dict[str, Any] | None:
        """The one object ``cmdlet`` returns for ``identity``, or None if there is none.

        Filters client-side on ``fields`` (case-insensitively), because a Get-* with an unknown
        identity may answer with every object instead of an error.
        """
        try:
            rows = await self.invoke(cmdlet, {key: identity})
        except NotFound:
            return None
        wanted = identity.casefold()
        matches = [r for r in rows if any(str(r.get(f, "")).casefold() == wanted for f in fields)]
        if len(matches) > 1:
            raise Conflict(f"{cmdlet} -{key} {identity!r} matches {len(matches)} objects; "
                           "use a unique identity")
        return matches[0] if matches else None

    async def create(self, cmdlet: str, parameters: dict[str, Any], *, get_cmdlet: str,
                     identity: str, key: str = "Identity") -> dict[str, Any]:
        """Run a New-*/Add-* cmdlet once, safely: after an ambiguous failure (connection dropped
        after sending) it reads back with ``get_cmdlet`` before trying again. Returns the object."""

        async def make() -> dict[str, Any]:
            rows = await self.invoke(cmdlet, parameters)
            return rows[0] if rows else await find_or_fail()

        async def find() -> dict[str, Any] | None:
            return await self.get_by_identity(get_cmdlet, identity, key)

        async def find_or_fail() -> dict[str, Any]:
            found = await find()
            if found is None:
                raise NotFound(f"{cmdlet} returned nothing and {get_cmdlet} cannot find {identity!r}")
            return found

        return await create_or_recover(make, find, self._policy)

    # -- HTTP -------------------------------------------------------------------------------------

    async def _headers(self) -> dict[str, str]:
        if self._credential is None:
            raise TenantError("ExchangeClient used outside `async with`")
        token = await bearer_token(self._credential, self.endpoints.exchange_scope)
        return {"Authorization": f"Bearer {token}", "Accept": "application/json",
                "X-AnchorMailbox": f"APP:{SYSTEM_MAILBOX}@{self.endpoints.tenant_id}",
                "Prefer": "odata.maxpagesize=1000"}

    async def _post(self, url: str, body: dict[str, Any], safe: bool, what: str) -> Any:
        headers = await self._headers()
        async with self._slots:
            request = self._http.build_request("POST", url, json=body, headers=headers,
                                               extensions={IDEMPOTENT: safe})
            try:
                response = await self._http.send(request, stream=True)
            except httpx.TransportError as exc:
                raise transport_error(exc, f"the Exchange admin endpoint ({what})") from None
            try:
                raw = await response.aread()
            except httpx.DecodingError:
                # The 403 of NUL bytes "in gzip" is judged by its status; an undecodable 2xx must not
                # read as "no rows" (what it held is unknown, not missing).
                if response.status_code < 400:
                    raise TransientError(f"{what}: the Exchange admin endpoint answered with a body it "
                                         "could not decode") from None
                raw = b""
            finally:
                await response.aclose()
        if response.status_code >= 400:
            raise translate_error(response.status_code, raw, what)
        if not raw.strip():
            return {}  # a cmdlet that returns nothing (Remove-*) may answer 2xx with no body at all
        try:
            return response.json()
        except ValueError:
            raise TransientError(f"{what}: the Exchange admin endpoint answered with non-JSON") from None

    async def _collect(self, cmdlet: str, body: dict[str, Any], data: Any) -> ExchangeResult:
        rows: list[dict[str, Any]] = []
        warnings: list[str] = []
        while True:
            rows.extend(data.get("value") or [])
            warnings.extend(data.get("@adminapi.warnings") or [])
            next_link = data.get("@odata.nextLink")
            if not next_link:
                break
            self._check_same_origin(next_link, cmdlet)
            data = await self._post(next_link, body, True, cmdlet)
        truncated = [w for w in warnings if TRUNCATION.search(str(w))]
        if truncated and is_read(cmdlet):
            raise IncompleteRead(f"{cmdlet}: Exchange returned part of the result only ({truncated[0]}); "
                                 "what it left out is unknown")
        if warnings:
            log.info("%s returned warnings: %s", cmdlet, "; ".join(map(str, warnings)))
        return ExchangeResult(rows, warnings)

    def _check_same_origin(self, url: str, cmdlet: str) -> None:
        """The token only ever goes to the Exchange base it was issued for."""
        ours, theirs = urlsplit(self.endpoints.exchange_base), urlsplit(url)
        if (theirs.scheme, theirs.netloc) != (ours.scheme, ours.netloc):
            raise TenantError(f"{cmdlet}: the next-page link points at {theirs.netloc}, "
                              "not the Exchange endpoint")

    async def _send_batch(self, commands: Sequence[tuple[str, dict[str, Any]]], keys: list[int],
                          safe: dict[int, bool]) -> dict[int, SubResponse]:
        requests = [{"id": str(i), "method": "POST", "url": self.invoke_url,
                     "headers": {"Content-Type": "application/json"},
                     "body": command_body(*commands[i])} for i in keys]
        data = await self._post(self.batch_url, {"requests": requests}, all(safe[i] for i in keys), "$batch")
        subs = {int(r["id"]): SubResponse(int(r.get("status", 500)),
                                          {k.lower(): v for k, v in (r.get("headers") or {}).items()},
                                          r.get("body")) for r in data.get("responses", [])}
        missing = SubResponse(500, {}, {"error": {"message": "no response for this command in the $batch"}})
        return {i: subs.get(i, missing) for i in keys}

    async def _sub_result(self, command: tuple[str, dict[str, Any]],
                          sub: SubResponse) -> list[dict[str, Any]] | TenantError:
        cmdlet = command[0]
        if sub.status >= 400:
            raw = sub.body.encode() if isinstance(sub.body, str) else _json_bytes(sub.body)
            return translate_error(sub.status, raw, cmdlet)
        try:
            return await self._collect(cmdlet, command_body(*command), sub.body or {})
        except TenantError as exc:
            return exc


def command_body(cmdlet: str, parameters: dict[str, Any] | None) -> dict[str, Any]:
    """InvokeCommand's body; parameters are ``{}`` when none (``null`` is a different request)."""
    return {"CmdletInput": {"CmdletName": cmdlet, "Parameters": dict(parameters or {})}}


def translate_error(status: int, raw: bytes, cmdlet: str) -> TenantError:
    """Turn an error reply into the o365relay.errors exception a caller can act on."""
    if status == 401:
        return AuthError(f"{cmdlet}: the Exchange admin endpoint refused the token (HTTP 401); the deploying "
                         "app needs Exchange.ManageAsApp (Office 365 Exchange Online) with admin consent")
    text = raw.decode("utf-8", "replace")
    if is_concurrency_reply(text):
        return Throttled(f"{cmdlet}: Exchange is still throttling after retries: {text.strip()}")
    error = _error_object(text)
    if error is None:
        if status == 403:
            return PermissionDenied(f"{cmdlet}: the app lacks an Exchange role (HTTP 403, empty body)",
                                    fix=ROLE_FIX)
        return _by_status(status, f"{cmdlet}: HTTP {status} with a non-JSON body")
    etype, message = error_text(error)
    full = f"{cmdlet}: {message}"
    if "ManagementObjectNotFoundException" in etype or "couldn't be found" in message:
        return NotFound(full)
    if "already exists" in message.lower() or "AlreadyExists" in etype:
        return Conflict(full)
    if status == 403 or "AccessDenied" in etype:
        return PermissionDenied(full, fix=ROLE_FIX)
    return _by_status(status, full)


def error_text(error: dict[str, Any]) -> tuple[str, str]:
    """(exception type, human text), preferring internalexception, then details ``id|type|text``.

    Keys are matched in any letter case (``innererror`` and ``innerError`` are both seen)."""
    inner = _key(_key(error, "innererror"), "internalexception")
    details = [str(_key(d, "message") or "") for d in _key(error, "details") or [] if isinstance(d, dict)]
    parts = details[0].split("|", 2) if details else [""]
    detail_type, detail_text = (parts[1], parts[2]) if len(parts) == 3 else ("", parts[0])
    etype = str(_key(inner, "type") or detail_type or _key(error, "code") or "")
    message = str(_key(inner, "message") or detail_text or _key(error, "message") or "unknown error")
    return etype, message.strip()


def _key(obj: Any, name: str) -> Any:
    """``obj[name]`` with the key in any letter case; None when absent or ``obj`` is no object."""
    if not isinstance(obj, dict):
        return None
    return next((v for k, v in obj.items() if isinstance(k, str) and k.lower() == name), None)


def _error_object(text: str) -> dict[str, Any] | None:
    try:
        doc = json.loads(text)
    except ValueError:
        return None
    error = _key(doc, "error")
    return error if isinstance(error, dict) else None


def _by_status(status: int, message: str) -> TenantError:
    if status == 429:
        return Throttled(f"{message} (still throttled after retries)")
    if status >= 500:
        return TransientError(message)
    return TenantError(message)


def _json_bytes(value: Any) -> bytes:
    return json.dumps(value).encode()
