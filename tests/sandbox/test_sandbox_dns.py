"""The sandbox's loopback DNS server serves what was published: the DNS view (CNAME, TXT, MX), the TXT
sets its Azure DNS holds, each tenant domain's MX; `relayctl dns` fails before the stack's records are
published, saying why, and passes once `relayctl sandbox publish` has put the zone snippets there."""

from __future__ import annotations

import json
import ssl
from pathlib import Path

import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import httpx
import pytest

from o365relay.cli.main import main
from o365relay.cli.sandbox import ENV_FILE, exports
from o365relay.records import dkim_records, static_records, zone_snippet
from o365relay.sandbox import store as st
from o365relay.sandbox.runner import Sandbox
from o365relay.sandbox.tokens import ARM_RESOURCE
from o365relay.spec.loader import load_spec

ROOT = Path(__file__).resolve().parents[2]
PROD = str(ROOT / "relay.prod.yaml")
ZONE = ("/subscriptions/00000000-1111-2222-3333-444444444444/resourceGroups/dns-rg/providers/"
        "Microsoft.Network/dnsZones/fabrikam.com")
API = {"api-version": "2018-05-01"}


def ask(sandbox: Sandbox, name: str, rtype: str) -> dns.message.Message:
    host, port = sandbox.env()["RELAY_NAMESERVER"].split(":")
    return dns.query.udp(dns.message.make_query(name, rtype), host, port=int(port), timeout=2)


def texts(message: dns.message.Message) -> list[str]:
    return [b"".join(r.strings).decode() for rrset in message.answer for r in rrset]


def test_world_records_tenant_mx_and_azure_sets_are_served(sandbox: Sandbox) -> None:
    assert texts(ask(sandbox, "contoso.com", "TXT")) == ["MS=ms48261937"]
    assert texts(ask(sandbox, "spf.protection.outlook.com", "TXT"))[0].startswith("v=spf1 ip4:40.92.0.0/15")
    mx = ask(sandbox, "contoso.com", "MX").answer[0]
    assert [(r.preference, str(r.exchange)) for r in mx] == [(0, "contoso-com.mail.protection.outlook.com.")]
    assert ask(sandbox, "contoso.onmicrosoft.com", "MX").answer == []  # exists, receives no mail of its own
    assert ask(sandbox, "fabrikam.com", "TXT").rcode() == dns.rcode.NXDOMAIN
    token = sandbox.ctx.tokens.issue(sandbox.deployer_client_id, ARM_RESOURCE)
    with httpx.Client(base_url=sandbox.base_url, verify=ssl.create_default_context(cafile=sandbox.ca_file),
                      headers={"Authorization": f"Bearer {token}"}, timeout=10) as http:
        assert http.put(ZONE, params=API, json={"location": "global"}).status_code == 201
        body = {"properties": {"TTL": 3600, "TXTRecords": [{"value": ["v=DMARC1; p=reject"]}]}}
        assert http.put(f"{ZONE}/TXT/_dmarc", params=API, json=body).status_code == 201
    assert texts(ask(sandbox, "_dmarc.fabrikam.com", "TXT")) == ["v=DMARC1; p=reject"]
    assert ask(sandbox, "fabrikam.com", "TXT").answer == []  # the zone's apex exists now, with no TXT


def stack_zone_files(sandbox: Sandbox) -> dict[str, str]:
    """The stack's zoneFiles output for relay.prod.yaml on this tenant (DKIM targets as Exchange made them)."""
    spec = load_spec(PROD)
    files = {}
    for domain in spec.domains.values():
        facts = sandbox.store.get(st.DOMAIN, domain.name)["xDkim"]
        records = [*static_records(spec, domain), *dkim_records(facts["selector1CNAME"], facts["selector2CNAME"])]
        files[domain.name] = zone_snippet(domain.name, records)
    return files


@pytest.fixture
def running(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    """A sandbox as `relayctl sandbox` leaves it: env.sh in its state dir, its variables exported."""
    (sandbox.state_dir / ENV_FILE).write_text(exports(sandbox.env()), encoding="utf-8")
    for key, value in sandbox.env().items():
        monkeypatch.setenv(key, value)
    return sandbox


def test_relayctl_dns_fails_before_the_records_are_published_and_passes_after(
        running: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = main(["dns", PROD, "--format", "json", "--dnsbl", "dnsbl.example"])
    checks = json.loads(capsys.readouterr().out)["checks"]
    assert before == 1
    spf = next(c for c in checks if c["subject"] == "contoso.com" and c["check"] == "spf")
    assert spf["message"].startswith("no SPF record; dns.backend none: the stack publishes nothing itself")
    assert "relayctl sandbox publish" in spf["message"]
    assert {c["check"] for c in checks if c["status"] == "ok"} >= {"mx", "dnsbl"}

    zone_files = tmp_path / "zoneFiles.json"
    zone_files.write_text(json.dumps(stack_zone_files(running)), encoding="utf-8")
    assert main(["sandbox", "publish", str(zone_files), "--state-dir", str(running.state_dir)]) == 0
    assert "published contoso.com TXT" in capsys.readouterr().out

    after = main(["dns", PROD, "--format", "json", "--dnsbl", "dnsbl.example"])
    report = json.loads(capsys.readouterr().out)
    assert [c for c in report["checks"] if c["status"] != "ok"] == []
    assert after == 0
    # the domain verification value stayed beside the one SPF record
    assert sorted(texts(ask(running, "contoso.com", "TXT")))[0] == "MS=ms48261937"
    assert len(texts(ask(running, "contoso.com", "TXT"))) == 2


def test_publishing_again_keeps_one_spf_record_split_into_255_octet_strings(
        running: Sandbox, tmp_path: Path) -> None:
    snippet = tmp_path / "contoso.zone"
    spec = load_spec(PROD)
    snippet.write_text(zone_snippet("contoso.com", static_records(spec, spec.domains["contoso.com"])))
    assert main(["sandbox", "publish", str(snippet), "--state-dir", str(running.state_dir)]) == 0
    long_spf = "v=spf1 " + " ".join(f"ip4:192.0.2.{i}" for i in range(40)) + " -all"
    snippet.write_text(f"$ORIGIN contoso.com.\n@ 3600 IN TXT {' '.join(json.dumps(s) for s in _split(long_spf))}\n")
    assert main(["sandbox", "publish", str(snippet), "--state-dir", str(running.state_dir)]) == 0
    answer = ask(running, "contoso.com", "TXT").answer[0]
    spf = [r.strings for r in answer if r.strings[0].startswith(b"v=spf1")]
    assert len(spf) == 1 and b"".join(spf[0]).decode() == long_spf and max(len(s) for s in spf[0]) <= 255
    assert any(r.strings == (b"MS=ms48261937",) for r in answer)


def _split(value: str) -> list[str]:
    return [value[i:i + 255] for i in range(0, len(value), 255)]


@pytest.mark.parametrize(("files", "stdin", "message"), [
    ([], "", "relayctl sandbox publish needs zone snippets"),
    (["-"], "@ 3600 IN TXT \"x\"\n", "stdin: not a zone snippet with an $ORIGIN line"),
    (["-"], "{\"contoso.com\": 3}", "expected the zoneFiles output"),
    (["-"], "$ORIGIN contoso.com.\n@ 3600 IN A 192.0.2.1\n", "the sandbox's DNS holds CNAME, TXT and MX records"),
])
def test_publish_refuses_what_is_not_a_zone_snippet(running: Sandbox, monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str], files: list[str],
                                                    stdin: str, message: str) -> None:
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    assert main(["sandbox", "publish", *files, "--state-dir", str(running.state_dir)]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_publish_without_a_running_sandbox_says_how_to_start_one(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sandbox", "publish", "x.zone", "--state-dir", str(tmp_path)]) == 2
    assert "no sandbox is running" in capsys.readouterr().err


def test_publish_to_a_sandbox_that_stopped_is_one_line_with_its_exit_code(
        sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    state = tmp_path / "stale"
    state.mkdir()
    snippet = tmp_path / "contoso.zone"
    snippet.write_text('$ORIGIN contoso.com.\n@ 3600 IN TXT "v=spf1 -all"\n')
    env = {**sandbox.env(), "RELAY_EXCHANGE_BASE": "https://127.0.0.1:1"}
    (state / ENV_FILE).write_text(exports({**env, "RELAY_CA_FILE": str(state / "gone.pem")}), encoding="utf-8")
    assert main(["sandbox", "publish", str(snippet), "--state-dir", str(state)]) == 2
    assert "the sandbox's CA file" in capsys.readouterr().err
    (state / ENV_FILE).write_text(exports(env), encoding="utf-8")  # its CA is there, its port is closed
    assert main(["sandbox", "publish", str(snippet), "--state-dir", str(state)]) == 3
    err = capsys.readouterr().err
    assert "cannot reach the sandbox at https://127.0.0.1:1" in err and len(err.strip().splitlines()) == 1
