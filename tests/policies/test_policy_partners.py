"""The pack on partner connectors, driven over gRPC like the engine drives it: the stack policies report what
``relayctl lint`` reports, and the resource policy on exchange:PartnerConnector refuses an open door, also
one declared by hand with IPs listed but not restricted to."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from policy_analyzer import PolicyAnalyzer
from program_graph import program_resources

from o365relay.cli.main import main

PARTNER_TYPE = "pulumi-python:dynamic/exchange:PartnerConnector"
SPEC = """\
version: 1
tenant:
  id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a
  initialDomain: contoso.onmicrosoft.com
domains:
  contoso.com: {}
connectors:
  dc1-relay:
    senderIPs: [203.0.113.0/28]
  ticketing:
    type: partner
    senderDomains: [contoso.com]
    senderIPs: [192.0.2.0/24]
  newsletter:
    type: partner
    senderDomains: [contoso.com]
"""


@pytest.fixture(scope="module")
def analyzer() -> Iterator[PolicyAnalyzer]:
    pack = PolicyAnalyzer({"o365-relay:enforcement": "mandatory"})
    yield pack
    pack.close()


def test_partner_findings_match_relayctl_lint(analyzer: PolicyAnalyzer, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "relay.prod.yaml"
    spec.write_text(SPEC)
    assert main(["lint", str(spec), "--format", "json", "--enforcement", "mandatory"]) == 1
    failing = [f for f in json.loads(capsys.readouterr().out)["findings"] if f["status"] == "failing"]
    [open_door] = [f for f in failing if f["rule"] == "partner-restricted"]
    assert open_door["path"] == "spec.connectors.newsletter"

    resources = program_resources(spec, "mandatory")
    stack = analyzer.analyze_stack([r.analyze_stack_resource() for r in resources])
    assert ("partner-restricted", f"{open_door['path']}: {open_door['message']}") in {(d.policy, d.message)
                                                                                     for d in stack}
    partners = {r.name: r for r in resources if r.type == PARTNER_TYPE}
    per_resource = {name: [(d.policy, d.message) for d in analyzer.analyze(r.type, r.name, r.urn, r.inputs)]
                    for name, r in partners.items()}
    assert per_resource == {"ticketing-connector": [],
                            "newsletter-connector": [("exchange-partner-connector", open_door["message"])]}

    ticketing = partners["ticketing-connector"]
    unrestricted = {**ticketing.inputs, "restrict_domains_to_ip_addresses": False}  # declared by hand
    [(policy, message)] = [(d.policy, d.message)
                           for d in analyzer.analyze(ticketing.type, ticketing.name, ticketing.urn, unrestricted)]
    assert policy == "exchange-partner-connector" and "names neither senderIPs nor certificateName" in message
