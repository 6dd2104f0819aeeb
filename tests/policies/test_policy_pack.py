"""The CrossGuard pack, driven over gRPC as the engine drives it, against the program's real resources.

The resources come from running the Pulumi program under the mock runtime; the analyzer is the real
``python -m pulumi.policy`` process loading ``policies/``. What it reports is compared with what
``relayctl lint`` reports for the same spec file.
"""

from __future__ import annotations

import datetime
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from policy_analyzer import LEVEL_NAMES, Diagnostic, PolicyAnalyzer
from program_graph import Registered, program_resources

from o365relay.cli.main import main
from o365relay.rules import RULES

REPO = Path(__file__).resolve().parents[2]
RESOURCE_POLICIES = {"exchange-inbound-connector": ("no-open-relay", "connector-tls"),
                     "exchange-partner-connector": ("partner-restricted",),
                     "exchange-outbound-connector": ("no-unvalidated-smart-host-for-all",),
                     "exchange-org-smtp-auth": ("org-smtp-auth-off",),
                     "exchange-dkim-signing-config": ("dkim-2048",)}

# A valid spec (it loads) that breaks eight rules, one of them through an expired waiver.
FINDINGS_SPEC = """\
version: 1
tenant:
  id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a
  initialDomain: contoso.onmicrosoft.com
  smtpAuth: enabled
  rejectDirectSend: false
domains:
  contoso.com:
    dkim: {keySize: 1024}
    dmarc: {policy: none, rua: ["mailto:dmarc@contoso.com"]}
connectors:
  dc1-relay:
    senderIPs: [203.0.113.0/28]
    requireTls: false
serviceAccounts:
  erp-mailer:
    kind: application
    mailbox: erp@contoso.com
    credential: {type: secret, expiresInDays: 365}
  scanner:
    kind: mailbox
    mailbox: scanner@contoso.com
waivers:
  - rule: no-basic-smtp-auth
    target: serviceAccounts.scanner
    reason: replaced by the new MFP, FAC-1
    expires: 2020-01-31
"""


def write_certificate(path: Path) -> None:
    """A public certificate like the one a device owner would commit for a certificate sender."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "monitoring-alerts")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now)
            .not_valid_after(now + datetime.timedelta(days=365)).sign(key, hashes.SHA256()))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))


@pytest.fixture(scope="module")
def example_spec(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """relay.prod.yaml as shipped, beside the certificate file it names."""
    root = tmp_path_factory.mktemp("example")
    shutil.copy(REPO / "relay.prod.yaml", root / "relay.prod.yaml")
    write_certificate(root / "certs" / "monitoring-alerts.pem")
    return root / "relay.prod.yaml"


@pytest.fixture(scope="module")
def findings_spec(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("findings") / "relay.dev.yaml"
    path.write_text(FINDINGS_SPEC)
    return path


@pytest.fixture(scope="module")
def analyzer() -> Iterator[PolicyAnalyzer]:
    pack = PolicyAnalyzer({"o365-relay:enforcement": "mandatory"})
    yield pack
    pack.close()


def run_pack(pack: PolicyAnalyzer, resources: list[Registered]
             ) -> tuple[list[tuple[Registered, Diagnostic]], list[Diagnostic]]:
    """Analyze every resource with its inputs, then the stack with every resource's outputs."""
    per_resource = [(r, d) for r in resources for d in pack.analyze(r.type, r.name, r.urn, r.inputs)]
    stack = pack.analyze_stack([r.analyze_stack_resource() for r in resources])
    return per_resource, stack


def relayctl_lint(spec: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    code = main(["lint", str(spec), "--format", "json", *args])
    return code, json.loads(capsys.readouterr().out)


def test_analyzer_describes_every_rule_as_a_policy(analyzer: PolicyAnalyzer) -> None:
    info = analyzer.info()
    policies = {p.name: p for p in info.policies}
    assert info.name == "o365-relay"
    assert set(policies) == {*RULES, "spec-valid", *RESOURCE_POLICIES}
    dmarc = policies["dmarc-enforced"]
    assert dmarc.description == RULES["dmarc-enforced"].rationale
    assert dmarc.remediation_steps == RULES["dmarc-enforced"].fix
    assert list(dmarc.tags) == list(RULES["dmarc-enforced"].baselines)
    # The stack config (o365-relay:enforcement: mandatory) is the default level of every policy but the
    # advisory-only ones, which say what could not be checked offline or what a rollout observes.
    levels = {p.name: LEVEL_NAMES[p.enforcementLevel] for p in info.policies}
    assert {n for n, level in levels.items() if level != "mandatory"} == {"spf-lookups-unverified",
                                                                          "switch-observe"}
    assert levels["spf-lookups-unverified"] == "advisory"


def test_example_stack_passes_the_pack_except_what_the_waiver_covers(
        analyzer: PolicyAnalyzer, example_spec: Path, capsys: pytest.CaptureFixture[str]) -> None:
    resources = program_resources(example_spec, "mandatory")
    assert {r.type for r in resources} >= {"o365relay:index:RelayStack",
                                           "pulumi-python:dynamic/exchange:InboundConnector"}
    per_resource, stack = run_pack(analyzer, resources)
    # the only diagnostic: offline, the vendor include's nested lookups are not counted (advisory)
    assert per_resource == [] and [(d.policy, d.enforcement) for d in stack] == [
        ("spf-lookups-unverified", "advisory")]
    code, report = relayctl_lint(example_spec, capsys, "--enforcement", "mandatory")
    assert code == 0 and sorted((f["rule"], f["status"]) for f in report["findings"]) == [
        ("dmarc-reject", "waived"), ("no-basic-smtp-auth", "waived"), ("spf-lookups-unverified", "failing")]


def test_pack_reports_the_same_findings_as_relayctl_lint(
        analyzer: PolicyAnalyzer, findings_spec: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, report = relayctl_lint(findings_spec, capsys, "--enforcement", "mandatory")
    failing = [f for f in report["findings"] if f["status"] == "failing"]
    assert code == 1 and {f["rule"] for f in failing} == {
        "org-smtp-auth-off", "reject-direct-send", "connector-tls", "dkim-2048", "dmarc-enforced",
        "oauth-strong-credential", "no-basic-smtp-auth", "waiver-expired"}

    per_resource, stack = run_pack(analyzer, program_resources(findings_spec, "mandatory"))

    expected = {(f["rule"], f"{f['path']}: {f['message']}") for f in failing}
    assert {(d.policy, d.message) for d in stack} == expected
    assert all(d.enforcement == "mandatory" for d in stack)
    assert all(d.urn.endswith("$o365relay:index:RelayStack::relay") for d in stack)
    resource_rules = {rule for rules in RESOURCE_POLICIES.values() for rule in rules}
    expected_messages = {f["message"] for f in failing if f["rule"] in resource_rules}
    assert {d.message for _, d in per_resource} == expected_messages
    flagged = {(d.policy, r.type.rsplit("/", 1)[1]) for r, d in per_resource}
    assert flagged == {("exchange-inbound-connector", "exchange:InboundConnector"),
                       ("exchange-org-smtp-auth", "exchange:OrgSmtpAuth"),
                       ("exchange-dkim-signing-config", "exchange:DkimSigningConfig")}
    assert all(d.enforcement == "mandatory" for _, d in per_resource)


def test_a_range_wider_than_24_is_refused_by_both(
        analyzer: PolicyAnalyzer, findings_spec: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wide = tmp_path / "relay.wide.yaml"
    wide.write_text(FINDINGS_SPEC.replace("203.0.113.0/28", "203.0.112.0/23"))
    assert main(["lint", str(wide)]) == 2
    lint_problem = capsys.readouterr().err.splitlines()[0].split(": ", 1)[1]  # "spec.connectors...: why"

    # The program refuses the same spec, so take the graph of the valid one and widen the range in
    # both places the pack reads it: the connector's inputs and the RelayStack's spec.
    resources = program_resources(findings_spec)
    connector = next(r for r in resources if r.type.endswith("exchange:InboundConnector"))
    relay_stack = next(r for r in resources if r.type == "o365relay:index:RelayStack")
    diagnostics = analyzer.analyze(connector.type, connector.name, connector.urn,
                                   {**connector.inputs, "sender_ips": ["203.0.112.0/23"]})
    assert ("connector dc1-relay: '203.0.112.0/23' is a /23; Exchange accepts sender ranges from /24 to /32, "
            "so split it into /24s or list the addresses that send") in {
        d.message for d in diagnostics if d.policy == "exchange-inbound-connector"}
    spec_doc = json.loads(json.dumps(relay_stack.outputs["spec"]))
    spec_doc["connectors"]["dc1-relay"]["senderIPs"] = ["203.0.112.0/23"]
    widened = {**relay_stack.analyze_stack_resource(), "properties": {"spec": spec_doc}}
    stack = analyzer.analyze_stack([widened])
    assert [(d.policy, d.message) for d in stack] == [("spec-valid", lint_problem)]


def test_pack_config_overrides_the_stack_default(findings_spec: Path) -> None:
    resources = program_resources(findings_spec)
    pack = PolicyAnalyzer({"o365-relay:enforcement": "advisory"})
    try:
        _, stack = run_pack(pack, resources)
        assert stack and all(d.enforcement == "advisory" for d in stack)
        pack.configure({"dmarc-enforced": {"enforcementLevel": "mandatory"},
                        "oauth-strong-credential": {"enforcementLevel": "advisory", "maxSecretDays": 400},
                        "waiver-expired": {"enforcementLevel": "disabled"}})
        _, stack = run_pack(pack, resources)
        levels = {d.policy: d.enforcement for d in stack}
        assert levels["dmarc-enforced"] == "mandatory" and levels["reject-direct-send"] == "advisory"
        assert "oauth-strong-credential" not in levels  # 365 days is within the configured 400
        assert "waiver-expired" not in levels
    finally:
        pack.close()


def extra(kind: str, name: str, **props: Any) -> dict[str, Any]:
    """A resource the spec does not declare (added by hand to the program, or a program bug)."""
    parent = "urn:pulumi:test::o365-relay::o365relay:index:RelayStack"
    urn = f"{parent}$pulumi-python:dynamic/exchange:{kind}::{name}"
    return {"type": f"pulumi-python:dynamic/exchange:{kind}", "name": name, "urn": urn, "properties": props}


def test_stack_policies_hold_the_program_resources_to_the_spec(analyzer: PolicyAnalyzer,
                                                                example_spec: Path) -> None:
    resources = [r.analyze_stack_resource() for r in program_resources(example_spec)]
    [contoso] = [r for r in resources if r["type"].endswith("dns:MailDomain") and r["name"] == "contoso.com"]
    assert contoso["properties"]["spf"].startswith("v=spf1 ip4:203.0.113.0/28 ip4:198.51.100.25 ")
    stale_spf = "v=spf1 ip4:203.0.113.0/28 include:x.example -all"  # as if the program dropped an IP
    contoso["properties"] = {**contoso["properties"], "spf": stale_spf}
    resources += [
        extra("SendAsGrant", "x", mailbox="ceo@contoso.com", trustee="x", service_account="helpdesk-bot"),
        extra("FullAccessGrant", "y", mailbox="ceo@contoso.com", user="y", service_account="erp-mailer"),
        extra("MailboxSmtpAuth", "z", mailbox="ceo@contoso.com", enabled=True),
    ]
    found = {(d.policy, d.urn.rsplit("::", 1)[1]): d.message for d in analyzer.analyze_stack(resources)
             if d.policy != "spf-lookups-unverified"}  # offline lower bound, covered by its own tests
    assert found == {
        ("send-as-declared-trustee", "x"): "send-as on ceo@contoso.com goes to helpdesk-bot, which the spec "
                                           "does not declare",
        ("full-access-own-mailbox", "y"): "FullAccess on ceo@contoso.com for erp-mailer, which is not that "
                                          "service account's mailbox",
        ("org-smtp-auth-off", "z"): "SMTP AUTH is switched on for ceo@contoso.com, which is no declared "
                                    "sender's mailbox",
        ("spf-covers-connectors", "contoso.com"): f"the published SPF of contoso.com ({stale_spf}) does not "
                                                  "authorise 198.51.100.25 of connector dc1-relay",
    }
