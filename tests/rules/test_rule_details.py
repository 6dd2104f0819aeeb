"""The edges of individual rules: what exactly passes and what fails."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from rule_fixtures import build, clean_doc

from o365relay.records import spf_value
from o365relay.rules import RULES, LintOptions, lint
from o365relay.rules.connectors import open_relay_violations, tls_violations
from o365relay.rules.spf import lookup_count, uncovered_ips
from o365relay.spec.addresses import sender_ip_problem
from o365relay.spec.model import Connector, Spf


@pytest.mark.parametrize("ip", ["203.0.113.0/24", "198.51.100.25", "52.10.20.30/32", "8.8.8.0/24"])
def test_public_ranges_up_to_24_are_accepted(ip: str) -> None:
    assert sender_ip_problem(ip) is None


@pytest.mark.parametrize(("ip", "why"), [
    ("203.0.112.0/23", "is a /23; Exchange accepts sender ranges from /24 to /32"),
    ("0.0.0.0/0", "is a /0"),
    ("203.0.113.5/24", "host bits set"),
    ("10.20.30.40", "private"),
    ("192.168.1.0/24", "private"),
    ("100.64.1.1", "carrier-grade NAT"),
    ("2001:db8::1", "IPv6"),
    ("printer.contoso.com", "not an IPv4 address"),
])
def test_open_relay_ranges_are_refused(ip: str, why: str) -> None:
    assert why in (sender_ip_problem(ip) or "")


def test_connector_without_ips_or_certificate_trusts_any_sender() -> None:
    [violation] = open_relay_violations(Connector("lab"), ("connectors", "lab"))
    assert violation.path == ("connectors", "lab") and "any sender" in violation.message
    assert list(open_relay_violations(Connector("lab", certificate_name="mfp.contoso.com"), ())) == []


def test_certificate_connector_still_needs_tls() -> None:
    [violation] = tls_violations(Connector("c", certificate_name="mfp.contoso.com", require_tls=False), ())
    assert "only checked on a TLS session" in violation.message


def test_secret_within_the_maximum_passes_and_the_maximum_is_configurable() -> None:
    doc = clean_doc()
    doc["serviceAccounts"]["erp-mailer"]["credential"] = {"type": "secret", "expiresInDays": 90}
    spec = build(doc)
    assert lint(spec, LintOptions()) == []
    [finding] = lint(spec, LintOptions(max_secret_days=30))
    assert finding.rule == "oauth-strong-credential" and "at most 30" in finding.message


def test_secret_without_expiry_fails() -> None:
    doc = clean_doc()
    doc["serviceAccounts"]["erp-mailer"]["credential"] = {"type": "secret"}
    [finding] = lint(build(doc), LintOptions())
    assert finding.target == "serviceAccounts.erp-mailer.credential"
    assert "without an expiry" in finding.message


def test_certificate_sender_passes() -> None:
    doc = clean_doc()
    doc["serviceAccounts"]["erp-mailer"]["credential"] = {"type": "certificate", "certificateFile": "c.pem"}
    assert lint(build(doc), LintOptions()) == []


def test_basic_auth_sender_passes_where_the_stack_allows_it() -> None:
    doc = clean_doc()
    doc["serviceAccounts"]["scanner"] = {"kind": "mailbox", "mailbox": "scanner@contoso.com"}
    assert lint(build(doc), LintOptions(basic_smtp_auth_forbidden=False)) == []


def test_basic_auth_sender_without_any_enabled_connector_has_no_path_once_basic_is_off() -> None:
    doc = clean_doc()
    doc["serviceAccounts"]["scanner"] = {"kind": "mailbox", "mailbox": "scanner@contoso.com"}
    doc["connectors"] = {}
    rules = {f.rule: f for f in lint(build(doc), LintOptions())}
    assert set(rules) == {"no-basic-smtp-auth", "direct-send-connector"}
    assert rules["direct-send-connector"].target == "serviceAccounts.scanner"
    doc["tenant"]["rejectDirectSend"] = False
    assert {f.rule for f in lint(build(doc), LintOptions())} == {"no-basic-smtp-auth", "reject-direct-send"}


def test_lookup_count_counts_microsofts_nested_include() -> None:
    assert lookup_count(Spf()) == (2, ())
    eight_more = tuple(f"i{n}.example" for n in range(8))
    assert lookup_count(Spf(include=("spf.protection.outlook.com", *eight_more))) == (10, eight_more)
    doc = clean_doc()
    doc["domains"]["contoso.com"]["spf"] = {"include": ["spf.protection.outlook.com",
                                                         *[f"i{n}.example" for n in range(8)]]}
    # exactly 10 is within the limit, but offline the vendors' nested lookups are unknown: not a pass
    [finding] = lint(build(doc), LintOptions(enforcement="mandatory"))
    assert finding.rule == "spf-lookups-unverified" and "at least 10" in finding.message
    assert not finding.blocking  # a statement of what lint could not see blocks nothing
    assert lint(build(doc), LintOptions(spf_include_lookups=lambda include: 0)) == []


def test_spf_record_adds_connector_ips_once_and_only_for_the_domains_they_send_for() -> None:
    doc = clean_doc()
    doc["domains"]["notify.contoso.com"] = {"spf": {"ip4": ["203.0.113.0/24"]},
                                           "dmarc": {"policy": "reject", "rua": ["mailto:d@contoso.com"]}}
    doc["connectors"]["lab"] = {"senderIPs": ["192.0.2.7"], "sendsFor": ["contoso.com"]}
    spec = build(doc)
    assert spf_value(spec, spec.domains["contoso.com"]) == (
        "v=spf1 ip4:203.0.113.0/28 ip4:198.51.100.25 ip4:192.0.2.7 include:spf.protection.outlook.com -all")
    # notify.contoso.com already authorises 203.0.113.0/24, which covers dc1-relay's /28; lab is not for it.
    assert spf_value(spec, spec.domains["notify.contoso.com"]) == (
        "v=spf1 ip4:203.0.113.0/24 ip4:198.51.100.25 include:spf.protection.outlook.com -all")
    assert lint(spec, LintOptions()) == []


def test_uncovered_ips_reads_only_passing_ip_terms() -> None:
    record = "v=spf1 ip4:203.0.113.0/24 -ip4:198.51.100.25 include:spf.protection.outlook.com ~all"
    assert uncovered_ips(record, ["203.0.113.9", "203.0.113.0/28", "198.51.100.25", "192.0.2.1"]) == [
        "198.51.100.25", "192.0.2.1"]


def test_dmarc_without_report_address_and_missing_dmarc_fail() -> None:
    doc = clean_doc()
    doc["domains"]["contoso.com"]["dmarc"] = {"policy": "quarantine", "pct": 50}
    enforced, staged = sorted(lint(build(doc), LintOptions()), key=lambda f: f.rule)
    assert enforced.target == "domains.contoso.com.dmarc" and "rua" in enforced.message
    # quarantine is not p=reject (MS.EXO.4.2v1): its own finding, below dmarc-enforced's severity
    assert (staged.rule, staged.severity, enforced.severity) == ("dmarc-reject", "medium", "high")
    del doc["domains"]["contoso.com"]["dmarc"]
    [finding] = lint(build(doc), LintOptions())
    assert finding.target == "domains.contoso.com" and "no DMARC" in finding.message


def test_dkim_disabled_fails() -> None:
    doc = clean_doc()
    doc["domains"]["contoso.com"]["dkim"] = {"enabled": False}
    [finding] = lint(build(doc), LintOptions())
    assert finding.target == "domains.contoso.com.dkim.enabled"


def test_connection_filter_allow_list_and_safe_list_are_findings_naming_the_duplicated_connector() -> None:
    doc = clean_doc()
    doc["tenant"]["connectionFilter"] = {"ipAllowList": ["203.0.113.5", "192.0.2.0/24"], "enableSafeList": True}
    findings = sorted((f for f in lint(build(doc), LintOptions()) if f.rule == "no-connection-filter-allow-list"),
                      key=lambda f: (len(f.path), f.path[-1]))
    assert [f.target for f in findings] == ["tenant.connectionFilter.enableSafeList",
                                           "tenant.connectionFilter.ipAllowList[0]",
                                           "tenant.connectionFilter.ipAllowList[1]"]
    assert "safe list is on" in findings[0].message
    assert "203.0.113.5" in findings[1].message and "connector dc1-relay" in findings[1].message
    assert "192.0.2.0/24" in findings[2].message and "connector" not in findings[2].message


def test_connection_filter_allow_list_waived_with_reason_and_expiry() -> None:
    doc = clean_doc()
    doc["tenant"]["connectionFilter"] = {"ipAllowList": ["198.51.100.7"]}
    doc["waivers"] = [{"rule": "no-connection-filter-allow-list", "target": "tenant.connectionFilter.ipAllowList",
                       "reason": "vendor scanner until OPS-12", "expires": "2027-01-31"}]
    [finding] = lint(build(doc), LintOptions(enforcement="mandatory", today=date(2026, 12, 1)))
    assert finding.status == "waived" and not finding.blocking
    [*expired] = lint(build(doc), LintOptions(enforcement="mandatory", today=date(2027, 2, 1)))
    assert {f.rule for f in expired} == {"no-connection-filter-allow-list", "waiver-expired"}
    assert any(f.blocking and f.rule == "no-connection-filter-allow-list" for f in expired)


def test_declared_block_list_alone_is_no_finding() -> None:
    doc = clean_doc()
    doc["tenant"]["connectionFilter"] = {"ipBlockList": ["198.51.100.66"]}
    assert lint(build(doc), LintOptions()) == []


def test_undeclared_trustee_message_names_trustee_and_mailbox() -> None:
    spec = build(clean_doc())
    spec = dataclasses.replace(spec, send_as=(*spec.send_as, dataclasses.replace(spec.send_as[0],
                                                                                trustee="someone")))
    [finding] = lint(spec, LintOptions())
    assert finding.target == "sendAs[1].trustee" and "someone" in finding.message


def test_spf_covers_connectors_gives_the_right_reason() -> None:
    """Relayed mail leaves from Microsoft's IPs; the device IP matters to EOP on the way in."""
    rationale = RULES["spf-covers-connectors"].rationale
    assert "spf.protection.outlook.com" in rationale and "Exchange Online Protection" in rationale
    assert "leaves with the device" not in rationale
