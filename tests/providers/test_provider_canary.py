"""Canary: a recognisable secret in the environment, in the stack config and as a client secret never
reaches a serialized provider blob, a non-secret output, a log line or an exception text."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import grpc
import pulumi
import pulumi_mocks as pm
import pytest
from dynamic_host import DynamicHost
from provider_support import Driven

from components import program
from components.providers.inbound_connector import InboundConnectorProvider
from o365relay.sandbox.runner import Sandbox

CANARY = "canary-7Hq2-do-not-leak-9xZ"
SECRET_ACCOUNT = """  legacy-app:
    kind: application
    mailbox: purchasing@contoso.com
    credential:
      type: secret
  scanner-floor3:
    kind: mailbox"""
CONNECTOR = {"name": "dc1-relay", "connector_type": "OnPremises", "sender_ips": ["203.0.113.0/28"],
             "sender_domains": ["*"], "require_tls": True, "enabled": True, "comment": ""}


class CanaryMocks(pm.TenantMocks):
    """The generated client secret is the canary."""

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict]:
        rid, outs = super().new_resource(args)
        if args.typ == "azuread:index/applicationPassword:ApplicationPassword":
            outs["value"] = CANARY
        return rid, outs


def assert_clean(*texts: str, secrets: tuple[str, ...]) -> None:
    for text in texts:
        for secret in secrets:
            assert secret not in text


@pytest.fixture
def rendered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
             caplog: pytest.LogCaptureFixture) -> tuple[pm.RecordingMonitor, str]:
    monkeypatch.setenv("AZURE_CLIENT_SECRET", CANARY)  # a client-secret credential in the environment
    monkeypatch.setenv("RELAY_CANARY", CANARY)
    caplog.set_level("DEBUG")
    text = pm.EXAMPLE_SPEC.read_text().replace("  scanner-floor3:\n    kind: mailbox", SECRET_ACCOUNT)
    spec = pm.write_project(tmp_path, text)
    config = {**pm.stack_config(spec), "o365-relay:canary": CANARY}
    monitor = pm.render(program.run, config, CanaryMocks(), secret_keys=["o365-relay:canary"])
    return monitor, "\n".join(r.getMessage() for r in caplog.records)


def test_program_side(rendered: tuple[pm.RecordingMonitor, str]) -> None:
    monitor, logs = rendered
    assert monitor.exports["secrets"] == {"legacy-app": CANARY}  # the canary did flow, as a secret
    assert "secrets" in monitor.secret_exports
    blobs = [r.inputs["__provider"] for r in monitor.registrations.values() if "__provider" in r.inputs]
    assert len(blobs) > 20
    plain = json.dumps({k: v for k, v in monitor.exports.items() if k not in monitor.secret_exports})
    dynamic_inputs = json.dumps([r.inputs for r in monitor.registrations.values()
                                 if r.type.startswith("pulumi-python:dynamic/")])
    assert_clean(*blobs, *(base64.b64decode(b).decode("latin-1") for b in blobs), plain, dynamic_inputs, logs,
                 secrets=(CANARY,))


def test_host_side(sandbox: Sandbox, rendered: tuple[pm.RecordingMonitor, str]) -> None:
    monitor, _ = rendered
    (blob,) = {r.inputs["__provider"] for r in monitor.registrations.values()
               if r.type == "pulumi-python:dynamic/exchange:InboundConnector"}
    config = {"o365-relay:tenantId": sandbox.tenant_id, "o365-relay:canary": CANARY}
    secrets = (CANARY, sandbox.deployer_client_secret)

    # the canary as the deploying identity's client secret: Entra refuses it; the error names the
    # reason and never the secret
    with DynamicHost(config=config, env={**sandbox.env(), "AZURE_CLIENT_SECRET": CANARY}) as host:
        res = Driven(host, InboundConnectorProvider(), "pulumi-python:dynamic/exchange:InboundConnector", "c")
        res.blob = blob
        with pytest.raises(grpc.RpcError) as err:
            res.create(CONNECTOR)
        assert "AADSTS7000215" in err.value.details() or "client secret" in err.value.details().lower()
        host_logs = host.stdout_lines + host.stderr_lines
        assert_clean(err.value.details(), *host_logs, secrets=secrets)

    # the real deploying secret (the sandbox's) works, and still shows up nowhere
    with DynamicHost(config=config, env={**sandbox.env(), "RELAY_CANARY": CANARY}) as host:
        res = Driven(host, InboundConnectorProvider(), "pulumi-python:dynamic/exchange:InboundConnector", "c")
        res.blob = blob
        outs = res.create(CONNECTOR)
        other = Driven(host, InboundConnectorProvider(), "pulumi-python:dynamic/exchange:InboundConnector", "d")
        other.blob = blob
        with pytest.raises(grpc.RpcError) as conflict:
            other.create({**CONNECTOR, "sender_ips": ["198.51.100.0/24"]})
        _, read = res.read()
        assert_clean(json.dumps(outs), json.dumps(read), conflict.value.details(),
                     *host.stdout_lines, *host.stderr_lines, secrets=secrets)
