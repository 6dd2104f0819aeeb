"""The README's main command: `relayctl demo` tells the whole story on the sandbox and every step succeeds."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def test_demo_runs_every_step_and_leaves_its_reports(demo_run: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    done, where = demo_run
    reports, out = where / "reports", done.stdout
    assert done.returncode == 0, out
    assert "Traceback" not in out
    summary = out.split("━━ Summary", 1)[1]
    assert summary.count("✔") == 8 and "✘" not in summary
    # the stack's zone files, published as a DNS team would, pass the DNS checks on the sandbox's server
    assert "✔ SPF, DKIM, DMARC and MX check out on the sandbox's DNS server" in summary
    assert "$ pulumi stack output zoneFiles --json | relayctl sandbox publish - --state-dir" in out
    # the plan before apply has work to do; the audit after apply is in sync
    assert "| missing | relay connector |" in (reports / "plan.md").read_text(encoding="utf-8")
    audit = json.loads((reports / "audit.json").read_text(encoding="utf-8"))
    assert audit["verdict"] == "in_sync" and audit["summary"]["missing"] == 0
    assert (reports / "audit.html").stat().st_size > 2000
    # the volume picture of the demo's own test messages, listed with the other reports
    usage = (reports / "usage.html").read_text(encoding="utf-8")
    assert "<svg" in usage and "scanner3@contoso.com" in usage
    assert f"{reports}/usage.html (volume per sender)" in out.split("Reports: ", 1)[1]
    sarif = json.loads((reports / "lint.sarif").read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0"
    # both test messages were confirmed in message trace
    assert out.count("verdict: DELIVERED") == 2
    # the stack was applied by the Pulumi engine; without the azuread plugin the demo says what it left out
    assert "$ pulumi up --yes --stack sandbox" in out and "`pulumi up` converged" in out
    if "azuread provider plugin is not installed" in out:
        assert "the OAuth senders erp-mailer, monitoring-alerts are left out of this run" in out
