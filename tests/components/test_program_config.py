"""__main__'s wiring: stack config in, clean errors (no traceback) for a bad spec or config."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

import pulumi
import pulumi_mocks as pm
import pytest

from components import program

ROOT = Path(__file__).resolve().parents[2]


def errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]


def test_main_module_builds_the_stack(tmp_path: Path) -> None:
    spec = pm.write_project(tmp_path)
    monitor = pm.render(lambda: runpy.run_path(str(ROOT / "__main__.py"), run_name="__main__"),
                        pm.stack_config(spec, enforcement="mandatory"))
    assert monitor.exports["policyEnforcement"] == "mandatory"
    assert any(r.type == "o365relay:index:RelayStack" for r in monitor.registrations.values())


def test_invalid_spec_is_reported_with_location_not_traceback(tmp_path: Path,
                                                             caplog: pytest.LogCaptureFixture) -> None:
    text = pm.EXAMPLE_SPEC.read_text().replace("senderIPs: [203.0.113.0/28, 198.51.100.25]",
                                               "senderIPs: [203.0.113.0/16]")
    spec = pm.write_project(tmp_path, text)
    with pytest.raises(pulumi.RunError, match="problem"):
        pm.render(program.run, pm.stack_config(spec))
    logged = errors(caplog)
    assert logged and all(msg.startswith(str(spec)) for msg in logged), logged
    assert any("senderIPs" in msg for msg in logged)


def test_tenant_mismatch_is_refused(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    spec = pm.write_project(tmp_path)
    config = {**pm.stack_config(spec), "o365-relay:tenantId": "00000000-0000-0000-0000-000000000001"}
    with pytest.raises(pulumi.RunError, match="a stack deploys one tenant"):
        pm.render(program.run, config)
    assert errors(caplog)


def test_unknown_enforcement_level_is_refused(tmp_path: Path) -> None:
    spec = pm.write_project(tmp_path)
    with pytest.raises(pulumi.RunError, match="use mandatory or advisory"):
        pm.render(program.run, pm.stack_config(spec, enforcement="strict"))


def test_azure_dns_without_the_extra_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("pulumi_azure_native", "pulumi_azure_native.dns", "pulumi_azure_native.network"):
        monkeypatch.setitem(sys.modules, name, None)  # as if the optional extra were not installed
    text = pm.EXAMPLE_SPEC.read_text().replace(
        "  notify.contoso.com:\n",
        "  notify.contoso.com:\n    dns:\n      backend: azure\n      resourceGroup: dns-rg\n      zone: contoso.com\n")
    spec = pm.write_project(tmp_path, text)
    with pytest.raises(pulumi.RunError, match=r"pulumi-azure-native is not installed.*o365-relay\[azure-dns\]"):
        pm.render(program.run, pm.stack_config(spec))
