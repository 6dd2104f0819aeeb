"""Exact words and edges of the SMTP AUTH, credential, connector and SPF rules, the waiver targets a reviewer
may write, and the rule registry (o365relay/rules/smtp_auth.py, connectors.py, spf.py, waivers.py, base.py)."""

from __future__ import annotations

from datetime import date

import pytest
from rule_fixtures import build, clean_doc

from o365relay.rules import LintOptions, lint
from o365relay.rules.base import REGISTRY, Rule, register
from o365relay.rules.connectors import open_relay_violations, tls_violations
from o365relay.rules.report import as_text
from o365relay.rules.smtp_auth import credential_violations
from o365relay.rules.spf import KNOWN_NESTED_LOOKUPS, authorised_networks, lookup_count
from o365relay.spec.model import Connector, Credential, ServiceAccount, Spf

OPTIONS = LintOptions(enforcement="mandatory", today=date(2027, 3, 31))


def found(doc: dict, rule: str) -> list[tuple[str, str, str]]:
    return [(f.target, f.message, f.status) for f in lint(build(doc), OPTIONS) if f.rule == rule]


def test_org_wide_smtp_auth_is_named_as_such() -> None:
    doc = clean_doc()
    doc["tenant"]["smtpAuth"] = "enabled"
    assert found(doc, "org-smtp-auth-off") == [
        ("tenant.smtpAuth", "SMTP AUTH is enabled for every mailbox in the organisation", "failing")]


def test_a_client_secret_may_live_exactly_as_long_as_the_policy_allows() -> None:
    doc = clean_doc()
    doc["serviceAccounts"]["erp-mailer"]["credential"] = {"type": "secret", "expiresInDays": 180}
    assert found(doc, "oauth-strong-credential") == []
    doc["serviceAccounts"]["erp-mailer"]["credential"]["expiresInDays"] = 181
    assert found(doc, "oauth-strong-credential") == [
        ("serviceAccounts.erp-mailer.credential.expiresInDays",
         "application sender erp-mailer uses a client secret valid for 181 days (policy: at most 180)", "failing")]


def test_an_application_sender_without_a_credential_is_named() -> None:
    account = ServiceAccount("erp-mailer", "application", "erp@contoso.com")
    assert list(credential_violations(account, ("serviceAccounts", "erp-mailer"), 180)) == [
        (("serviceAccounts", "erp-mailer"), "application sender erp-mailer declares no credential")]
    federated = ServiceAccount("erp-mailer", "application", "erp@contoso.com", credential=Credential("federated"))
    assert list(credential_violations(federated, ("serviceAccounts", "erp-mailer"), 180)) == []


def test_a_waiver_on_the_tenant_covers_the_settings_under_it() -> None:
    doc = clean_doc()
    doc["tenant"]["rejectDirectSend"] = False
    doc["waivers"] = [{"rule": "reject-direct-send", "target": "tenant", "reason": "migration window; CHG-77",
                       "expires": "2027-03-31"}]
    assert [(target, status) for target, _, status in found(doc, "reject-direct-send")] == [
        ("tenant.rejectDirectSend", "waived")]


def test_a_clean_spec_says_so() -> None:
    spec = build(clean_doc())
    assert as_text(lint(spec, OPTIONS), spec) == "fixture.yaml: no findings\n"


def test_a_rule_id_is_registered_once() -> None:
    existing = REGISTRY["no-basic-smtp-auth"]
    with pytest.raises(ValueError, match="^duplicate rule id 'no-basic-smtp-auth'$"):
        register(existing)
    assert REGISTRY["no-basic-smtp-auth"] is existing
    new = Rule("test-only-rule", "r", (), "low", "f", None)
    try:
        assert register(new) is new and REGISTRY["test-only-rule"] is new
    finally:
        REGISTRY.pop("test-only-rule", None)


def test_spf_terms_that_authorise_addresses_directly() -> None:
    record = ("v=spf1 +ip4:192.0.2.0/24 ~ip4:198.51.100.1 ip6:2001:db8::/32 IP4:203.0.113.5 -ip4:203.0.113.6 "
              "?ip4:203.0.113.7 include:spf.protection.outlook.com ip4: -all")
    assert [str(n) for n in authorised_networks(record)] == ["192.0.2.0/24", "2001:db8::/32", "203.0.113.5/32"]


def test_connector_problems_are_located_and_worded_for_the_policy_pack_too() -> None:
    path = ("connectors", "dc1-relay")
    assert list(open_relay_violations(Connector("dc1-relay"), path)) == [
        (path, "connector dc1-relay names neither senderIPs nor certificateName, so it would trust any sender")]
    assert list(open_relay_violations(Connector("dc1-relay", sender_ips=("203.0.113.7", "10.0.0.0/24")), path)) == [
        ((*path, "senderIPs", 1), "connector dc1-relay: 10.0.0.0/24 is in private address space (RFC 1918, "
                                  "10.0.0.0/8); a connector matches the public IPv4 address the mail leaves your "
                                  "network from (after NAT): use that address")]
    assert list(tls_violations(Connector("dc1-relay", sender_ips=("203.0.113.7",), require_tls=False), path)) == [
        ((*path, "requireTls"), "connector dc1-relay accepts relay mail in plain text")]
    by_certificate = Connector("dc1-relay", certificate_name="relay.contoso.com", require_tls=False)
    assert list(tls_violations(by_certificate, path)) == [
        ((*path, "requireTls"), "connector dc1-relay names certificate relay.contoso.com but does not require TLS; "
                                "the certificate is only checked on a TLS session")]


def test_spf_lookups_add_each_include_and_what_it_spends_itself() -> None:
    spf = Spf(include=("spf.protection.outlook.com", "_spf.vendor.example", "_spf.other.example"))
    spends = {"_spf.vendor.example": 3}

    def nested(include: str) -> int:
        if include not in spends:
            raise LookupError(f"no TXT record at {include}")
        return spends[include]

    assert lookup_count(spf, nested) == (3 + KNOWN_NESTED_LOOKUPS["spf.protection.outlook.com"] + 3,
                                         ("_spf.other.example",))
    assert lookup_count(spf) == (3 + KNOWN_NESTED_LOOKUPS["spf.protection.outlook.com"],
                                 ("_spf.vendor.example", "_spf.other.example"))


def test_dkim_problems_are_worded() -> None:
    doc = clean_doc()
    doc["domains"]["contoso.com"]["dkim"] = {"enabled": False, "keySize": 1024}
    assert sorted((f.target, f.message) for f in lint(build(doc), OPTIONS) if f.rule == "dkim-2048") == [
        ("domains.contoso.com.dkim.enabled", "DKIM signing is off for contoso.com"),
        ("domains.contoso.com.dkim.keySize", "DKIM key of contoso.com is 1024 bits; use 2048")]


def test_waivers_that_cannot_apply_are_each_reported_at_their_rule() -> None:
    doc = clean_doc()
    doc["connectors"]["dc1-relay"]["requireTls"] = False
    doc["waivers"] = [
        {"rule": "no-such-rule", "target": "connectors.dc1-relay", "reason": "typo; CHG-1", "expires": "2027-03-31"},
        {"rule": "connector-tls", "target": "connectors.dc1-relay", "reason": "legacy; CHG-2", "expires": "2027-03-31"},
    ]
    assert sorted((f.rule, f.target, f.message) for f in lint(build(doc), OPTIONS) if f.rule == "waiver-unmatched") == [
        ("waiver-unmatched", "waivers[0].rule", "waiver names unknown rule no-such-rule"),
        ("waiver-unmatched", "waivers[1].rule", "rule connector-tls cannot be waived")]
    quiet = LintOptions(enforcement="mandatory", today=date(2027, 3, 31), rules={"waiver-unmatched": "disabled"})
    assert [f for f in lint(build(doc), quiet) if f.rule == "waiver-unmatched"] == []


def test_a_disabled_rule_does_not_silence_the_rules_after_it() -> None:
    doc = clean_doc()
    doc["connectors"]["dc1-relay"]["requireTls"] = False
    doc["domains"]["contoso.com"]["dkim"] = {"keySize": 1024}
    first = next(iter(REGISTRY))
    options = LintOptions(enforcement="mandatory", today=date(2027, 3, 31), rules={first: "disabled"})
    assert {f.rule for f in lint(build(doc), options)} >= {"connector-tls", "dkim-2048"}


def test_a_gate_rule_blocks_unless_a_rule_override_says_otherwise() -> None:
    assert LintOptions(enforcement="advisory").level("switch-enforce-evidence") == "mandatory"
    assert LintOptions(rules={"switch-enforce-evidence": "advisory"}).level("switch-enforce-evidence") == "advisory"
    assert LintOptions(enforcement="advisory").level("connector-tls") == "advisory"


def test_an_spf_term_written_with_host_bits_authorises_its_network() -> None:
    assert [str(n) for n in authorised_networks("v=spf1 ip4:192.0.2.7/24 -all")] == ["192.0.2.0/24"]


def test_a_waiver_in_use_does_not_hide_a_later_one_that_cannot_apply() -> None:
    doc = clean_doc()
    doc["serviceAccounts"]["scanner"] = {"kind": "mailbox", "mailbox": "scanner@contoso.com"}
    doc["waivers"] = [
        {"rule": "no-basic-smtp-auth", "target": "serviceAccounts.scanner", "reason": "firmware; FAC-1182",
         "expires": "2027-03-31"},
        {"rule": "no-such-rule", "target": "connectors.dc1-relay", "reason": "typo; CHG-1", "expires": "2027-03-31"},
    ]
    assert [(f.target, f.message) for f in lint(build(doc), OPTIONS) if f.rule == "waiver-unmatched"] == [
        ("waivers[1].rule", "waiver names unknown rule no-such-rule")]
