"""The pack on outbound connectors, driven over gRPC like the engine drives it: the stack policies report
what ``relayctl lint`` reports, and the resource policy on exchange:OutboundConnector refuses a
connector that sends all mail to a smart host whose certificate is never checked."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from policy_analyzer import PolicyAnalyzer
from program_graph import program_resources

from o365relay.cli.main import main

OUTBOUND_TYPE = "pulumi-python:dynamic/exchange:OutboundConnector"
SPEC = """\
version: 1
tenant:
  id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a
  initialDomain: contoso.onmicrosoft.com
connectors:
  dc1-relay:
    senderIPs: [203.0.113.0/28]
  to-fabrikam:
    direction: outbound
    recipientDomains: [fabrikam.com]
    useMxRecord: true
    tls: EncryptionOnly
  all-mail:
    direction: outbound
    recipientDomains: ['*']
    smartHosts: [gw.example.net]
  to-partner-ok:
    direction: outbound
    recipientDomains: [partner.example]
    smartHosts: [mx.partner.example]
    tls: CertificateValidation
"""


@pytest.fixture(scope="module")
def analyzer() -> Iterator[PolicyAnalyzer]:
    pack = PolicyAnalyzer({"o365-relay:enforcement": "mandatory"})
    yield pack
    pack.close()


def test_outbound_findings_match_relayctl_lint(analyzer: PolicyAnalyzer, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "relay.prod.yaml"
    spec.write_text(SPEC)
    assert main(["lint", str(spec), "--format", "json", "--enforcement", "mandatory"]) == 1
    failing = [f for f in json.loads(capsys.readouterr().out)["findings"] if f["status"] == "failing"]
    outbound = {(f["rule"], f["path"]) for f in failing if "outbound" in f["message"]}
    assert outbound == {("outbound-tls-validated", "spec.connectors.to-fabrikam.tls"),
                        ("no-unvalidated-smart-host-for-all", "spec.connectors.all-mail")}

    resources = program_resources(spec, "mandatory")
    stack = analyzer.analyze_stack([r.analyze_stack_resource() for r in resources])
    assert {(d.policy, d.message) for d in stack} == {(f["rule"], f"{f['path']}: {f['message']}") for f in failing}

    per_resource = {r.name: [(d.policy, d.message) for d in analyzer.analyze(r.type, r.name, r.urn, r.inputs)]
                    for r in resources if r.type == OUTBOUND_TYPE}
    [all_mail] = [f["message"] for f in failing if f["rule"] == "no-unvalidated-smart-host-for-all"]
    assert per_resource == {"to-fabrikam-connector": [], "all-mail-connector": [
        ("exchange-outbound-connector", all_mail)], "to-partner-ok-connector": []}
