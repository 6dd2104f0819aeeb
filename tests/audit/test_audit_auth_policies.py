"""`relayctl audit` on authentication policies against the sandbox tenant: a policy nobody declared that
blocks a basic SMTP sender is a finding that says so; declared policies, assignments and the default are
compared by name across Exchange's DN form; a failed read is unknown."""

from __future__ import annotations

import shutil
from pathlib import Path

from audit_helpers import PROD_SPEC, SEEDS, item, run_audit

from o365relay.audit.model import FieldDiff

SEED = SEEDS / "auth-policies.yaml"


def spec_with(tmp_path: Path, tenant_line: str, policies: str) -> Path:
    """The example spec plus authentication policies, in a folder with the certificate file it names."""
    if not (tmp_path / "certs").exists():
        shutil.copytree(PROD_SPEC.parent / "certs", tmp_path / "certs")
    anchor = "  rejectDirectSend: true"
    text = PROD_SPEC.read_text().replace(anchor, anchor + tenant_line, 1).replace("\nwaivers:", policies + "\nwaivers:")
    path = tmp_path / "relay.ap.yaml"
    path.write_text(text)
    return path


def test_undeclared_policies_blocking_a_basic_sender_are_findings_that_say_so(tenant):
    result = run_audit(tenant(SEED))
    scanner = item(result, "auth_policy_assignment", "scanner3@contoso.com")
    assert scanner.status == "unexpected" and scanner.spec_path == "spec.serviceAccounts.scanner-floor3"
    assert "has the authentication policy 'Block Basic Auth', which the spec does not assign" in scanner.reason
    assert "blocks basic SMTP AUTH, so Exchange refuses scanner-floor3 (535 5.7.139" in scanner.reason
    assert scanner.evidence["AuthenticationPolicy"].startswith("CN=Block Basic Auth,CN=Auth Policies,")
    default = item(result, "auth_policy", "Default authentication policy")
    assert default.status == "unexpected" and "'Block Basic Auth' is not declared" in default.reason
    # OAuth senders inherit nothing a basic-auth policy could block; the IMAP policy applies to nobody declared
    assert "erp-mailer" not in default.reason and "IMAP exceptions" not in {i.name for i in result.items}
    assert result.exit_code == 1


def test_declared_policies_assignment_and_default_compare_by_name(tenant, tmp_path):
    spec = spec_with(tmp_path, "\n  defaultAuthenticationPolicy: block basic auth",
                     "\nauthenticationPolicies:\n  block basic auth: {}\n"
                     "  Relay basic SMTP: {allowBasicAuth: [smtp], appliesTo: [scanner-floor3]}\n")
    result = run_audit(tenant(SEED), spec)
    assert item(result, "auth_policy", "block basic auth").status == "in_sync"
    assert item(result, "auth_policy", "Default authentication policy").status == "in_sync"
    assert item(result, "auth_policy", "Relay basic SMTP").status == "missing"
    scanner = item(result, "auth_policy_assignment", "scanner3@contoso.com")
    assert scanner.status == "drift" and scanner.diffs == (
        FieldDiff("AuthenticationPolicy", "Relay basic SMTP", "Block Basic Auth"),)


def test_switches_of_a_declared_policy_drift(tenant, tmp_path):
    spec = spec_with(tmp_path, "", "\nauthenticationPolicies:\n  IMAP exceptions: {allowBasicAuth: [smtp]}\n")
    imap = item(run_audit(tenant(SEED), spec), "auth_policy", "IMAP exceptions")
    assert imap.status == "drift" and imap.diffs == (FieldDiff("allowBasicAuth", ["smtp"], ["imap", "smtp"]),)


def test_applied_tenant_without_policies_has_no_policy_items(tenant):
    result = run_audit(tenant(SEEDS / "applied.yaml"))
    assert not [i for i in result.items if i.kind.startswith("auth_policy")]


def test_policy_references_read_as_names_in_either_form() -> None:
    from o365relay.kinds.auth_policy import policy_name, same_policy
    dn = "CN=Block Basic Auth,CN=Auth Policies,CN=Configuration,CN=contoso.onmicrosoft.com,DC=PROD,DC=OUTLOOK,DC=COM"
    assert policy_name(dn) == "Block Basic Auth" and policy_name("Block Basic Auth") == "Block Basic Auth"
    assert policy_name(r"CN=Relay\, basic,CN=Auth Policies,CN=Configuration") == "Relay, basic"
    assert policy_name(None) is None and policy_name("") is None
    assert same_policy(dn, "block basic auth") and not same_policy(dn, None)
