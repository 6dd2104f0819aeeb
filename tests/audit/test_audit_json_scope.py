"""The audit's JSON report states its scope: what was read, which reads failed and why, what was not read
(o365relay.audit.model.Scope), and names a read that failed without a message by its kind of failure
(o365relay.audit.snapshot.failed)."""

from __future__ import annotations

from audit_helpers import SEEDS, run_audit

from o365relay.audit.snapshot import Read, failed
from o365relay.reports.audit_json import to_json_document


def test_the_json_scope_lists_the_failed_read_with_its_reason(tenant):
    result = run_audit(tenant(SEEDS / "no-domain-read.yaml"))
    scope = to_json_document(result)["scope"]
    assert set(scope) == {"read", "failed", "notRead"}
    [domains] = scope["failed"]
    assert domains.startswith("GET /domains: ") and "Insufficient privileges" in domains
    assert "GET /domains" in scope["read"] and "Get-CASMailbox" in scope["read"]
    assert any(line.startswith("DNS records") for line in scope["notRead"])


def test_a_failure_without_a_message_is_named_by_its_kind():
    assert failed("GET /domains", TimeoutError()) == Read("GET /domains", None, "TimeoutError")
    assert failed("GET /domains", "403 Forbidden") == Read("GET /domains", None, "403 Forbidden")
