"""`relayctl audit` against the sandbox tenant: every status, Exchange's value forms, failed reads."""

from __future__ import annotations

import asyncio
import dataclasses
import math

from audit_helpers import PROD_SPEC, SEEDS, item, run_audit, statuses

from o365relay.audit.model import FieldDiff
from o365relay.audit.reader import EXO_BATCH, LIST_CMDLETS
from o365relay.audit.runner import audit
from o365relay.sandbox.faults import FaultPlan
from o365relay.sandbox.seed import SEEDS_DIR
from o365relay.spec.loader import load_spec
from o365relay.spec.model import SendAsGrant
from o365relay.tenant.exchange import ExchangeClient


def test_applied_tenant_is_in_sync_despite_exchange_value_forms(tenant):
    result = run_audit(tenant(SEEDS / "applied.yaml"))
    assert {i.status for i in result.items} == {"in_sync"}, [i for i in result.items if i.status != "in_sync"]
    assert result.exit_code == 0
    connector = item(result, "connector", "dc1-relay")
    # Exchange answers with its address-space form and the spec says "*": normalised, no drift.
    assert connector.evidence["SenderDomains"] == ["smtp:*;1"]
    kinds = {i.kind for i in result.items}
    assert kinds == {"org_setting", "connection_filter", "domain", "dkim", "connector", "mailbox", "application",
                     "exchange_service_principal", "full_access", "mailbox_smtp_auth", "send_as"}
    assert len(result.items) == 28  # the connection filter's safe list is checked whether declared or not
    # every sender's mailbox carries the SMTP AUTH switch, the OAuth senders' included
    assert {i.name for i in result.items if i.kind == "mailbox_smtp_auth"} == {
        "scanner3@contoso.com", "erp@contoso.com", "alerts@notify.contoso.com"}


def test_brownfield_tenant_shows_missing_drift_and_unexpected(tenant):
    result = run_audit(tenant(SEEDS_DIR / "brownfield.yaml"))
    found = statuses(result)
    assert found[("connector", "dc1-relay")] == "missing"
    assert found[("send_as", "erp-mailer on invoices@contoso.com")] == "missing"
    assert found[("application", "erp-mailer")] == "missing"
    reject = item(result, "org_setting", "Reject direct send")
    assert (reject.status, reject.diffs) == ("drift", (FieldDiff("RejectDirectSend", True, False),))
    scanner = item(result, "mailbox_smtp_auth", "scanner3@contoso.com")
    assert scanner.diffs == (FieldDiff("SmtpAuth", "enabled", "inherit"),)
    unexpected = {(i.kind, i.name) for i in result.items if i.status == "unexpected"}
    assert unexpected == {
        ("connector", "Old printers"),
        ("application", "legacy-mailer"),
        ("exchange_service_principal", "legacy-mailer"),  # its registration in Exchange: New-ServicePrincipal
        ("mailbox_smtp_auth", "copier-legacy@contoso.com"),
        ("send_as", "legacy-mailer on invoices@contoso.com"),
    }
    assert found[("mailbox", "erp@contoso.com")] == "in_sync"
    assert result.count("unknown") == 0
    assert result.exit_code == 1


def test_hand_edited_connector_drifts_field_by_field(tenant):
    result = run_audit(tenant(SEEDS / "drifted.yaml"))
    connector = item(result, "connector", "dc1-relay")
    assert connector.status == "drift"
    assert {d.field: (d.desired, d.actual) for d in connector.diffs} == {
        "SenderIPAddresses": (["198.51.100.25", "203.0.113.0/28"], ["203.0.113.0/28"]),
        "SenderDomains": (["*"], ["contoso.com"]),
        "RequireTls": (True, False),
        "Comment": ("Ashburn datacenter NAT egress for printers and line-of-business servers",
                    "temporary change, see INC-4411"),
    }
    assert [i.name for i in result.items if i.status != "in_sync"] == ["dc1-relay"]


def test_failed_exchange_reads_are_unknown_never_drift_or_missing(tenant):
    result = run_audit(tenant(SEEDS / "no-exchange-role.yaml"))
    assert result.findings == []
    unknown = [i for i in result.items if i.status == "unknown"]
    assert {i.kind for i in unknown} == {"org_setting", "connection_filter", "auth_policy", "dkim", "connector",
                                         "exchange_service_principal",
                                         "full_access", "mailbox_smtp_auth", "send_as"}
    assert all("Exchange" in i.reason or "403" in i.reason or "role" in i.reason for i in unknown), unknown[0]
    # Graph reads did not fail: those items still get a verdict
    assert {i.kind for i in result.items if i.status == "in_sync"} == {"domain", "mailbox", "application"}
    assert result.exit_code == 3


def test_one_failed_graph_read_only_blocks_what_depends_on_it(tenant):
    result = run_audit(tenant(SEEDS / "no-domain-read.yaml"))
    unknown = [i for i in result.items if i.status == "unknown"]
    assert [(i.kind, i.name) for i in unknown] == [("domain", "contoso.com"), ("domain", "notify.contoso.com")]
    assert unknown[0].reason.startswith("GET /domains") and "Insufficient privileges" in unknown[0].reason
    assert result.count("in_sync") == len(result.items) - 2
    assert result.exit_code == 3


def test_a_truncated_read_is_unknown_never_missing(tenant):
    sandbox = tenant(SEEDS / "applied.yaml")
    sandbox.set_faults(FaultPlan(shapes=("truncated",)))
    result = run_audit(sandbox)
    connector = item(result, "connector", "dc1-relay")
    assert connector.status == "unknown" and "part of the result" in connector.reason
    assert result.count("missing") == 0


def test_rows_for_other_mailboxes_are_not_credited(tenant):
    """A Get-RecipientPermission that answers for every mailbox must not make a missing grant in sync."""
    sandbox = tenant(SEEDS / "applied.yaml")
    asyncio.run(_exchange(sandbox, "Remove-RecipientPermission", {
        "Identity": "purchasing@contoso.com", "Trustee": "o365-relay erp-mailer", "AccessRights": "SendAs"}))
    sandbox.set_faults(FaultPlan(shapes=("unfiltered",)))
    result = run_audit(sandbox)
    assert item(result, "send_as", "erp-mailer on purchasing@contoso.com").status == "missing"
    assert item(result, "send_as", "erp-mailer on invoices@contoso.com").status == "in_sync"
    assert result.count("unexpected") == 0  # noc@'s grant is not read as a stranger on invoices@


def test_send_as_is_one_tenant_wide_list_not_a_request_per_mailbox(tenant):
    """Exchange lists every Send As grant in one call: the audit's Exchange round trips must not grow with
    the number of mailboxes the spec grants Send As on (only FullAccess, which has no list, is per mailbox)."""
    sandbox = tenant(SEEDS / "applied.yaml")
    sandbox.ctx.requests.clear()
    result = run_audit(sandbox)
    exchange = [e for e in sandbox.ctx.requests.entries() if e["path"].startswith("/adminapi/")]
    calls = [(name, params) for e in exchange for name, params in zip(e["cmdlets"], e["parameters"], strict=True)]
    assert [params for name, params in calls if name == "Get-RecipientPermission"] == [["AccessRights", "ResultSize"]]
    senders = {a.mailbox for a in load_spec(PROD_SPEC).service_accounts.values()}
    assert len(exchange) == math.ceil((len(LIST_CMDLETS) + len(senders)) / EXO_BATCH)
    assert {i.status for i in result.items if i.kind == "send_as"} == {"in_sync"}


def test_send_as_on_a_mailbox_that_does_not_exist_is_missing_and_the_mailbox_says_why(tenant):
    sandbox = tenant(SEEDS / "applied.yaml")
    spec = load_spec(PROD_SPEC)
    spec = dataclasses.replace(spec, send_as=(*spec.send_as, SendAsGrant("erp-mailer", "ghost@contoso.com")))
    result = asyncio.run(audit(spec, sandbox.endpoints()))
    assert item(result, "send_as", "erp-mailer on ghost@contoso.com").status == "missing"
    mailbox = item(result, "mailbox", "ghost@contoso.com")
    assert (mailbox.status, mailbox.reason) == ("missing", "no such user in the directory")
    assert result.count("unknown") == 0 and result.count("unexpected") == 0


async def _exchange(sandbox, cmdlet, parameters):
    async with ExchangeClient(sandbox.endpoints()) as exo:
        return await exo.invoke(cmdlet, parameters)
