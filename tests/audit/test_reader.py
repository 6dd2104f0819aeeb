"""The audit's bulk reads (o365relay.audit.reader) against the sandbox: what each read is called, what it
holds, how a failed or paged read is kept, and the progress reported while reading."""

from __future__ import annotations

import asyncio
import dataclasses
import io
import random
from typing import Any

import yaml
from audit_helpers import SEEDS
from rich.console import Console
from rich.progress import Progress

from o365relay.audit.reader import (
    EXCHANGE_RESOURCE_APP_ID,
    ReadPlan,
    _list_read,
    read_applications,
    read_every_mailbox,
    read_per_mailbox,
    read_tenant,
)
from o365relay.audit.snapshot import Read, Snapshot, failed
from o365relay.kinds.permissions import FULL_ACCESS
from o365relay.reports.progress import Tick
from o365relay.sandbox import store as st
from o365relay.sandbox.faults import FaultPlan
from o365relay.tenant.exchange import ExchangeClient
from o365relay.tenant.graph import GraphClient
from o365relay.tenant.retry import RetryPolicy

ONCE = RetryPolicy(max_attempts=1)  # a failed request fails at once: no retries to wait for
SENDERS = ("ERP@Contoso.com", "ghost@contoso.com")  # as a spec may write them; ghost has no mailbox
UNAVAILABLE = "$batch: The service is temporarily unavailable."  # Exchange's 503 to the whole $batch
# Graph's 503 to the whole $batch, as the SDK words it
GRAPH_UNAVAILABLE = ("batch_get: The server returned an unexpected status code and no error class is registered "
                     "for this code 503")
ERP, ALERTS = "o365-relay erp-mailer", "o365-relay monitoring-alerts"


class Bar:
    """A real progress bar (drawn into a string) and the Tick the readers report to."""

    def __init__(self, total: int):
        self.progress = Progress(console=Console(file=io.StringIO()))
        self.tick = Tick(self.progress, self.progress.add_task("reading", total=total))

    @property
    def state(self) -> tuple[float, float | None]:
        task = self.progress.tasks[0]
        return task.completed, task.total


def read(sandbox: Any, plan: ReadPlan, progress: Any = None, every_mailbox_faults: FaultPlan | None = None,
         graph_policy: RetryPolicy | None = None, exchange_policy: RetryPolicy | None = None) -> Snapshot:
    """read_tenant (then read_every_mailbox, under ``every_mailbox_faults`` if given) with the sandbox's clients."""

    async def go() -> Snapshot:
        async with ExchangeClient(sandbox.endpoints(), policy=exchange_policy or ONCE) as exo, \
                GraphClient(sandbox.endpoints(), policy=graph_policy or ONCE) as graph:
            snap = await read_tenant(exo, graph, plan, progress)
            if every_mailbox_faults is not None:
                sandbox.set_faults(every_mailbox_faults)
                await read_every_mailbox(exo, snap, progress)
            return snap

    return asyncio.run(go())


def reads(snap: Snapshot) -> dict[str, Read[Any]]:
    return {f.name: getattr(snap, f.name) for f in dataclasses.fields(snap) if isinstance(getattr(snap, f.name), Read)}


def exchange_calls(sandbox: Any, cmdlet: str) -> list[list[str]]:
    """The parameter names of every call of ``cmdlet`` the sandbox's Exchange received."""
    entries = [e for e in sandbox.ctx.requests.entries() if e["path"].startswith("/adminapi/")]
    return [params for e in entries for name, params in zip(e["cmdlets"], e["parameters"], strict=True)
            if name == cmdlet]


def test_each_read_is_named_for_what_it_asked_and_per_mailbox_reads_are_keyed_by_lower_case_address(tenant):
    sandbox = tenant(SEEDS / "applied.yaml")
    sandbox.ctx.requests.clear()
    snap = read(sandbox, ReadPlan(SENDERS, SENDERS))
    assert {name: r.what for name, r in reads(snap).items()} == {
        "connectors": "Get-InboundConnector",
        "transport_config": "Get-TransportConfig",
        "organization_config": "Get-OrganizationConfig",
        "exchange_service_principals": "Get-ServicePrincipal",
        "dkim_configs": "Get-DkimSigningConfig",
        "cas_mailboxes": "Get-CASMailbox",
        "domains": "GET /domains",
        "send_as_app_holders": "GET /servicePrincipals/{Exchange}/appRoleAssignedTo",
        "outbound_connectors": "Get-OutboundConnector",
        "applications": "applications of the SMTP.SendAsApp holders",
        "connection_filter": "Get-HostedConnectionFilterPolicy",
        "send_as_grants": "Get-RecipientPermission (every Send As grant)",
        "auth_policies": "Get-AuthenticationPolicy",
        "exchange_users": "Get-User",
    }
    assert all(r.ok for r in reads(snap).values())
    # the three singletons are the one object the tenant has, the lists are lists
    assert snap.transport_config.value["SmtpClientAuthenticationDisabled"] is True
    assert snap.organization_config.value["RejectDirectSend"] is True
    assert snap.connection_filter.value["Identity"] == "Default"
    assert [c["Identity"] for c in snap.connectors.value] == ["dc1-relay"]
    assert snap.outbound_connectors.value == []
    assert {d["id"] for d in snap.domains.value} == {"contoso.onmicrosoft.com", "contoso.com", "notify.contoso.com"}

    assert set(snap.mailbox_permissions) == set(snap.users) == {"erp@contoso.com", "ghost@contoso.com"}
    erp = snap.mailbox_permissions["erp@contoso.com"]
    assert (erp.what, erp.error) == ("Get-MailboxPermission ERP@Contoso.com", None)
    assert {(r["Identity"], r["User"]) for r in erp.value} == {
        ("erp", "NT AUTHORITY\\SELF"), ("erp", principal_id(sandbox, ERP))}
    assert snap.mailbox_permissions["ghost@contoso.com"] == Read("Get-MailboxPermission ghost@contoso.com", [])
    # one Get-MailboxPermission per sender, each naming its mailbox
    assert exchange_calls(sandbox, "Get-MailboxPermission") == [["Identity"], ["Identity"]]
    user = snap.users["erp@contoso.com"]
    assert (user.what, user.error, user.value["userPrincipalName"]) == ("GET /users/ERP@Contoso.com", None,
                                                                        "erp@contoso.com")
    assert snap.users["ghost@contoso.com"] == Read("GET /users/ghost@contoso.com", None)


def principal_id(sandbox: Any, name: str) -> str:
    [sp] = [sp for sp in sandbox.store.list(st.SERVICE_PRINCIPAL) if sp["displayName"] == name]
    return str(sp["id"])


def test_only_smtp_send_as_app_holders_are_read_with_their_applications(tenant):
    """The deployer holds another Exchange role (Exchange.ManageAsApp): it is no SMTP.SendAsApp holder."""
    sandbox = tenant(SEEDS / "applied.yaml")
    snap = read(sandbox, ReadPlan((), ()))
    holders = {h["principalDisplayName"]: h["principalId"] for h in snap.send_as_app_holders.value}
    assert holders == {ERP: principal_id(sandbox, ERP), ALERTS: principal_id(sandbox, ALERTS)}
    apps = snap.applications.value
    assert {holder: (app["displayName"], app["fics"]) for holder, app in apps.items()} == {
        holders[ERP]: (ERP, []), holders[ALERTS]: (ALERTS, [])}


def test_progress_counts_every_read_once(tenant):
    sandbox = tenant(SEEDS / "sender-access.yaml")
    plan = ReadPlan(SENDERS, SENDERS)
    bar = Bar(plan.total)
    snap = read(sandbox, plan, bar.tick, every_mailbox_faults=FaultPlan())
    mailboxes = {u["mail"] for u in sandbox.store.list(st.USER) if u["xHasMailbox"]}
    others = len(mailboxes - {"erp@contoso.com"})
    # every mailbox's permissions read once: the senders' with the tenant, the others' after
    assert set(snap.mailbox_permissions) == mailboxes | {"ghost@contoso.com"}
    assert exchange_calls(sandbox, "Get-MailboxPermission") == [["Identity"]] * (len(SENDERS) + others)
    assert bar.state == (plan.total + others, plan.total + others)
    assert snap.every_mailbox is True


def test_every_mailbox_reads_each_mailbox_by_its_primary_address(tenant):
    """A mailbox whose sign-in name differs from its address is read once, under its address."""
    sandbox = tenant(SEEDS / "applied.yaml")
    [user] = sandbox.store.list(st.USER, userPrincipalName="scanner3@contoso.com")
    sandbox.store.update(st.USER, user["id"], {"mail": "scanner@contoso.com"})
    snap = read(sandbox, ReadPlan((), ()), every_mailbox_faults=FaultPlan())
    mailboxes = {u["mail"] for u in sandbox.store.list(st.USER) if u["xHasMailbox"]}
    assert "scanner@contoso.com" in mailboxes and "scanner3@contoso.com" not in mailboxes
    assert set(snap.mailbox_permissions) == mailboxes
    scanner = snap.mailbox_permissions["scanner@contoso.com"]
    assert scanner.what == "Get-MailboxPermission scanner@contoso.com"
    assert {r["Identity"] for r in scanner.value} == {"scanner3"}


def test_a_failed_cmdlet_fails_its_read_with_the_tenants_reason(tenant):
    sandbox = tenant(SEEDS / "no-exchange-role.yaml")
    snap = read(sandbox, ReadPlan(SENDERS, SENDERS))
    failures = {r.what: r.error for r in reads(snap).values() if not r.ok}
    failures |= {r.what: r.error for r in snap.mailbox_permissions.values() if not r.ok}
    assert set(failures) == {
        "Get-InboundConnector", "Get-TransportConfig", "Get-OrganizationConfig", "Get-ServicePrincipal",
        "Get-DkimSigningConfig", "Get-CASMailbox", "Get-OutboundConnector", "Get-HostedConnectionFilterPolicy",
        "Get-RecipientPermission (every Send As grant)", "Get-AuthenticationPolicy", "Get-User",
        "Get-MailboxPermission ERP@Contoso.com", "Get-MailboxPermission ghost@contoso.com"}
    for what, error in failures.items():  # the reason Exchange gave for the cmdlet, whatever it was asked
        assert error.startswith(f"{what.split()[0]}: the app lacks an Exchange role (HTTP 403, empty body)"), error
    assert snap.domains.ok and snap.send_as_app_holders.ok and snap.applications.ok


def test_a_singleton_the_tenant_answers_with_nothing_is_a_failed_read():
    """Get-TransportConfig and the like answer with one object; none at all is no answer (unknown, not absent)."""
    assert _list_read("Get-TransportConfig", [], single=True) == Read("Get-TransportConfig", None,
                                                                     "the tenant returned no object")
    assert _list_read("Get-InboundConnector", [], single=False) == Read("Get-InboundConnector", [])


def test_when_the_exchange_endpoint_fails_as_a_whole_every_exchange_read_fails_with_its_reason(tenant):
    sandbox = tenant(SEEDS / "applied.yaml")
    sandbox.set_faults(FaultPlan(unavailable=1.0, paths=("/adminapi/",)))
    snap = read(sandbox, ReadPlan(SENDERS, SENDERS))
    exchange = [r for name, r in reads(snap).items() if r.what.startswith("Get-")]
    exchange += list(snap.mailbox_permissions.values())
    assert len(exchange) == 13
    assert {(r.value, r.error) for r in exchange} == {(None, UNAVAILABLE)}
    assert snap.domains.ok and snap.applications.ok and all(u.ok for u in snap.users.values())


def test_when_graphs_batch_endpoint_fails_as_a_whole_every_graph_read_fails_with_its_reason(tenant):
    sandbox = tenant(SEEDS / "applied.yaml")
    sandbox.set_faults(FaultPlan(unavailable=1.0, paths=("/v1.0/$batch",)))
    snap = read(sandbox, ReadPlan(SENDERS, SENDERS))
    error = GRAPH_UNAVAILABLE
    assert snap.domains == Read("GET /domains", None, error)
    assert snap.send_as_app_holders == Read("GET /servicePrincipals/{Exchange}/appRoleAssignedTo", None, error)
    assert snap.applications == Read("applications of the SMTP.SendAsApp holders", None, error)
    assert snap.users == {"erp@contoso.com": Read("GET /users/ERP@Contoso.com", None, error),
                          "ghost@contoso.com": Read("GET /users/ghost@contoso.com", None, error)}
    assert snap.cas_mailboxes.ok and snap.mailbox_permissions["erp@contoso.com"].ok


def test_when_the_every_mailbox_reads_fail_each_mailbox_read_says_why(tenant):
    sandbox = tenant(SEEDS / "applied.yaml")
    snap = read(sandbox, ReadPlan(SENDERS, SENDERS),
                every_mailbox_faults=FaultPlan(unavailable=1.0, paths=("/adminapi/",)))
    others = {m: r for m, r in snap.mailbox_permissions.items() if m not in {"erp@contoso.com", "ghost@contoso.com"}}
    assert "invoices@contoso.com" in others
    assert {(r.what, r.value) for r in others.values()} == {(f"Get-MailboxPermission {m}", None) for m in others}
    assert {r.error for r in others.values()} == {UNAVAILABLE}
    assert snap.mailbox_permissions["erp@contoso.com"].ok  # read before the fault


def test_a_mailbox_read_is_unknown_when_the_mailbox_list_failed(tenant):
    """Which of an answer's rows are the mailbox's is told from Get-CASMailbox; without it they are not guessed."""
    sandbox = tenant(SEEDS / "applied.yaml")

    async def go() -> dict[str, Read[Any]]:
        async with ExchangeClient(sandbox.endpoints(), policy=ONCE) as exo:
            return await read_per_mailbox(exo, FULL_ACCESS, ["ERP@Contoso.com", "ghost@contoso.com"],
                                          failed("Get-CASMailbox", "Exchange was down"))

    assert asyncio.run(go()) == {
        "erp@contoso.com": Read("Get-MailboxPermission ERP@Contoso.com", None,
                                "cannot tell which rows are this mailbox's, Get-CASMailbox failed: Exchange was down"),
        "ghost@contoso.com": Read("Get-MailboxPermission ghost@contoso.com", [])}  # no such mailbox: no grants


def test_a_collection_longer_than_a_page_is_read_to_its_last_page(tenant, tmp_path):
    """Graph answers GET /domains 100 at a time with an absolute @odata.nextLink; $batch takes it relative."""
    extra = [f"branch{i:03d}.contoso.com" for i in range(150)]
    seed = tmp_path / "many-domains.yaml"
    seed.write_text(yaml.safe_dump({"extends": str(SEEDS / "applied.yaml"), "domains": dict.fromkeys(extra, {})}))
    sandbox = tenant(seed)
    snap = read(sandbox, ReadPlan((), ()))
    assert snap.domains.ok
    ids = [d["id"] for d in snap.domains.value]
    assert sorted(ids) == sorted({"contoso.onmicrosoft.com", "contoso.com", "notify.contoso.com", *extra})
    assert len(ids) == len(set(ids))


def test_an_application_read_that_fails_fails_all_of_them_with_its_reason(tenant):
    sandbox = tenant(SEEDS / "applied.yaml")
    holders = [{"principalId": principal_id(sandbox, ERP)}, {"principalId": principal_id(sandbox, ALERTS)}]

    async def go(holders: list[dict[str, Any]]) -> Read[dict[str, Any]]:
        async with GraphClient(sandbox.endpoints(), policy=ONCE) as graph:
            return await read_applications(graph, holders)

    what = "applications of the SMTP.SendAsApp holders"
    gone = "00000000-0000-0000-0000-00000000dead"
    principal = asyncio.run(go([*holders, {"principalId": gone}]))
    assert principal.what == what and principal.value is None
    assert str(principal.error).startswith(f"GET /servicePrincipals/{gone}?$select=id,appId,displayName")
    for path, url in (("/v1.0/applications", "GET /applications?$filter=appId eq "),  # the second round
                      ("/v1.0/applications/", "GET /applications/")):  # the third: federated credentials
        sandbox.set_faults(FaultPlan(unavailable=1.0, paths=(path,)))
        result = asyncio.run(go(holders))
        assert (result.what, result.value) == (what, None) and str(result.error).startswith(url), result.error
        assert str(result.error).endswith(": The service is temporarily unavailable. (ServiceUnavailable)")


def test_a_later_page_that_fails_fails_its_read_instead_of_the_audit(tenant, tmp_path):
    """The first round of Graph reads succeeds, the $batch for the domains' second page fails as a whole (503,
    no retries left): the domains read fails with that reason; nothing is raised."""
    extra = [f"branch{i:03d}.contoso.com" for i in range(150)]
    seed = tmp_path / "many-domains.yaml"
    seed.write_text(yaml.safe_dump({"extends": str(SEEDS / "applied.yaml"), "domains": dict.fromkeys(extra, {})}))
    sandbox = tenant(seed)
    # faults are drawn per $batch in arrival order: pick the seed whose first draw serves, second fails
    draws = next(s for s in range(100) if (r := random.Random(s)).random() >= 0.5 > r.random())
    sandbox.set_faults(FaultPlan(unavailable=0.5, seed=draws, paths=("/v1.0/$batch",)))
    snap = read(sandbox, ReadPlan((), ()))
    assert snap.domains == Read("GET /domains", None, GRAPH_UNAVAILABLE)


def test_when_the_holders_list_fails_the_applications_fail_with_its_reason(tenant):
    sandbox = tenant(SEEDS / "applied.yaml")
    sandbox.set_faults(FaultPlan(unavailable=1.0, paths=("/v1.0/servicePrincipals/",)))  # not the $filter
    snap = read(sandbox, ReadPlan((), ()))
    [exchange] = sandbox.store.list(st.SERVICE_PRINCIPAL, appId=EXCHANGE_RESOURCE_APP_ID)
    error = (f"GET /servicePrincipals/{exchange['id']}/appRoleAssignedTo?$top=999: "
             "The service is temporarily unavailable. (ServiceUnavailable)")
    assert snap.send_as_app_holders == Read("GET /servicePrincipals/{Exchange}/appRoleAssignedTo", None, error)
    assert snap.applications == Read("applications of the SMTP.SendAsApp holders", None, error)


def test_without_exchange_online_in_the_directory_nobody_holds_smtp_send_as_app(tenant):
    sandbox = tenant(SEEDS / "applied.yaml")
    [exchange] = sandbox.store.list(st.SERVICE_PRINCIPAL, appId=EXCHANGE_RESOURCE_APP_ID)
    sandbox.store.delete(st.SERVICE_PRINCIPAL, exchange["id"])
    snap = read(sandbox, ReadPlan((), ()))
    assert snap.send_as_app_holders == Read("GET /servicePrincipals/{Exchange}/appRoleAssignedTo", [])
    assert snap.applications == Read("applications of the SMTP.SendAsApp holders", {})


def test_the_holders_are_read_past_graphs_999_assignments_a_page(tenant, tmp_path):
    """Exchange Online's app role assignments come 999 a page: a tenant with more (here apps allowed to manage
    Exchange) still has every SMTP.SendAsApp holder read."""
    seed = tmp_path / "many-exchange-apps.yaml"
    seed.write_text(yaml.safe_dump({"extends": str(SEEDS / "applied.yaml"), "applications": {
        f"exchange-tool-{i:04d}": {"roles": ["Exchange.ManageAsApp"]} for i in range(1000)}
        | {"late-sender": {"roles": ["SMTP.SendAsApp"]}}}))  # its assignment comes last: on the second page
    sandbox = tenant(seed)
    snap = read(sandbox, ReadPlan((), ()))
    assert {h["principalDisplayName"] for h in snap.send_as_app_holders.value} == {ERP, ALERTS, "late-sender"}
