"""`relayctl sandbox` as a person runs it: prints endpoints and env, serves, stops on Ctrl-C."""

from __future__ import annotations

import signal
import ssl
import subprocess
import sys
from pathlib import Path

import httpx


def test_relayctl_sandbox_serves_until_interrupted(tmp_path: Path) -> None:
    state = tmp_path / "state"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "o365relay.cli.main",
            "sandbox",
            "--state-dir",
            str(state),
            "--faults",
            "seed=3",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        env = {}
        printed = []
        assert process.stdout is not None
        for line in process.stdout:
            printed.append(line)
            if line.strip().startswith("export "):
                key, _, value = line.strip().removeprefix("export ").partition("=")
                env[key] = value.strip("'")
            if line.startswith("Ctrl-C"):
                break
        assert env["RELAY_CA_FILE"] == str(state / "ca.pem")
        dns_line = f"  dns     {env['RELAY_NAMESERVER']}   (serves what was published"
        assert any(line.startswith(dns_line) for line in printed)
        assert env["RELAY_GRAPH_BASE"] == env["RELAY_EXCHANGE_BASE"] + "/v1.0"
        context = ssl.create_default_context(cafile=env["RELAY_CA_FILE"])
        health = httpx.get(f"{env['RELAY_EXCHANGE_BASE']}/_sandbox/health", verify=context).json()
        assert health["tenantId"] == env["AZURE_TENANT_ID"]
        # the azuread provider's custom-cloud settings lead to the same tenant and deployer
        assert env["ARM_TENANT_ID"] == env["AZURE_TENANT_ID"] and env["ARM_CLIENT_ID"] == env["AZURE_CLIENT_ID"]
        assert env["SSL_CERT_FILE"] == env["RELAY_CA_FILE"]
        cloud = httpx.get(f"https://{env['ARM_METADATA_HOSTNAME']}/metadata/endpoints?api-version=2022-09-01",
                          verify=context).json()
        assert cloud["authentication"]["loginEndpoint"] == env["RELAY_EXCHANGE_BASE"]
        assert cloud["microsoftGraphResourceId"].rstrip("/") == env["RELAY_EXCHANGE_BASE"]
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=15)
        assert process.returncode == 0, err
        assert "state kept" in out
    finally:
        if process.poll() is None:
            process.kill()


def test_ctrl_c_stops_a_sandbox_started_with_sigint_ignored(tmp_path: Path) -> None:
    """A shell script's `relayctl sandbox &` starts it with SIGINT ignored; Ctrl-C (SIGINT) still stops it."""
    process = subprocess.Popen(
        [sys.executable, "-m", "o365relay.cli.main", "sandbox", "--state-dir", str(tmp_path / "state")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )
    try:
        assert process.stdout is not None
        assert any(line.startswith("Ctrl-C") for line in process.stdout)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=15)
        assert process.returncode == 0, err
        assert out.startswith("sandbox stopped; state kept in")
    finally:
        if process.poll() is None:
            process.kill()


def test_bad_fault_spec_is_a_usage_error(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "o365relay.cli.main",
            "sandbox",
            "--state-dir",
            str(tmp_path),
            "--faults",
            "429=7",
        ],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2 and "between 0 and 1" in result.stderr and "Traceback" not in result.stderr
