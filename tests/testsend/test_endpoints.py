"""Where test-send connects: the documented defaults, the sandbox's overrides, and a clear refusal of a
port that is not one (exit 2, not an internal error)."""

from __future__ import annotations

import pytest
from testsend_helpers import SPEC

from o365relay.cli.main import main
from o365relay.errors import UsageError
from o365relay.tenant.settings import Endpoints
from o365relay.testsend.endpoints import SUBMISSION, mx_endpoint, submission_endpoint


def test_submission_defaults_to_office365_and_takes_the_overrides() -> None:
    assert submission_endpoint({}) == SUBMISSION == ("smtp.office365.com", 587)
    assert submission_endpoint({"RELAY_SMTP_HOST": "127.0.0.1", "RELAY_SMTP_PORT": "2587"}) == ("127.0.0.1", 2587)
    endpoints = Endpoints("7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a")
    assert mx_endpoint(endpoints, "contoso.com", {"RELAY_MX_HOST": "127.0.0.1"}) == ("127.0.0.1", 25)


@pytest.mark.parametrize("port", ["abc", "0", "70000", "-1"])
def test_a_port_that_is_not_one_is_refused(port: str) -> None:
    with pytest.raises(UsageError, match=rf"^RELAY_SMTP_PORT='{port}' is not a port number \(1-65535\)$"):
        submission_endpoint({"RELAY_SMTP_PORT": port})


def test_the_cli_says_so_in_one_line(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("RELAY_TENANT_ID", "7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a")
    monkeypatch.setenv("RELAY_MX_HOST", "127.0.0.1")
    monkeypatch.setenv("RELAY_MX_PORT", "smtp")
    assert main(["test-send", SPEC, "dc1-relay", "--to", "erp@contoso.com", "--no-trace"]) == 2
    assert capsys.readouterr().err == "relayctl: error: RELAY_MX_PORT='smtp' is not a port number (1-65535)\n"
