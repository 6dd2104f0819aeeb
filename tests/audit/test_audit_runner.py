"""Running an audit: the reads it plans, the revision and times a report carries, the defaults the CLI's
`plan` and the bench rely on, and the progress a terminal shows."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from audit_helpers import PROD_SPEC, SEEDS

from o365relay.audit.compare_send_as import declared_mailboxes
from o365relay.audit.model import AuditResult
from o365relay.audit.reader import ReadPlan
from o365relay.audit.runner import audit, audit_with, plan_reads, spec_revision
from o365relay.sandbox.runner import Sandbox
from o365relay.spec.loader import load_spec
from o365relay.spec.model import RelaySpec, ServiceAccount, Tenant
from o365relay.tenant.exchange import ExchangeClient
from o365relay.tenant.graph import GraphClient

UTC_SECOND = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
NOT_EVERY_MAILBOX = "FullAccess and other mailbox permissions on mailboxes the spec does not name: not read"


def test_the_revision_is_the_spec_files_git_blob_hash(tmp_path: Path):
    spec = tmp_path / "relay.prod.yaml"
    spec.write_bytes(b"hello\n")
    assert spec_revision(spec) == spec_revision(str(spec)) == "ce013625030ba8dba906f756967f9e9ca394464a"  # hash-object


def test_each_sender_mailbox_is_read_once_whatever_its_letter_case():
    accounts = {"scanner": ServiceAccount("scanner", "mailbox", "Scanner@Contoso.com"),
                "erp": ServiceAccount("erp", "application", "erp@contoso.com"),
                "scanner-oauth": ServiceAccount("scanner-oauth", "application", "SCANNER@contoso.com")}
    spec = RelaySpec(1, Tenant("7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a", "contoso.onmicrosoft.com"),
                     service_accounts=accounts)
    assert plan_reads(spec) == ReadPlan(tuple(declared_mailboxes(spec)), ("erp@contoso.com", "scanner@contoso.com"))


def _stamped_in_utc(result: AuditResult) -> bool:
    return bool(UTC_SECOND.fullmatch(result.started_at) and UTC_SECOND.fullmatch(result.finished_at)
                and result.started_at <= result.finished_at)


def test_audit_with_the_callers_clients_reads_only_the_declared_mailboxes_and_names_no_revision(tenant):
    sandbox = tenant(SEEDS / "applied.yaml")
    spec = load_spec(PROD_SPEC)

    async def run() -> AuditResult:
        async with ExchangeClient(sandbox.endpoints()) as exo, GraphClient(sandbox.endpoints()) as graph:
            return await audit_with(spec, exo, graph)

    result = asyncio.run(run())
    assert (result.spec_revision, result.tenant_id, result.spec_source) == ("", spec.tenant.id, str(PROD_SPEC))
    assert any(line.startswith(NOT_EVERY_MAILBOX) for line in result.scope.not_read)
    assert _stamped_in_utc(result), (result.started_at, result.finished_at)
    assert result.exit_code == 0


def test_an_audit_by_default_reads_only_the_declared_mailboxes_and_names_no_revision(tenant):
    result = asyncio.run(audit(load_spec(PROD_SPEC), tenant(SEEDS / "applied.yaml").endpoints()))
    assert result.spec_revision == ""
    assert any(line.startswith(NOT_EVERY_MAILBOX) for line in result.scope.not_read)
    assert _stamped_in_utc(result)


def test_the_callers_revision_is_reported_and_progress_counts_every_read_every_mailboxs_included(tenant):
    sandbox: Sandbox = tenant(SEEDS / "applied.yaml")
    spec = load_spec(PROD_SPEC)
    ticks: list[int] = []
    result = asyncio.run(audit(spec, sandbox.endpoints(), revision="ce01362", progress=ticks.append,
                               every_mailbox=True))
    assert result.spec_revision == "ce01362"
    mailboxes = len(sandbox.store.list("user"))
    assert f"Get-MailboxPermission for every mailbox ({mailboxes})" in result.scope.read
    plan = plan_reads(spec)  # its total counts the senders' own mailboxes; the others are read after it
    assert sum(ticks) == plan.total + mailboxes - len(plan.full_access_mailboxes)
