"""The sandbox as a newcomer meets it: `relayctl sandbox env` in another shell, absolute paths,
owner-only state kept out of git, sender credentials to try test-send with, and a test-send that says
which way the mail really went."""

from __future__ import annotations

import os
import shlex
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from o365relay.cli.main import main
from o365relay.sandbox import store as st
from o365relay.sandbox.runner import Sandbox
from o365relay.sandbox.smtp_policy import authenticate_basic
from o365relay.sandbox.try_credentials import issue

ROOT = Path(__file__).resolve().parents[2]
SPEC = str(ROOT / "relay.prod.yaml")


def relayctl(*argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AZURE_", "RELAY_"))}
    return subprocess.run([sys.executable, "-m", "o365relay.cli.main", *argv], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)


def test_sandbox_env_from_another_shell_and_directory(tmp_path: Path) -> None:
    work, elsewhere = tmp_path / "project", tmp_path / "elsewhere"
    work.mkdir()
    elsewhere.mkdir()
    server = subprocess.Popen([sys.executable, "-m", "o365relay.cli.main", "sandbox", "--state-dir", "state"],
                              cwd=work, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while not (work / "state" / "env.sh").exists():
            assert server.poll() is None and time.monotonic() < deadline, "the sandbox did not start"
            time.sleep(0.2)
        shown = relayctl("sandbox", "env", "--state-dir", str(work / "state"), cwd=elsewhere)
        assert shown.returncode == 0, shown.stderr
        exports = dict(line.removeprefix("export ").split("=", 1) for line in shown.stdout.splitlines()
                       if line.startswith("export "))
        assert exports["RELAY_CA_FILE"] == str(work / "state" / "ca.pem")  # absolute: works from anywhere
        assert "sandbox-only" in shown.stdout.splitlines()[0]
        # before an apply no sender exists: one comment says how to get them, never an empty list's header
        assert shown.stdout.splitlines()[-1].startswith("# senders: none yet; apply a spec to this sandbox")
        assert "# senders: export" not in shown.stdout
        for name in ("tenant.sqlite3", "env.sh", "ca-key.pem"):
            assert stat.S_IMODE((work / "state" / name).stat().st_mode) == 0o600, name
        subprocess.run(["git", "init", "-q"], cwd=work, check=True)
        ignored = subprocess.run(["git", "check-ignore", "-q", "state/ca-key.pem"], cwd=work)
        assert ignored.returncode == 0, "the state dir must be git-ignored wherever it is created"
    finally:
        server.terminate()
        server.wait(timeout=30)
    stopped = relayctl("sandbox", "env", "--state-dir", str(work / "state"), cwd=elsewhere)
    assert stopped.returncode == 2
    assert stopped.stderr.startswith("relayctl: error: no sandbox is running on ")


def test_sender_credentials_sign_in(sandbox: Sandbox) -> None:
    """Each issued mailbox password is one the sandbox's SMTP AUTH accepts; issuing twice repeats it."""
    store = sandbox.store
    user = store.find(st.USER, userPrincipalName="scanner3@contoso.com")
    assert user is not None
    store.update(st.USER, user["id"], {"xSmtpClientAuthenticationDisabled": False})
    first = {c.login: c for c in issue(store)}
    assert first["scanner3@contoso.com"].kind == "mailbox"
    assert authenticate_basic(store, "scanner3@contoso.com", first["scanner3@contoso.com"].secret)
    assert {c.login: c.secret for c in issue(store)} == {k: c.secret for k, c in first.items()}


def test_connector_test_send_before_the_apply_says_direct_send(sandbox_env: Sandbox,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    """No connector in the tenant yet: the mail goes in as direct send, and test-send says so (exit 1)."""
    code = main(["test-send", SPEC, "dc1-relay", "--client-ip", "203.0.113.5", "--timeout", "30"])
    out = capsys.readouterr().out
    assert "To erp@contoso.com" in out  # a recipient that exists, not a made-up relay-test@ address
    assert "path: direct send\n" in out  # what message trace shows, not what was planned
    assert "did not go through connector dc1-relay: the tenant has no inbound connector dc1-relay yet" in out
    assert code == 1


def test_sandbox_env_lists_a_sender_once_one_exists(sandbox: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    """A mailbox that may use SMTP AUTH gets a line to export; before that, only the 'none yet' comment."""
    from o365relay.cli.sandbox import ENV_FILE, exports

    (sandbox.state_dir / ENV_FILE).write_text(exports(sandbox.env()))
    assert main(["sandbox", "env", "--state-dir", str(sandbox.state_dir)]) == 0
    assert "# senders: none yet" in capsys.readouterr().out
    user = sandbox.store.find(st.USER, userPrincipalName="scanner3@contoso.com")
    assert user is not None
    sandbox.store.update(st.USER, user["id"], {"xSmtpClientAuthenticationDisabled": False})
    assert main(["sandbox", "env", "--state-dir", str(sandbox.state_dir)]) == 0
    out = capsys.readouterr().out
    assert "none yet" not in out
    [line] = [line for line in out.splitlines() if "scanner3@contoso.com" in line]
    [password] = shlex.split(line.split("export RELAY_SMTP_PASSWORD=")[1])
    assert authenticate_basic(sandbox.store, "scanner3@contoso.com", password)
