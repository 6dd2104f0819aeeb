"""The outbound connector rules: which connectors pass, which fail, where and why."""

from __future__ import annotations

from typing import Any

import pytest
from rule_fixtures import TODAY, build, clean_doc

from o365relay.rules import LintOptions, exit_code, lint

OUTBOUND_RULES = {"outbound-tls-validated", "no-unvalidated-smart-host-for-all"}


def findings(options: LintOptions, **entry: Any) -> list[tuple[str, str, str]]:
    doc = clean_doc()
    doc["connectors"]["partner"] = {"direction": "outbound", **entry}
    return [(f.rule, f.target, f.message) for f in lint(build(doc), options)]


@pytest.mark.parametrize("entry", [
    {"recipientDomains": ["fabrikam.com"], "useMxRecord": True, "tls": "CertificateValidation"},
    {"recipientDomains": ["*.fabrikam.com"], "smartHosts": ["mx.fabrikam.com"], "tls": "DomainValidation",
     "tlsDomain": "mail.fabrikam.com"},
    {"recipientDomains": ["*"], "smartHosts": ["gw.example.net"], "tls": "CertificateValidation"},
    {"recipientDomains": ["*"], "useMxRecord": True, "tls": "CertificateValidation"},
    # scoped by a transport rule: not partner routing by domain, and not all mail
    {"transportRuleScoped": True, "smartHosts": ["archive.example.net"], "tls": "EncryptionOnly"},
], ids=["partner-cert", "partner-domain", "all-via-validated-host", "all-via-mx-validated", "rule-scoped"])
def test_passing_outbound_connectors(options: LintOptions, entry: dict[str, Any]) -> None:
    assert findings(options, **entry) == []


def test_partner_without_tls_setting_is_flagged_at_the_connector(options: LintOptions) -> None:
    assert findings(options, recipientDomains=["fabrikam.com", "*.fabrikam.com"], smartHosts=["mx.fabrikam.com"]) == [
        ("outbound-tls-validated", "connectors.partner",
         "outbound connector partner sends mail for fabrikam.com, *.fabrikam.com with no tls setting "
         "(opportunistic TLS): any certificate is accepted, so whoever can redirect the connection reads the mail")]


def test_all_mail_over_mx_with_encryption_only_is_a_partner_tls_finding(options: LintOptions) -> None:
    assert [f[:2] for f in findings(options, recipientDomains=["*"], useMxRecord=True, tls="EncryptionOnly")] == [
        ("outbound-tls-validated", "connectors.partner.tls")]


def test_all_mail_via_encryption_only_smart_host_is_one_critical_finding(options: LintOptions) -> None:
    got = findings(options, recipientDomains=["*"], smartHosts=["gw.example.net", "198.51.100.7"],
                   tls="EncryptionOnly")
    assert got == [("no-unvalidated-smart-host-for-all", "connectors.partner.tls",
                    "outbound connector partner sends all mail to gw.example.net, 198.51.100.7 with tls "
                    "EncryptionOnly: the smart host's certificate is never checked")]


def test_prod_blocks_and_a_waiver_covers_only_the_partner_rule() -> None:
    doc = clean_doc()
    doc["connectors"]["partner"] = {"direction": "outbound", "recipientDomains": ["fabrikam.com"],
                                    "useMxRecord": True, "tls": "EncryptionOnly"}
    doc["connectors"]["all-mail"] = {"direction": "outbound", "recipientDomains": ["*"],
                                     "smartHosts": ["gw.example.net"]}
    prod = LintOptions(enforcement="mandatory", today=TODAY)
    found = lint(build(doc), prod)
    assert {f.rule for f in found} == OUTBOUND_RULES and exit_code(found) == 1
    assert exit_code(lint(build(doc), LintOptions(today=prod.today))) == 0  # advisory elsewhere
    waivers = [{"rule": r, "target": t, "reason": "partner has no trusted cert yet, OPS-7", "expires": "2027-03-31"}
               for r, t in (("outbound-tls-validated", "connectors.partner"),
                            ("no-unvalidated-smart-host-for-all", "connectors.all-mail"))]
    doc["waivers"] = waivers
    statuses = {(f.rule, f.status) for f in lint(build(doc), prod)}
    assert ("outbound-tls-validated", "waived") in statuses
    assert ("no-unvalidated-smart-host-for-all", "failing") in statuses  # not waivable
