"""Every rule: the clean fixture passes it, and a named failing case fails it at the right spec path."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pytest
from rule_fixtures import build, clean_doc

from o365relay.rules import RULES, LintOptions, lint
from o365relay.spec.model import RelaySpec, SendAsGrant


def doc_case(change: Callable[[dict[str, Any]], None]) -> Callable[[], RelaySpec]:
    def make() -> RelaySpec:
        doc = clean_doc()
        change(doc)
        return build(doc)
    return make


def model_case(change: Callable[[RelaySpec], RelaySpec]) -> Callable[[], RelaySpec]:
    return lambda: change(build(clean_doc()))


def _connector(**changes: Any) -> Callable[[RelaySpec], RelaySpec]:
    def change(spec: RelaySpec) -> RelaySpec:
        dc1 = dataclasses.replace(spec.connectors["dc1-relay"], **changes)
        return dataclasses.replace(spec, connectors={"dc1-relay": dc1})
    return change


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        *parents, last = path.split("/")
        node = doc
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = value
    return change


def _secret_sender(doc: dict[str, Any]) -> None:
    doc["serviceAccounts"]["erp-mailer"]["credential"] = {"type": "secret", "expiresInDays": 365}


def _scanner(doc: dict[str, Any]) -> None:
    doc["serviceAccounts"]["scanner"] = {"kind": "mailbox", "mailbox": "scanner@contoso.com"}


def _shared_mailbox(doc: dict[str, Any]) -> None:
    doc["serviceAccounts"]["erp-copy"] = {**doc["serviceAccounts"]["erp-mailer"]}


def _undeclared_trustee(spec: RelaySpec) -> RelaySpec:
    return dataclasses.replace(spec, send_as=(SendAsGrant("helpdesk-bot", "invoices@contoso.com"),))


def _many_includes(doc: dict[str, Any]) -> None:
    others = [f"_spf{i}.vendor{i}.example" for i in range(9)]
    doc["domains"]["contoso.com"]["spf"] = {"include": ["spf.protection.outlook.com", *others]}


def _partner(**entry: Any) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        doc["connectors"]["ticketing"] = {"type": "partner", "senderDomains": ["contoso.com"], **entry}
    return change


def _outbound(**entry: Any) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        doc["connectors"]["partner"] = {"direction": "outbound", **entry}
    return change


def _waiver(rule: str, target: str, expires: str) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        doc["waivers"] = [{"rule": rule, "target": target, "reason": "ticket OPS-1", "expires": expires}]
    return change


def _observed_printer(doc: dict[str, Any]) -> None:
    seen = {"address": "printer7@contoso.com", "count": 3, "first": "2026-03-01T08:00:00+00:00",
            "last": "2026-03-14T08:00:00+00:00"}
    doc["tenant"]["smtpAuth"] = {"stage": "observe"}
    doc["tenant"]["evidence"] = {"tenant": doc["tenant"]["id"], "start": "2026-03-01T00:00:00+00:00",
                                 "end": "2026-03-15T00:00:00+00:00", "signInLog": "read", "basicSignIns": [seen]}


def _stale_spf_record(monkeypatch: pytest.MonkeyPatch) -> None:
    # The record as it was published before dc1-relay existed: the computed record must be checked.
    monkeypatch.setattr("o365relay.rules.dns.spf_value",
                        lambda spec, domain: "v=spf1 include:spf.protection.outlook.com -all")


# rule id -> (case name, spec factory, expected target of the first finding, optional monkeypatch)
FAILING: dict[str, tuple[str, Callable[[], RelaySpec], str, Callable[[pytest.MonkeyPatch], None] | None]] = {
    "no-open-relay": ("range-wider-than-24",
                      model_case(_connector(sender_ips=("203.0.112.0/23",))),
                      "connectors.dc1-relay.senderIPs[0]", None),
    "connector-tls": ("plain-text-connector", doc_case(_set("connectors/dc1-relay/requireTls", False)),
                      "connectors.dc1-relay.requireTls", None),
    "reject-direct-send": ("direct-send-accepted", doc_case(_set("tenant/rejectDirectSend", False)),
                           "tenant.rejectDirectSend", None),
    "direct-send-connector": ("disabled-connector", doc_case(_set("connectors/dc1-relay/enabled", False)),
                              "connectors.dc1-relay.enabled", None),
    "spf-policy": ("spf-without-microsoft",
                   doc_case(_set("domains/contoso.com/spf", {"include": ["_spf.salesforce.com"]})),
                   "domains.contoso.com.spf.include", None),
    "spf-lookup-limit": ("eleven-lookups", doc_case(_many_includes), "domains.contoso.com.spf.include", None),
    "spf-lookups-unverified": ("vendor-include-offline",
                               doc_case(_set("domains/contoso.com/spf",
                                             {"include": ["spf.protection.outlook.com", "_spf.vendor.example"]})),
                               "domains.contoso.com.spf.include", None),
    "spf-covers-connectors": ("stale-spf-record", doc_case(lambda doc: None), "domains.contoso.com.spf",
                              _stale_spf_record),
    "dkim-2048": ("dkim-1024", doc_case(_set("domains/contoso.com/dkim", {"keySize": 1024})),
                  "domains.contoso.com.dkim.keySize", None),
    "dmarc-enforced": ("dmarc-none", doc_case(_set("domains/contoso.com/dmarc/policy", "none")),
                       "domains.contoso.com.dmarc.policy", None),
    "mta-sts-reporting": ("mta-sts-without-tls-rpt", doc_case(_set("domains/contoso.com/mtaSts", {"mode": "testing"})),
                          "domains.contoso.com.mtaSts", None),
    "dmarc-reject": ("dmarc-quarantine", doc_case(_set("domains/contoso.com/dmarc/policy", "quarantine")),
                     "domains.contoso.com.dmarc.policy", None),
    "send-as-declared-trustee": ("undeclared-trustee", model_case(_undeclared_trustee), "sendAs[0].trustee",
                                 None),
    "full-access-own-mailbox": ("shared-mailbox", doc_case(_shared_mailbox),
                                "serviceAccounts.erp-copy.mailbox", None),
    "no-basic-smtp-auth": ("basic-auth-scanner", doc_case(_scanner), "serviceAccounts.scanner", None),
    "switch-enforce-evidence": ("enforce-without-evidence",
                                doc_case(_set("tenant/rejectDirectSend", {"stage": "enforce"})),
                                "tenant.rejectDirectSend", None),
    "switch-observe": ("observe-undeclared-printer", doc_case(_observed_printer), "tenant.smtpAuth", None),
    "org-smtp-auth-off": ("org-smtp-auth-on", doc_case(_set("tenant/smtpAuth", "enabled")),
                          "tenant.smtpAuth", None),
    "oauth-strong-credential": ("year-long-secret", doc_case(_secret_sender),
                                "serviceAccounts.erp-mailer.credential.expiresInDays", None),
    "outbound-tls-validated": ("partner-encryption-only",
                               doc_case(_outbound(recipientDomains=["fabrikam.com"], useMxRecord=True,
                                                  tls="EncryptionOnly")),
                               "connectors.partner.tls", None),
    "no-unvalidated-smart-host-for-all": ("all-mail-via-unvalidated-smart-host",
                                          doc_case(_outbound(recipientDomains=["*"], smartHosts=["gw.example.net"])),
                                          "connectors.partner", None),
    "partner-restricted": ("partner-open-door", doc_case(_partner()), "connectors.ticketing", None),
    "partner-tls": ("partner-plain-text", doc_case(_partner(certificateName="*.ticketing.example", requireTls=False)),
                    "connectors.ticketing.requireTls", None),
    "no-connection-filter-allow-list": ("relay-ip-allow-listed",
                                        doc_case(_set("tenant/connectionFilter", {"ipAllowList": ["203.0.113.5"]})),
                                        "tenant.connectionFilter.ipAllowList[0]", None),
    "auth-policy-basic-scope": ("policy-allows-imap",
                                doc_case(_set("authenticationPolicies",
                                              {"Relay devices": {"allowBasicAuth": ["smtp", "imap"]}})),
                                "authenticationPolicies.Relay devices.allowBasicAuth", None),
    "waiver-expired": ("expired-waiver",
                       doc_case(_waiver("dmarc-enforced", "domains.contoso.com", "2026-01-31")),
                       "waivers[0].expires", None),
    "waiver-unmatched": ("waiver-on-clean-sender",
                         doc_case(_waiver("no-basic-smtp-auth", "serviceAccounts.erp-mailer", "2027-03-31")),
                         "waivers[0].target", None),
}


def test_every_rule_has_a_failing_case() -> None:
    assert set(FAILING) == set(RULES)


def test_clean_fixture_passes_every_rule(options: LintOptions) -> None:
    assert lint(build(clean_doc()), options) == []


@pytest.mark.parametrize("rule_id", list(FAILING))
def test_failing_case(rule_id: str, options: LintOptions, monkeypatch: pytest.MonkeyPatch) -> None:
    _name, make, target, patch = FAILING[rule_id]
    if patch:
        patch(monkeypatch)
    findings = lint(make(), options)
    if rule_id == "spf-policy":  # its case names a vendor include, whose nested lookups lint cannot count
        findings = [f for f in findings if f.rule != "spf-lookups-unverified"]
    assert {f.rule for f in findings} == {rule_id}, [f.message for f in findings]
    assert findings[0].target == target
    assert all(f.status == "failing" for f in findings)


@pytest.mark.parametrize("rule_id", list(RULES))
def test_rule_metadata(rule_id: str) -> None:
    rule = RULES[rule_id]
    assert rule.id.replace("-", "").isalnum() and rule.id == rule.id.lower()
    assert rule.rationale.endswith(".") and "\n" not in rule.rationale
    assert rule.fix and rule.severity in ("low", "medium", "high", "critical")
    assert all(isinstance(b, str) and b for b in rule.baselines)


def test_a_default_policy_allowing_basic_smtp_is_found_and_a_waiver_on_the_policy_covers_its_extra_protocols(
        options: LintOptions) -> None:
    doc = clean_doc()
    doc["tenant"]["defaultAuthenticationPolicy"] = "Relay devices"
    doc["authenticationPolicies"] = {"Relay devices": {"allowBasicAuth": ["smtp", "pop"]}}
    doc["waivers"] = [{"rule": "auth-policy-basic-scope", "target": "authenticationPolicies.Relay devices",
                       "reason": "old MFP fetches scans over POP", "expires": "2099-01-31"}]
    findings = {(f.target, f.status) for f in lint(build(doc), options)}
    assert findings == {("authenticationPolicies.Relay devices.allowBasicAuth", "waived"),
                        ("tenant.defaultAuthenticationPolicy", "failing")}
