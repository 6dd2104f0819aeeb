"""`relayctl audit` on the connection filter against the sandbox tenant: allow-list entries as findings
naming the connector they duplicate, the safe list, declared and undeclared block entries, entries
matched across Exchange's forms (ranges, /32), and unknown when the read fails."""

from __future__ import annotations

import shutil
from pathlib import Path

from audit_helpers import PROD_SPEC, SEEDS, item, run_audit

from o365relay.audit.model import FieldDiff

DECLARED = """  connectionFilter:
    ipBlockList: [198.51.100.64, 198.51.100.128/25, 192.0.2.200]
"""


def declared_spec(tmp_path: Path) -> Path:
    """The example spec declaring the policy, in a folder with the certificate file it names."""
    if not (tmp_path / "certs").exists():
        shutil.copytree(PROD_SPEC.parent / "certs", tmp_path / "certs")
    anchor = "  rejectDirectSend: true"
    text = PROD_SPEC.read_text().replace(anchor, anchor + "\n" + DECLARED.rstrip("\n"), 1)
    path = tmp_path / "relay.cf.yaml"
    path.write_text(text)
    return path


def test_undeclared_allow_list_and_safe_list_are_findings_naming_the_connector(tenant):
    result = run_audit(tenant(SEEDS / "connection-filter.yaml"))
    relay = item(result, "connection_filter", "IP Allow List 203.0.113.0-203.0.113.15")
    assert relay.status == "unexpected"
    assert "skips spam filtering" in relay.reason and "connector dc1-relay" in relay.reason
    other = item(result, "connection_filter", "IP Allow List 192.0.2.10")
    assert other.status == "unexpected" and "connector" not in other.reason
    safe = item(result, "connection_filter", "Safe list")
    assert (safe.status, safe.diffs) == ("drift", (FieldDiff("EnableSafeList", False, True),))
    assert "safe list is on" in safe.reason
    # the spec does not declare the policy: its block list is not the stack's business
    assert not [i for i in result.items if i.name.startswith("IP Block List")]
    assert result.exit_code == 1


def test_declared_block_list_matches_exchange_forms_and_flags_the_rest(tenant, tmp_path):
    sandbox = tenant(SEEDS / "connection-filter.yaml")
    spec_path = declared_spec(tmp_path)
    result = run_audit(sandbox, spec_path)
    assert item(result, "connection_filter", "IP Block List 198.51.100.64").status == "in_sync"
    in_range = item(result, "connection_filter", "IP Block List 198.51.100.128/25")
    assert in_range.status == "in_sync" and in_range.evidence == {"IPBlockList": "198.51.100.128-198.51.100.255"}
    missing = item(result, "connection_filter", "IP Block List 192.0.2.200")
    assert (missing.status, missing.spec_path) == ("missing", "spec.tenant.connectionFilter.ipBlockList[2]")


def test_undeclared_block_entry_is_unexpected(tenant, tmp_path):
    sandbox = tenant(SEEDS / "connection-filter.yaml")
    spec_path = tmp_path / "one.yaml"
    spec_path.write_text(declared_spec(tmp_path).read_text().replace(
        "ipBlockList: [198.51.100.64, 198.51.100.128/25, 192.0.2.200]", "ipBlockList: [198.51.100.64]"))
    result = run_audit(sandbox, spec_path)
    stray = item(result, "connection_filter", "IP Block List 198.51.100.128-198.51.100.255")
    assert stray.status == "unexpected" and "not declared" in stray.reason


def test_applied_tenant_has_a_clean_connection_filter(tenant):
    result = run_audit(tenant(SEEDS / "applied.yaml"))
    assert [(i.name, i.status) for i in result.items if i.kind == "connection_filter"] == [("Safe list", "in_sync")]


def test_failed_policy_read_is_unknown_never_a_finding(tenant):
    result = run_audit(tenant(SEEDS / "no-exchange-role.yaml"))
    [unknown] = [i for i in result.items if i.kind == "connection_filter"]
    assert unknown.status == "unknown" and unknown.reason.startswith("Get-HostedConnectionFilterPolicy")

