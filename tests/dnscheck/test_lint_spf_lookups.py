"""`relayctl lint --resolve-dns` counts the lookups nested in vendor SPF includes through a real DNS
server (dnsmasq on loopback); without DNS the count is a stated lower bound, never a pass."""

from __future__ import annotations

import json
from pathlib import Path

from o365relay.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
NESTED = [("txt", f"n{i}.vendor.example", "v=spf1 ip4:192.0.2.1 -all") for i in range(9)]
VENDOR = ("txt", "_spf.vendor.example", "v=spf1 " + " ".join(f"include:n{i}.vendor.example" for i in range(9))
          + " -all")


def _spec(tmp_path: Path) -> Path:
    spec = tmp_path / "relay.prod.yaml"
    (tmp_path / "certs").mkdir()
    (tmp_path / "certs" / "monitoring-alerts.pem").write_bytes((ROOT / "certs" / "monitoring-alerts.pem").read_bytes())
    spec.write_text((ROOT / "relay.prod.yaml").read_text().replace("_spf.salesforce.com", "_spf.vendor.example"))
    return spec


def _findings(capsys, *args: str) -> tuple[int, dict[str, list[str]]]:
    code = main(["lint", *args, "--format", "json", "--enforcement", "mandatory"])
    report = json.loads(capsys.readouterr().out)
    found: dict[str, list[str]] = {}
    for f in report["findings"]:
        found.setdefault(f["rule"], []).append(f["message"])
    return code, found


def test_resolved_vendor_includes_count_their_nested_lookups(dns_server, tmp_path, capsys):
    address = dns_server.start([VENDOR, *NESTED])
    code, found = _findings(capsys, str(_spec(tmp_path)), "--resolve-dns", "--nameserver", address)
    assert code == 1
    assert found["spf-lookup-limit"] == ["SPF of contoso.com needs 12 DNS lookups (limit 10)"]
    assert "spf-lookups-unverified" not in found


def test_offline_the_count_is_a_lower_bound_not_a_pass(tmp_path, capsys):
    code, found = _findings(capsys, str(_spec(tmp_path)))
    assert found["spf-lookups-unverified"] == [
        "SPF of contoso.com needs at least 3 DNS lookups; the lookups nested in include:_spf.vendor.example "
        "were not counted (no DNS resolution)"]
    assert "spf-lookup-limit" not in found
    assert code == 0  # advisory: it says what lint could not see
