"""Read everything an audit compares, in bulk: few round trips, run concurrently.

Exchange: the tenant-wide list cmdlets (Send As grants among them: one list, not a read per mailbox
or trustee) and the per-mailbox permission reads (Get-MailboxPermission: Exchange has no tenant-wide
list of those) all go through ``$batch`` (10 commands a request; the client runs batches concurrently within Exchange's
concurrency limit). Graph: domains, the Exchange resource's service principal and every declared
user through ``$batch`` (20 requests each), then one paged list of who holds ``SMTP.SendAsApp``.
The Exchange and Graph sides run at the same time. A failed read is kept, with its reason, as a
failed :class:`~o365relay.audit.snapshot.Read`; nothing is raised for it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import quote

from o365relay import exchange_values as xv
from o365relay.audit.common import RowIndex, mailbox_keys
from o365relay.audit.snapshot import Read, Row, Snapshot, failed
from o365relay.errors import NotFound, TenantError
from o365relay.kinds.permissions import FULL_ACCESS, SEND_AS, Grant
from o365relay.reports.progress import Tick

EXCHANGE_RESOURCE_APP_ID = "00000002-0000-0ff1-ce00-000000000000"
SEND_AS_APP_ROLE = "SMTP.SendAsApp"
EXO_BATCH = 10
GRAPH_BATCH = 20

LIST_CMDLETS: dict[str, tuple[str, dict[str, Any]]] = {
    "connectors": ("Get-InboundConnector", {}),
    "transport_config": ("Get-TransportConfig", {}),
    "organization_config": ("Get-OrganizationConfig", {}),
    "exchange_service_principals": ("Get-ServicePrincipal", {}),
    "dkim_configs": ("Get-DkimSigningConfig", {}),
    "cas_mailboxes": ("Get-CASMailbox", {"ResultSize": "Unlimited"}),
    "outbound_connectors": ("Get-OutboundConnector", {}),
    "connection_filter": ("Get-HostedConnectionFilterPolicy", {"Identity": "Default"}),
    "send_as_grants": (f"Get-{SEND_AS.noun}", {**SEND_AS.query(None), "ResultSize": "Unlimited"}),
    "auth_policies": ("Get-AuthenticationPolicy", {}),
    "exchange_users": ("Get-User", {"ResultSize": "Unlimited"}),
}
SINGLETONS = {"transport_config", "organization_config", "connection_filter"}
LABELS = {"send_as_grants": "Get-RecipientPermission (every Send As grant)"}  # where the cmdlet alone is ambiguous

Progress = Callable[[int], None]  # called with the number of reads just completed


def _quiet(done: int) -> None:
    """The progress of a read nobody watches."""


class Exchange(Protocol):
    def invoke_batch(self, commands: Sequence[tuple[str, dict[str, Any]]]) -> Awaitable[list[Any]]: ...


class Graph(Protocol):
    def batch_get(self, urls: Sequence[str]) -> Awaitable[Sequence[Any]]: ...


@dataclass(frozen=True)
class ReadPlan:
    """Which per-object reads the spec needs: users for ``mailboxes`` (their Send As comes from the
    tenant-wide list), mailbox permissions (FullAccess and the rest) for the senders' own mailboxes."""

    mailboxes: tuple[str, ...]
    full_access_mailboxes: tuple[str, ...]

    @property
    def total(self) -> int:
        """Reads to report progress against."""
        return len(LIST_CMDLETS) + 3 + len(self.mailboxes) + len(self.full_access_mailboxes)


async def read_tenant(exo: Exchange, graph: Graph, plan: ReadPlan, progress: Progress | None = None) -> Snapshot:
    tick = progress or _quiet
    exchange, directory = await asyncio.gather(_read_exchange(exo, plan, tick), _read_graph(graph, plan, tick))
    lists, mailbox = exchange
    domains, holders, users, applications = directory
    return Snapshot(**lists, domains=domains, send_as_app_holders=holders, mailbox_permissions=mailbox, users=users,
                    applications=applications)


async def _chunked(run: Callable[[list[Any]], Any], items: list[Any], size: int, tick: Progress) -> list[Any]:
    """Run ``run`` over chunks of ``items`` concurrently; results line up with ``items``. A chunk whose
    request failed as a whole (e.g. no token, or still 503 after the retries) gives its error for each item."""
    async def one(chunk: list[Any]) -> list[Any]:
        try:
            out = list(await run(chunk))
        except TenantError as error:
            out = [error] * len(chunk)
        tick(len(chunk))
        return out

    chunks = [items[i:i + size] for i in range(0, len(items), size)]
    results = await asyncio.gather(*(one(c) for c in chunks))
    return [r for chunk in results for r in chunk]


async def _read_exchange(exo: Exchange, plan: ReadPlan, tick: Progress) -> tuple[
        dict[str, Read[Any]], dict[str, Read[list[Row]]]]:
    commands: list[tuple[str, dict[str, Any]]] = list(LIST_CMDLETS.values())
    commands += [(f"Get-{FULL_ACCESS.noun}", FULL_ACCESS.query(m)) for m in plan.full_access_mailboxes]
    results = await _chunked(exo.invoke_batch, commands, EXO_BATCH, tick)
    lists: dict[str, Read[Any]] = {}
    for (key, (cmdlet, _)), result in zip(LIST_CMDLETS.items(), results, strict=False):
        lists[key] = _list_read(LABELS.get(key, cmdlet), result, single=key in SINGLETONS)
    cas = lists["cas_mailboxes"]
    index = RowIndex(cas.value or [], mailbox_keys)
    mailbox = {m.lower(): _per_mailbox(f"Get-{FULL_ACCESS.noun}", m, r, cas, index)
               for m, r in zip(plan.full_access_mailboxes, results[len(LIST_CMDLETS):], strict=True)}
    return lists, mailbox


def _list_read(cmdlet: str, result: Any, single: bool) -> Read[Any]:
    if isinstance(result, BaseException):
        return failed(cmdlet, result)
    if not single:
        return Read(cmdlet, list(result))
    return Read(cmdlet, result[0]) if result else failed(cmdlet, "the tenant returned no object")


def every_address(cas: Read[list[Row]]) -> list[str]:
    """The primary address of every mailbox Get-CASMailbox listed."""
    return sorted({str(a) for row in cas.value or [] for a in mailbox_keys(row)[:1] if a})


async def read_every_mailbox(exo: Exchange, snap: Snapshot, progress: Progress | None = None) -> None:
    """Add Get-MailboxPermission of every mailbox not read yet to ``snap`` (Exchange has no tenant-wide list
    of mailbox permissions: one read a mailbox, in batches), so the declared senders' rights on mailboxes
    the spec does not name can be compared."""
    snap.every_mailbox = True
    if not snap.cas_mailboxes.ok:
        return  # which mailboxes exist is unknown: the comparison says so
    others = [m for m in every_address(snap.cas_mailboxes) if m.lower() not in snap.mailbox_permissions]
    if isinstance(progress, Tick):
        progress.expect(len(others))
    snap.mailbox_permissions.update(
        await read_per_mailbox(exo, FULL_ACCESS, others, snap.cas_mailboxes, progress))


async def read_per_mailbox(exo: Exchange, grant: Grant, mailboxes: Sequence[str], cas: Read[list[Row]],
                           progress: Progress | None = None) -> dict[str, Read[list[Row]]]:
    """The grants of one permission kind on each mailbox, in $batch requests of 10 run concurrently;
    keyed by lower-case address.

    ``cas`` (Get-CASMailbox) names each mailbox, so only the rows about it are kept."""
    cmdlet = f"Get-{grant.noun}"
    commands = [(cmdlet, grant.query(m)) for m in mailboxes]
    results = await _chunked(exo.invoke_batch, commands, EXO_BATCH, progress or _quiet)
    index = RowIndex(cas.value or [], mailbox_keys)
    return {m.lower(): _per_mailbox(cmdlet, m, r, cas, index) for m, r in zip(mailboxes, results, strict=True)}


def _per_mailbox(cmdlet: str, mailbox: str, result: Any, cas: Read[list[Row]], index: RowIndex) -> Read[list[Row]]:
    """The rows about ``mailbox`` only: an answer may hold rows for other mailboxes."""
    what = f"{cmdlet} {mailbox}"
    if isinstance(result, NotFound):
        return Read(what, [])  # no such mailbox: it holds no grants (the mailbox item says it is missing)
    if isinstance(result, BaseException):
        return failed(what, result)
    if not cas.ok:
        return failed(what, f"cannot tell which rows are this mailbox's, {cas.what} failed: {cas.error}")
    names = xv.mailbox_names(index.find(mailbox), mailbox)
    return Read(what, xv.rows_naming(result, names))


async def _read_graph(graph: Graph, plan: ReadPlan, tick: Progress) -> tuple[
        Read[list[Row]], Read[list[Row]], dict[str, Read[Row | None]], Read[dict[str, Row]]]:
    urls = ["/domains?$select=id,isVerified,isInitial,supportedServices",
            f"/servicePrincipals?$filter=appId eq '{EXCHANGE_RESOURCE_APP_ID}'&$select=id,appId,appRoles"]
    urls += [f"/users/{quote(m, safe='@')}?$select=id,userPrincipalName,mail,accountEnabled" for m in plan.mailboxes]
    results = await _chunked(graph.batch_get, urls, GRAPH_BATCH, tick)
    domains = await _paged(graph, "GET /domains", results[0])
    holders = await _holders(graph, results[1])
    tick(1)
    users = {m.lower(): _user(m, r) for m, r in zip(plan.mailboxes, results[2:], strict=True)}
    applications = (await read_applications(graph, holders.value or []) if holders.ok
                    else failed("applications of the SMTP.SendAsApp holders", holders.error or ""))
    return domains, holders, users, applications


async def read_applications(graph: Graph, holders: list[Row]) -> Read[dict[str, Row]]:
    """The application object behind each SMTP.SendAsApp holder, with its secrets, certificates and
    federated credentials (``fics``), keyed by the holder's principalId; three rounds, each one set of
    concurrent $batch requests (not one $batch after another: 450 holders are 23 of them)."""
    what = "applications of the SMTP.SendAsApp holders"

    async def get(urls: list[str]) -> list[Any]:
        return await _chunked(graph.batch_get, urls, GRAPH_BATCH, _quiet)

    ids = [str(h["principalId"]) for h in holders]
    principals = await get([f"/servicePrincipals/{i}?$select=id,appId,displayName" for i in ids])
    if error := _first_error(principals):
        return failed(what, error)
    app_ids = {i: p["appId"] for i, p in zip(ids, principals, strict=True)}
    found = await get([f"/applications?$filter=appId eq '{a}'"
                       "&$select=id,appId,displayName,passwordCredentials,keyCredentials" for a in app_ids.values()])
    if error := _first_error(found):
        return failed(what, error)
    apps = {i: page["value"][0] for i, page in zip(app_ids, found, strict=True) if page.get("value")}
    fics = await get([f"/applications/{a['id']}/federatedIdentityCredentials" for a in apps.values()])
    if error := _first_error(fics):
        return failed(what, error)
    for app, page in zip(apps.values(), fics, strict=True):
        app["fics"] = page.get("value", [])
    return Read(what, apps)


def _first_error(results: Sequence[Any]) -> BaseException | None:
    return next((r for r in results if isinstance(r, BaseException)), None)


def _user(mailbox: str, result: Any) -> Read[Row | None]:
    what = f"GET /users/{mailbox}"
    if isinstance(result, NotFound):
        return Read(what)  # no such user: the mailbox item says it is missing
    if isinstance(result, BaseException):
        return failed(what, result)
    return Read(what, result)


async def _paged(graph: Graph, what: str, first: Any) -> Read[list[Row]]:
    """All items of a Graph collection, following ``@odata.nextLink`` one page at a time."""
    rows: list[Row] = []
    page = first
    while True:
        if isinstance(page, BaseException):
            return failed(what, page)
        rows += page.get("value", [])
        link = page.get("@odata.nextLink")
        if not link:
            return Read(what, rows)
        [page] = await _chunked(graph.batch_get, [_relative(link)], GRAPH_BATCH, _quiet)


def _relative(link: str) -> str:
    """``https://host/v1.0/servicePrincipals/...`` -> ``/servicePrincipals/...`` (what $batch takes)."""
    marker = "/v1.0/"
    return "/" + link.split(marker, 1)[1] if marker in link else link


async def _holders(graph: Graph, resource: Any) -> Read[list[Row]]:
    """Principals holding SMTP.SendAsApp on Office 365 Exchange Online."""
    what = "GET /servicePrincipals/{Exchange}/appRoleAssignedTo"
    found = await _paged(graph, what, resource)  # the Exchange resource's service principal
    if not found.ok:
        return found
    if not found.value:
        return Read(what, [])  # Exchange Online is not in the directory: nobody can hold its roles
    sp = found.value[0]
    role_ids = {r.get("id") for r in sp.get("appRoles", []) if r.get("value") == SEND_AS_APP_ROLE}
    [first] = await _chunked(graph.batch_get, [f"/servicePrincipals/{sp['id']}/appRoleAssignedTo?$top=999"],
                             GRAPH_BATCH, _quiet)
    assigned = await _paged(graph, what, first)
    if not assigned.ok:
        return assigned
    return Read(what, [a for a in assigned.value or [] if a.get("appRoleId") in role_ids])
