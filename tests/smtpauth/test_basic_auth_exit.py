"""Issue 19's story on the sandbox, end to end: an undeclared printer still signs in with Basic SMTP AUTH
(a real AUTH LOGIN conversation, swaks) and a device sends by direct send (the MX endpoint, from a public
address given with XCLIENT). Discovery names both and proposes their stanzas; the rollout at stage enforce
is refused by lint and by the policy pack with the evidence; once the stanzas are in the spec and the
evidence is read again, enforce is allowed, ``pulumi up`` (the real engine, policy pack loaded) sets the
switches, and the declared printer still sends.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from swaks_client import basic_login, swaks

from o365relay.cli.main import main
from o365relay.engine.cli import PulumiCli, write_stack_config
from o365relay.engine.plan import read_plan
from o365relay.sandbox import store as st
from o365relay.sandbox.runner import Sandbox

ROOT = Path(__file__).resolve().parents[2]
BROWNFIELD = ROOT / "o365relay" / "sandbox" / "seeds" / "brownfield.yaml"
PRINTER = "copier-legacy@contoso.com"  # brownfield seed: SMTP AUTH on for its mailbox, a password
DEVICE_IP = "198.51.100.23"
SPEC = """\
version: 1
tenant:
  id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a
  initialDomain: contoso.onmicrosoft.com
  smtpAuth: {stage: STAGE, evidenceDays: 1}
  rejectDirectSend: {stage: STAGE, evidenceDays: 1}
  EVIDENCE
domains:
  contoso.com:
    dmarc: {policy: reject, rua: ["mailto:dmarc-reports@contoso.com"]}
"""


def basic_send(sandbox: Sandbox) -> str:
    return basic_login(sandbox, PRINTER, str(sandbox.secret_for(PRINTER)), "--from", PRINTER,
                       "--to", "erp@contoso.com").stdout


def direct_send(sandbox: Sandbox, *tls: str, ip: str = DEVICE_IP) -> str:
    return swaks("--server", sandbox.smtp_host, "--port", str(sandbox.mx_port), "--xclient-addr", ip,
                 "--from", "plotter@contoso.com", "--to", "erp@contoso.com", *tls).stdout


def write_spec(folder: Path, stage: str, extra: str = "", evidence: bool = True) -> Path:
    spec = folder / "relay.test.yaml"
    spec.write_text(SPEC.replace("STAGE", stage).replace("EVIDENCE", "evidence: evidence.json" if evidence else "")
                    + extra)
    return spec


def report(spec: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:
    code = main(["smtp-auth-report", str(spec), "--days", "1", "--evidence", str(spec.parent / "evidence.json"),
                 "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


def lint(spec: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[dict[str, Any]]]:
    code = main(["lint", str(spec), "--format", "json"])
    findings = json.loads(capsys.readouterr().out)["findings"]
    return code, [f for f in findings if f["rule"] == "switch-enforce-evidence"]


@pytest.fixture
def brownfield(sandbox_factory: Any, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    sandbox: Sandbox = sandbox_factory(seed=BROWNFIELD, dns_team=True)
    for key, value in sandbox.env().items():
        monkeypatch.setenv(key, value)
    return sandbox


@pytest.mark.slow
def test_from_basic_auth_in_use_to_switches_enforced(brownfield: Sandbox, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    org = brownfield.store.organization()
    brownfield.store.update(st.ORGANIZATION, org["id"], {"smtpClientAuthenticationDisabled": False})
    assert "235 2.7.0 Authentication successful" in basic_send(brownfield)
    assert "250 2.0.0 OK" in direct_send(brownfield)
    time.sleep(1.1)  # Graph filters on whole seconds: let "now" (the window's end) pass the sends' second

    # 1. Discovery names both senders and proposes their stanzas (the spec names no evidence yet).
    spec = write_spec(tmp_path, "observe", evidence=False)
    code, found = report(spec, capsys)
    assert code == 1
    assert found["signInLog"] == "read"
    assert found["breaking"] == {"smtpAuth": [PRINTER], "rejectDirectSend": ["plotter@contoso.com"]}
    [printer] = [s for s in found["smtpAuth"] if s["address"] == PRINTER]
    assert (printer["verdict"], printer["count"]) == ("undeclared", 1)
    proposal = yaml.safe_load(found["proposal"])
    account = proposal["serviceAccounts"]["copier-legacy"]
    assert (account["kind"], account["mailbox"]) == ("mailbox", PRINTER)
    assert "1 Basic SMTP AUTH" in account["description"]
    assert proposal["connectors"]["plotter-relay"]["senderIPs"] == [f"{DEVICE_IP}/32"]
    assert [(w["rule"], w["target"]) for w in proposal["waivers"]] == [("no-basic-smtp-auth",
                                                                        "serviceAccounts.copier-legacy")]

    # 2. Observing refuses nothing; enforcing is refused with the evidence, by lint and by the pack.
    spec = write_spec(tmp_path, "observe")
    assert lint(spec, capsys) == (0, [])
    spec = write_spec(tmp_path, "enforce")
    code, refused = lint(spec, capsys)
    assert code == 1 and len(refused) == 2
    assert all(f["enforcement"] == "mandatory" for f in refused)
    smtp = next(f["message"] for f in refused if f["path"] == "spec.tenant.smtpAuth")
    assert PRINTER in smtp and "1 Basic sign-in " in smtp and "evidence 20" in smtp and " UTC" in smtp
    direct = next(f["message"] for f in refused if f["path"] == "spec.tenant.rejectDirectSend")
    assert "plotter@contoso.com" in direct and DEVICE_IP in direct
    pulumi = PulumiCli(ROOT, backend_dir=tmp_path / "state", timeout=900,
                       config_file=write_stack_config(ROOT, tmp_path / "Pulumi.sandbox.yaml", spec),
                       env={**brownfield.env(), **brownfield.azuread_env()})
    pulumi.ensure_stack()
    preview = pulumi.preview(check=False)
    plan = read_plan(preview.events())
    assert preview.returncode != 0 and plan.blocked
    gate = [f for f in plan.findings if f.policy == "switch-enforce-evidence"]
    assert {f.level for f in gate} == {"mandatory"} and any(PRINTER in f.message and "evidence 20" in f.message
                                                            for f in gate)

    # 3. The stanzas go into the spec; the evidence is read again: enforce is allowed.
    spec = write_spec(tmp_path, "enforce", found["proposal"])
    code, clean = report(spec, capsys)
    assert code == 0 and clean["breaking"] == {"smtpAuth": [], "rejectDirectSend": []}
    assert next(s for s in clean["smtpAuth"] if s["address"] == PRINTER)["verdict"] == "declared-basic"
    assert lint(spec, capsys) == (0, [])

    # 4. pulumi up sets both switches, and the declared devices keep sending.
    assert not read_plan(pulumi.preview().events()).blocked
    pulumi.up()
    org = brownfield.store.organization()
    assert (org["smtpClientAuthenticationDisabled"], org["rejectDirectSend"]) == (True, True)
    assert "235 2.7.0 Authentication successful" in basic_send(brownfield)  # its mailbox exception
    assert "5.7.68" in direct_send(brownfield, ip="198.51.100.99")
    assert "451 5.7.3 STARTTLS is required" in direct_send(brownfield)  # the connector requires TLS
    relayed = direct_send(brownfield, "--tls", "--tls-verify", "--tls-ca-path", str(brownfield.ca_file))
    assert "250 2.0.0 OK" in relayed  # the same device through connector plotter-relay (TLS, as it requires)
