"""MTA-STS and TLS-RPT end to end: `relayctl dns` against dnsmasq on loopback and the policy served by a
real HTTPS server, as a sending MTA would fetch it; `--mta-sts-policy` prints the file to serve."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from policy_host import PolicyHost
from test_dns_cli import dkim_targets_file, prod_zone

from o365relay.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
POLICY = ("version: STSv1\r\nmode: enforce\r\nmx: *.mail.protection.outlook.com\r\nmax_age: 604800\r\n")
STS_RECORD = f"v=STSv1; id={hashlib.sha256(POLICY.encode()).hexdigest()[:20]}"
TLSRPT_RECORD = "v=TLSRPTv1; rua=mailto:tls-reports@contoso.com"


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    text = (ROOT / "relay.prod.yaml").read_text().replace(
        "  contoso.com:\n", "  contoso.com:\n    mtaSts: {mode: enforce}\n"
                            "    tlsRpt: {rua: ['mailto:tls-reports@contoso.com']}\n", 1)
    path = tmp_path / "relay.sts.yaml"
    path.write_text(text)
    shutil.copytree(ROOT / "certs", tmp_path / "certs")
    return path


@pytest.fixture
def host(tmp_path: Path) -> Iterator[PolicyHost]:
    server = PolicyHost(tmp_path, ["mta-sts.contoso.com"])
    server.pages["mta-sts.contoso.com"] = (200, "text/plain", POLICY)
    yield server
    server.stop()




def zone(*, sts: str = STS_RECORD, tlsrpt: str = TLSRPT_RECORD) -> list[tuple[str, ...]]:
    return [*prod_zone(), ("txt", "_mta-sts.contoso.com", sts), ("txt", "_smtp._tls.contoso.com", tlsrpt),
            ("a", "mta-sts.contoso.com", "127.0.0.1")]


Found = dict[str, list[dict[str, object]]]


def run(spec: Path, address: str, host: PolicyHost, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        ) -> tuple[int, Found]:
    """The exit code and the MTA-STS checks (record, then policy) and TLS-RPT checks, by kind."""
    code = main(["dns", str(spec), "--offline", "--nameserver", address, "--dnsbl", "dnsbl.example",
                 "--dkim-targets", dkim_targets_file(tmp_path), "--mta-sts-port", str(host.port),
                 "--mta-sts-ca", str(host.ca_file), "--format", "json"])
    out, err = capsys.readouterr()
    assert out, err
    found: Found = {}
    for check in json.loads(out)["checks"]:
        found.setdefault(check["check"], []).append(check)
    return code, found


def sts_checks(found: Found) -> list[dict[str, object]]:
    return found["mta-sts"]


def test_policy_record_and_reporting_as_declared_pass(spec, dns_server, host, tmp_path, capsys) -> None:
    code, found = run(spec, dns_server.start(zone()), host, tmp_path, capsys)
    assert [c["status"] for c in sts_checks(found)] == ["ok", "ok"]
    assert [c["status"] for c in found["tls-rpt"]] == ["ok"]
    assert code == 0


def test_a_policy_in_testing_mode_while_the_spec_enforces_is_a_finding(spec, dns_server, host, tmp_path,
                                                                         capsys) -> None:
    host.pages["mta-sts.contoso.com"] = (200, "text/plain", POLICY.replace("enforce", "testing"))
    code, found = run(spec, dns_server.start(zone()), host, tmp_path, capsys)
    (policy,) = [c for c in sts_checks(found) if c["status"] != "ok"]
    assert policy["message"] == "mode is testing; the spec declares enforce"
    assert code == 1


def test_an_mx_the_policy_does_not_cover_is_a_finding(spec, dns_server, host, tmp_path, capsys) -> None:
    records = [r for r in zone() if r[:2] != ("mx", "contoso.com")] + [("mx", "contoso.com", "mx.gateway.example", "0")]
    code, found = run(spec, dns_server.start(records), host, tmp_path, capsys)
    messages = [c["message"] for c in sts_checks(found) if c["status"] == "finding"]
    assert any("MX mx.gateway.example matches no mx pattern" in m for m in messages)
    assert code == 1


def test_a_stale_policy_id_and_missing_reporting_record_are_findings(spec, dns_server, host, tmp_path,
                                                                      capsys) -> None:
    code, found = run(spec, dns_server.start(zone(sts="v=STSv1; id=20240101", tlsrpt="unrelated")), host,
                      tmp_path, capsys)
    assert [c["status"] for c in sts_checks(found)] == ["finding", "ok"]
    assert found["tls-rpt"][0]["message"].startswith("no record at _smtp._tls.contoso.com; dns.backend none: ")
    assert code == 1


@pytest.mark.parametrize(("page", "reason"), [((404, "text/plain", "gone"), "HTTP 404"),
                                              ((200, "text/html", POLICY), "Content-Type 'text/html'")])
def test_a_policy_a_sender_would_refuse_is_a_finding(page, reason, spec, dns_server, host, tmp_path,
                                                      capsys) -> None:
    host.pages["mta-sts.contoso.com"] = page
    code, found = run(spec, dns_server.start(zone()), host, tmp_path, capsys)
    assert any(reason in str(c["message"]) for c in sts_checks(found) if c["status"] == "finding")
    assert code == 1


def test_a_certificate_for_another_name_is_a_finding(spec, dns_server, tmp_path, capsys) -> None:
    other = PolicyHost(tmp_path, ["www.contoso.com"])
    other.pages["mta-sts.contoso.com"] = (200, "text/plain", POLICY)
    try:
        code, found = run(spec, dns_server.start(zone()), other, tmp_path, capsys)
    finally:
        other.stop()
    assert [c["status"] for c in sts_checks(found)] == ["ok", "finding"]
    assert code == 1


def test_the_policy_file_to_serve_is_printed(spec, capsys) -> None:
    assert main(["dns", str(spec), "--mta-sts-policy", "contoso.com"]) == 0
    assert capsys.readouterr().out == POLICY


def test_a_domain_without_mta_sts_has_no_policy_to_print(spec, capsys) -> None:
    assert main(["dns", str(spec), "--mta-sts-policy", "notify.contoso.com"]) == 2
    assert "domains with mtaSts: contoso.com" in capsys.readouterr().err
