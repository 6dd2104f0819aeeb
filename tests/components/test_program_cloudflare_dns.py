"""DNS backend ``cloudflare``: the records become pulumi-cloudflare ``DnsRecord`` resources (the cloudflare
extra). No Cloudflare (nor its provider plugin, which cannot be built here) is reachable, so what the
resources would publish is loaded, beside the zone's existing records, into a real DNS server on
loopback, and ``relayctl dns`` must pass on it; an SPF record the stack does not manage refuses the run."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pulumi
import pulumi_mocks as pm
import pytest

from components import program
from components.dns_cloudflare import txt_value
from o365relay.cli.main import main

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "dnscheck"))
from dns_server import DnsServer  # noqa: E402  (the dnsmasq helper the DNS tests use)

RECORD = "cloudflare:index/dnsRecord:DnsRecord"
LOOKUP = "cloudflare:index/getDnsRecords:getDnsRecords"
ZONE_ID = "023e105f4ecef8ad9ca31a8372d0c353"
VERIFICATION = "MS=ms48261937"
# the rest of the world's DNS the checks read: the vendors' SPF includes, the domains' MX
WORLD = [("txt", "spf.protection.outlook.com", "v=spf1 ip4:40.92.0.0/15 -all"),
         ("txt", "_spf.salesforce.com", "v=spf1 ip4:13.108.16.0/20 -all"),
         ("mx", "contoso.com", "contoso-com.mail.protection.outlook.com", "0"),
         ("mx", "notify.contoso.com", "notify-contoso-com.mail.protection.outlook.com", "0")]


def cloudflare_record(name: str, content: str, comment: str = "") -> dict[str, Any]:
    """One record as Cloudflare's API lists it."""
    return {"id": f"rec-{abs(hash((name, content))):x}", "name": name, "type": "TXT", "content": content,
            "comment": comment, "commentModifiedOn": "", "createdOn": "2026-01-05T10:00:00Z", "data": {},
            "meta": "{}", "modifiedOn": "2026-01-05T10:00:00Z", "priority": 0, "privateRouting": False,
            "proxiable": False, "proxied": False, "settings": {}, "tags": [], "tagsModifiedOn": "", "ttl": 3600}


class CloudflareMocks(pm.TenantMocks):
    """TenantMocks plus Cloudflare's record listing of a zone that already holds ``existing``."""

    def __init__(self, existing: list[dict[str, Any]]):
        self.existing = existing

    def call(self, args: pulumi.runtime.MockCallArgs) -> dict:
        if args.token != LOOKUP:
            return super().call(args)
        assert args.args["zoneId"] == ZONE_ID, args.args
        name, rtype = args.args["name"]["exact"], args.args["type"]
        return {"zoneId": ZONE_ID, "results": [r for r in self.existing if (r["name"], r["type"]) == (name, rtype)]}


def spec_text(extra_ip4: int = 0) -> str:
    dns = f"    dns: {{backend: cloudflare, zoneId: {ZONE_ID}}}\n"
    text = pm.EXAMPLE_SPEC.read_text().replace("  contoso.com:\n", "  contoso.com:\n" + dns, 1)
    text = text.replace("  notify.contoso.com:\n", "  notify.contoso.com:\n" + dns, 1)
    if extra_ip4:
        ips = ", ".join(f"192.0.2.{2 * i + 1}" for i in range(extra_ip4))
        text = text.replace("      include: [spf.protection.outlook.com, _spf.salesforce.com]\n",
                            f"      include: [spf.protection.outlook.com, _spf.salesforce.com]\n      ip4: [{ips}]\n")
    return text


def render(tmp_path: Path, existing: list[dict[str, Any]], extra_ip4: int = 0) -> pm.RecordingMonitor:
    spec = pm.write_project(tmp_path, spec_text(extra_ip4))
    return pm.render(program.run, pm.stack_config(spec), CloudflareMocks(existing))


def published(stack: pm.RecordingMonitor) -> list[dict[str, Any]]:
    return [r.inputs for r in stack.registrations.values() if r.type == RECORD]


def zone_lines(records: list[dict[str, Any]]) -> list[tuple[str, ...]]:
    """The records as dnsmasq serves them: a TXT with each of its character-strings, a CNAME to its target."""
    lines: list[tuple[str, ...]] = []
    for record in records:
        if record["type"] == "TXT":
            strings = json.loads("[" + record["content"].replace('" "', '", "') + "]")
            lines.append(("txt", record["name"], '","'.join(strings)))
        else:
            lines.append(("cname", record["name"], record["content"]))
    return lines


@pytest.fixture
def dns_server(tmp_path: Path) -> Iterator[DnsServer]:
    server = DnsServer(tmp_path)
    yield server
    server.stop()


def dkim_targets(directory: Path) -> str:
    path = directory / "dkim.yaml"
    path.write_text("\n".join(f"{d}: {{selector1: {pm.dkim_cname(d, 1)}, selector2: {pm.dkim_cname(d, 2)}}}"
                              for d in ("contoso.com", "notify.contoso.com")))
    return str(path)


def relayctl_dns(tmp_path: Path, address: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[dict]]:
    code = main(["dns", str(pm.EXAMPLE_SPEC), "--offline", "--nameserver", address, "--dnsbl", "dnsbl.example",
                 "--dkim-targets", dkim_targets(tmp_path), "--format", "json"])
    return code, json.loads(capsys.readouterr().out)["checks"]


def test_what_the_records_publish_passes_relayctl_dns_beside_the_apexs_other_values(
        tmp_path: Path, dns_server: DnsServer, capsys: pytest.CaptureFixture[str]) -> None:
    existing = [cloudflare_record("contoso.com", f'"{VERIFICATION}"')]
    records = published(render(tmp_path, existing))
    names = sorted((r["name"], r["type"]) for r in records)
    assert names == sorted([(f"{p}{d}", t) for d in ("contoso.com", "notify.contoso.com") for p, t in
                            [("", "TXT"), ("_dmarc.", "TXT"), ("selector1._domainkey.", "CNAME"),
                             ("selector2._domainkey.", "CNAME")]])
    assert all(r["zoneId"] == ZONE_ID and r["comment"] == f"o365-relay stack {pm.STACK}" for r in records)
    assert all(r["proxied"] is False for r in records if r["type"] == "CNAME")  # DKIM must not be proxied
    # Cloudflare keeps each TXT value as its own record: the verification value is not the stack's to touch
    served = zone_lines(records) + [("txt", "contoso.com", VERIFICATION), *WORLD]
    code, checks = relayctl_dns(tmp_path, dns_server.start(served), capsys)
    # everything the stack publishes checks out; MX (not the stack's) is not compared without a tenant
    assert [(c["check"], c["status"]) for c in checks if c["status"] != "ok"] == [("mx", "skipped")] * 2
    assert code == 0


def test_a_long_spf_record_is_published_as_255_octet_strings(tmp_path: Path, dns_server: DnsServer,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    records = published(render(tmp_path, [], extra_ip4=30))
    (spf,) = [r for r in records if r["name"] == "contoso.com" and r["type"] == "TXT"]
    strings = json.loads("[" + spf["content"].replace('" "', '", "') + "]")
    assert len(strings) > 1 and all(len(s.encode()) <= 255 for s in strings)
    assert txt_value(spf["content"]).startswith("v=spf1 ip4:192.0.2.1 ") and " ip4:192.0.2.59 " in txt_value(
        spf["content"])
    code, checks = relayctl_dns(tmp_path, dns_server.start(zone_lines(records) + WORLD), capsys)
    (spf_check,) = [c for c in checks if c["subject"] == "contoso.com" and c["check"] == "spf"]
    assert spf_check["status"] == "ok" and spf_check["evidence"]["record"] == txt_value(spf["content"])
    assert code == 0


def test_an_spf_record_the_stack_does_not_manage_refuses_the_run(tmp_path: Path) -> None:
    foreign = cloudflare_record("contoso.com", '"v=spf1 include:spf.protection.outlook.com -all"')
    with pytest.raises(pulumi.RunError) as refused:  # the program's way to fail with one clear line
        render(tmp_path, [cloudflare_record("contoso.com", f'"{VERIFICATION}"'), foreign])
    message = str(refused.value)
    assert f"contoso.com already has a v=spf1 TXT record that stack {pm.STACK} does not manage" in message
    assert foreign["id"] in message and "delete it in Cloudflare and run again" in message


def test_the_stacks_own_records_are_not_a_conflict(tmp_path: Path) -> None:
    own = cloudflare_record("contoso.com", '"v=spf1 -all"', comment=f"o365-relay stack {pm.STACK}")
    other_stack = cloudflare_record("_dmarc.contoso.com", '"v=DMARC1; p=none"', comment="o365-relay stack prod")
    assert published(render(tmp_path, [own]))
    with pytest.raises(pulumi.RunError, match="_dmarc.contoso.com already has a v=dmarc1 TXT record"):
        render(tmp_path, [own, other_stack])
