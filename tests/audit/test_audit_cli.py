"""`relayctl audit` end to end: the CLI against the sandbox in every format; the HTML report rendered
by headless Chromium to a PNG so layout breakage is seen."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from audit_helpers import PROD_SPEC, SEEDS

from o365relay.cli.main import main
from o365relay.sandbox.seed import SEEDS_DIR

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def test_json_report_fields_are_stable(tenant, capsys):
    sandbox = tenant(SEEDS_DIR / "brownfield.yaml")
    assert main(["audit", str(PROD_SPEC), "--format", "json"]) == 1
    out = capsys.readouterr().out
    assert sandbox.deployer_client_secret not in out
    doc = json.loads(out)
    assert set(doc) == {"schemaVersion", "tool", "tenantId", "spec", "startedAt", "finishedAt", "verdict",
                        "verdictText", "exitCode", "summary", "scope", "items"}
    assert (doc["schemaVersion"], doc["verdict"], doc["exitCode"]) == (1, "findings", 1)
    assert doc["spec"]["revision"] == subprocess.run(
        ["git", "hash-object", str(PROD_SPEC)], capture_output=True, text=True, check=True).stdout.strip()
    # drift includes the SMTP AUTH switch of the two OAuth senders' mailboxes, still "inherit" in the seed
    assert doc["summary"] == {"in_sync": 11, "drift": 6, "missing": 11, "unexpected": 5, "unknown": 0}
    reject = next(i for i in doc["items"] if i["name"] == "Reject direct send")
    assert reject == {
        "kind": "org_setting", "resourceType": "exchange:OrgSmtpAuth / exchange:RejectDirectSend",
        "name": "Reject direct send", "status": "drift", "specPath": "spec.tenant.rejectDirectSend",
        "diffs": [{"field": "RejectDirectSend", "desired": True, "actual": False}],
        "reason": None, "evidence": {"RejectDirectSend": False}, "kindLabel": "organisation setting",
        "fields": [{"field": "RejectDirectSend", "desired": True, "actual": False}],
    }


def test_markdown_report_names_kind_and_spec_path_and_reads_desired_to_actual(tenant, capsys):
    tenant(SEEDS_DIR / "brownfield.yaml")
    assert main(["audit", str(PROD_SPEC), "--format", "markdown"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("## Relay audit of tenant `7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a` against ")
    assert "Relay audit: Findings" not in out and "**22 findings: the tenant differs from the spec.**" in out
    assert "| Status | Kind | Name | Spec path | Desired → actual |" in out
    assert "| missing | relay connector | `dc1-relay` | `spec.connectors.dc1-relay` | `ConnectorType`: " \
           "`OnPremises` → `(absent)`<br>`SenderIPAddresses`: `198.51.100.25, 203.0.113.0/28` → `(absent)`<br>" \
           "`SenderDomains`: `*` → `(absent)`" in out
    assert "| unexpected | relay connector | `Old printers` | (not declared) | `exists`: `no` → `yes`" in out
    assert "| drift | organisation setting | `Reject direct send` | `spec.tenant.rejectDirectSend` | " \
           "`RejectDirectSend`: `true` → `false` |" in out
    # Send As rows say what is wrong, never an empty change cell
    assert "| missing | Send As grant | `erp-mailer on invoices@contoso.com` | `spec.sendAs[0]` | " \
           "`exists`: `yes` → `no` |" in out
    assert "*****" not in out and "**`" not in out
    assert "- **Not read:** DNS records" in out


def test_text_report_piped_is_plain_and_exit_3_on_unknowns(tenant, capsys):
    tenant(SEEDS / "no-exchange-role.yaml")
    assert main(["audit", str(PROD_SPEC)]) == 3
    out = capsys.readouterr().out
    assert "\x1b[" not in out  # no terminal escapes when piped
    assert "No verdict: " in out and "could not be read, nothing else differs" in out
    assert re.search(r"^unknown +relay connector +dc1-relay +spec.connectors.dc1-relay +exists: yes → not read; "
                     r"not concluded, a read failed: Get-InboundConnector: ", out, re.M)
    assert "  failed: Get-InboundConnector: " in out
    in_sync_rows = [line for line in out.splitlines() if line.startswith("in sync ")]
    assert in_sync_rows  # Graph reads worked: those items still have a verdict
    assert main(["audit", str(PROD_SPEC), "--hide-in-sync"]) == 3
    hidden = capsys.readouterr().out
    assert re.search(r"^unknown +relay connector", hidden, re.M) and "No verdict: " in hidden
    assert not [line for line in hidden.splitlines() if line.startswith("in sync ")]
    assert f"({len(in_sync_rows)} in sync not listed: --hide-in-sync)" in hidden
    assert len(hidden.splitlines()) == len(out.splitlines()) - len(in_sync_rows) + 1


def test_audit_refuses_a_spec_for_another_tenant(tenant, capsys, tmp_path):
    tenant(SEEDS / "applied.yaml")
    other = tmp_path / "relay.other.yaml"
    shutil.copytree(PROD_SPEC.parent / "certs", tmp_path / "certs")  # the certificate the spec names
    other.write_text(PROD_SPEC.read_text().replace("7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a",
                                                   "11111111-2222-3333-4444-555555555555"))
    assert main(["audit", str(other)]) == 2
    assert "declares tenant 11111111-2222-3333-4444-555555555555" in capsys.readouterr().err


def test_html_report_renders_in_headless_chromium(tenant, tmp_path):
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is needed to render the report: apt-get install chromium")
    tenant(SEEDS_DIR / "brownfield.yaml")
    report = tmp_path / "audit.html"
    assert main(["audit", str(PROD_SPEC), "--format", "html", "--output", str(report)]) == 1
    html = report.read_text()
    assert "<script" not in html and "http://" not in html and "https://" not in html  # self-contained
    assert "7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a" in html and "Old printers" in html
    png = tmp_path / "audit.png"
    subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--hide-scrollbars", f"--screenshot={png}", "--window-size=1200,1600", report.as_uri()],
                   check=True, capture_output=True, timeout=120)
    assert_rendered(png)


def assert_rendered(png: Path) -> None:
    """The screenshot is a real page: big enough, many colours, dark text on most rows, not blank."""
    from PIL import Image

    image = Image.open(png).convert("RGB")
    assert image.size == (1200, 1600)
    colours = image.getcolors(maxcolors=1 << 20)
    assert colours is not None and len(colours) > 50, "a near-uniform image: nothing was laid out"
    most = max(colours)[0] / (image.size[0] * image.size[1])
    assert most < 0.95, f"{most:.0%} of the page is one colour"
    dark_rows = sum(1 for y in range(0, image.size[1], 8)
                    if any(sum(image.getpixel((x, y))) < 200 for x in range(0, image.size[0], 4)))
    assert dark_rows > 40, "too little text on the page"


def _stderr_of(argv: list[str], *, terminal: bool) -> str:
    """``relayctl`` run as a user runs it, with stderr on a pseudo-terminal or on a pipe."""
    import os
    import pty
    import sys

    if not terminal:
        return subprocess.run([sys.executable, "-m", "o365relay.cli.main", *argv], capture_output=True,
                              text=True, timeout=120).stderr
    master, slave = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "o365relay.cli.main", *argv], stdout=subprocess.DEVNULL,
                               stderr=slave)
    os.close(slave)
    seen = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    process.wait(timeout=120)
    os.close(master)
    return seen.decode(errors="replace")


def test_a_long_read_shows_progress_on_a_terminal_only(tenant, tmp_path):
    tenant(SEEDS_DIR / "brownfield.yaml")
    argv = ["audit", str(PROD_SPEC), "--format", "json", "--output", str(tmp_path / "audit.json")]
    assert "reading the tenant" in _stderr_of(argv, terminal=True)
    assert _stderr_of(argv, terminal=False) == ""
