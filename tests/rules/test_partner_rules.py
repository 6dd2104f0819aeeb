"""The partner connector rules: a partner pinned to its IPs or certificate passes; an open door fails, unwaivably."""

from __future__ import annotations

from typing import Any

import pytest
from rule_fixtures import TODAY, build, clean_doc

from o365relay.rules import LintOptions, exit_code, lint


def findings(options: LintOptions, **entry: Any) -> list[tuple[str, str, str]]:
    doc = clean_doc()
    doc["connectors"]["ticketing"] = {"type": "partner", "senderDomains": ["contoso.com"], **entry}
    return [(f.rule, f.target, f.message) for f in lint(build(doc), options)]


@pytest.mark.parametrize("entry", [
    {"senderIPs": ["192.0.2.0/24"]},
    {"certificateName": "*.ticketing.example"},
    {"senderIPs": ["192.0.2.7"], "certificateName": "mx.ticketing.example", "acceptedDomains": ["contoso.com"]},
], ids=["ips", "certificate", "both"])
def test_pinned_partner_connectors_pass(options: LintOptions, entry: dict[str, Any]) -> None:
    assert findings(options, **entry) == []


def test_open_door_is_named_with_the_domains_anyone_could_send_as(options: LintOptions) -> None:
    assert findings(options, senderDomains=["contoso.com", "*.contoso.com"]) == [
        ("partner-restricted", "connectors.ticketing",
         "partner connector ticketing names neither senderIPs nor certificateName, so any server can send as "
         "contoso.com, *.contoso.com through it")]


def test_plain_text_partner_is_flagged_at_require_tls(options: LintOptions) -> None:
    assert findings(options, senderIPs=["192.0.2.0/24"], requireTls=False) == [
        ("partner-tls", "connectors.ticketing.requireTls",
         "partner connector ticketing accepts mail in plain text; a certificate is only checked on a TLS session")]
    assert findings(options, certificateName="mail.ticketing.example", requireTls=False) == [
        ("partner-tls", "connectors.ticketing.requireTls",
         "partner connector ticketing names certificate mail.ticketing.example but accepts mail in plain text; "
         "a certificate is only checked on a TLS session")]


def test_prod_blocks_the_open_door_and_no_waiver_covers_it() -> None:
    doc = clean_doc()
    doc["connectors"]["ticketing"] = {"type": "partner", "senderDomains": ["contoso.com"]}
    doc["waivers"] = [{"rule": "partner-restricted", "target": "connectors.ticketing",
                       "reason": "vendor publishes no IPs, OPS-9", "expires": "2027-03-31"}]
    found = lint(build(doc), LintOptions(enforcement="mandatory", today=TODAY))
    assert ("partner-restricted", "failing") in {(f.rule, f.status) for f in found} and exit_code(found) == 1
