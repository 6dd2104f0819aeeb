"""relayctl test-send from a SaaS partner's side against the sandbox: through its partner connector once the
tenant has it (path read from message trace), refused from anywhere else with the reason named (the IP
it came from, the certificate it presented or not), and never passed off as a partner test when the
message went in as direct send."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from exo_client import ExoCaller
from testsend_helpers import SPEC

from o365relay.cli.main import main

FAST = ["--timeout", "20"]
PARTNERS = """  ticketing:
    type: partner
    senderDomains: [contoso.com]
    senderIPs: [192.0.2.0/24]
  crm:
    type: partner
    senderDomains: [contoso.com]
    certificateName: '*.crm.example'
serviceAccounts:
"""


@pytest.fixture
def spec(tmp_path: Path) -> str:
    path = tmp_path / "relay.partners.yaml"
    path.write_text(Path(SPEC).read_text().replace("serviceAccounts:\n", PARTNERS, 1))
    return str(path)


def apply_partners(tenant: Any, reject_direct_send: bool = True) -> None:
    """What `pulumi up` would leave: the partner connectors, and direct send rejected."""
    exo = ExoCaller(tenant)
    exo.ok("New-InboundConnector", {"Name": "ticketing", "ConnectorType": "Partner", "SenderDomains": ["contoso.com"],
                                    "SenderIPAddresses": ["192.0.2.0/24"], "RestrictDomainsToIPAddresses": True})
    exo.ok("New-InboundConnector", {"Name": "crm", "ConnectorType": "Partner", "SenderDomains": ["contoso.com"],
                                    "TlsSenderCertificateName": "*.crm.example", "RestrictDomainsToCertificate": True})
    exo.ok("Set-OrganizationConfig", {"RejectDirectSend": reject_direct_send})


def send(capsys: Any, spec: str, *args: str) -> tuple[int, str]:
    code = main(["test-send", spec, *args])
    return code, capsys.readouterr().out


def test_the_partner_sends_through_its_connector(tenant: Any, spec: str, capsys: Any) -> None:
    apply_partners(tenant)
    code, out = send(capsys, spec, "ticketing", "--client-ip", "192.0.2.25", *FAST)
    assert code == 0, out
    assert "test-send ticketing by partner: From partner-test@contoso.com" in out
    assert "path: through inbound connector ticketing" in out and "verdict: DELIVERED" in out


def test_from_another_ip_it_is_refused_and_the_ip_named(tenant: Any, spec: str, capsys: Any) -> None:
    apply_partners(tenant)
    code, out = send(capsys, spec, "ticketing", "--client-ip", "198.51.100.9", *FAST)
    assert code == 1, out
    assert "reply: 550 5.7.51 TenantInboundAttribution" in out and "A partner connector refused the source" in out
    assert ("it came from 198.51.100.9, which connectors.ticketing.senderIPs (192.0.2.0/24) does not list: mail "
            "from anywhere else is refused, as it should be") in out


def test_a_certificate_pinned_partner_needs_its_certificate(tenant: Any, spec: str, capsys: Any) -> None:
    apply_partners(tenant)
    assert main(["sandbox", "partner-cert", "mx1.crm.example", "--state-dir", str(tenant.state_dir)]) == 0
    issued = dict(line.split(maxsplit=1) for line in capsys.readouterr().out.splitlines()[:2])
    cert, key = issued["certificate"], issued["key"].split()[0]
    code, out = send(capsys, spec, "crm", "--client-ip", "198.51.100.9", "--client-cert", cert, "--client-key", key,
                     *FAST)
    assert code == 0, out
    assert "path: through inbound connector crm" in out

    code, out = send(capsys, spec, "crm", "--client-ip", "198.51.100.9", *FAST)
    assert code == 1 and "550 5.7.51" in out, out
    assert "it presented no certificate, and connectors.crm.certificateName wants *.crm.example" in out
    assert main(["sandbox", "partner-cert", "mx1.other.example", "--state-dir", str(tenant.state_dir)]) == 0
    other = dict(line.split(maxsplit=1) for line in capsys.readouterr().out.splitlines()[:2])
    code, out = send(capsys, spec, "crm", "--client-ip", "198.51.100.9", "--client-cert", other["certificate"],
                     "--client-key", other["key"].split()[0], *FAST)
    assert code == 1 and "its certificate names mx1.other.example, not *.crm.example" in out, out


def test_before_the_spec_is_applied_direct_send_refuses_it(tenant: Any, spec: str, capsys: Any) -> None:
    ExoCaller(tenant).ok("Set-OrganizationConfig", {"RejectDirectSend": True})
    code, out = send(capsys, spec, "ticketing", "--client-ip", "192.0.2.25", *FAST)
    assert code == 1 and "550 5.7.68" in out, out
    assert "partner connector ticketing as the spec declares it would take this source: apply the spec" in out


def test_direct_send_is_not_passed_off_as_the_partner(tenant: Any, spec: str, capsys: Any) -> None:
    code, out = send(capsys, spec, "ticketing", "--client-ip", "192.0.2.25", *FAST)  # nothing applied yet
    assert code == 1, out
    assert re.search(r"erp@contoso\.com\s+delivered", out)
    assert "path: direct send" in out
    assert "not a partner test: the message went in as direct send, not through ticketing" in out


@pytest.mark.parametrize(("args", "message"), [
    (["--client-cert", "cert.pem"], "--client-cert and --client-key go together"),
    (["--method", "partner", "dc1-relay"], "--method partner needs a partner connector (type: partner)"),
])
def test_bad_partner_options_exit_2(tenant: Any, spec: str, capsys: Any, args: list[str], message: str) -> None:
    sender = [] if "dc1-relay" in args else ["ticketing"]
    assert main(["test-send", spec, *sender, *args]) == 2
    assert message in capsys.readouterr().err


def test_an_unreadable_client_certificate_is_bad_input(tenant: Any, spec: str, capsys: Any, tmp_path: Path) -> None:
    apply_partners(tenant)
    missing = str(tmp_path / "nope.pem")
    assert main(["test-send", spec, "crm", "--client-cert", missing, "--client-key", missing, *FAST]) == 2
    assert f"cannot use the client certificate {missing}" in capsys.readouterr().err
