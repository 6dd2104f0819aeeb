"""The real Pulumi engine against the sandbox: one sandbox and one stack per module, driven in order.

The CLI is the project's toolchain build (``make toolchain``) or the ``pulumi`` on PATH; without one
the tests fail with the way to get it, never skip. Each module gets its own sandbox tenant, a file
backend in a temporary directory and a copy of ``Pulumi.sandbox.yaml`` pointing at its own spec, so
it can change the spec without touching the project's files.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from o365relay.engine.cli import PulumiCli, write_stack_config
from o365relay.sandbox import store as st
from o365relay.sandbox.runner import Sandbox, start_sandbox

ROOT = Path(__file__).resolve().parents[2]
E2E_SPEC = Path(__file__).with_name("relay.e2e.yaml")
# Kinds of tenant object a stack may touch (not the DNS view, message trace or tokens).
TENANT_KINDS = (st.ORGANIZATION, st.DKIM_CONFIG, st.USER, st.APPLICATION, st.SERVICE_PRINCIPAL,
                st.APP_ROLE_ASSIGNMENT, st.EXO_SERVICE_PRINCIPAL, st.INBOUND_CONNECTOR, st.OUTBOUND_CONNECTOR,
                st.RECIPIENT_PERMISSION, st.MAILBOX_PERMISSION, st.CONNECTION_FILTER_POLICY)


@dataclass
class Stack:
    """A sandbox tenant and the engine's stack for it; ``spec`` is the file the stack config names."""

    sandbox: Sandbox
    pulumi: PulumiCli
    spec: Path
    workdir: Path

    def write_spec(self, document: dict[str, Any]) -> None:
        self.spec.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")

    def read_spec(self) -> dict[str, Any]:
        return dict(yaml.safe_load(self.spec.read_text(encoding="utf-8")))

    def requests(self) -> list[dict[str, Any]]:
        return self.sandbox.ctx.requests.entries()


def tenant_snapshot(sandbox: Sandbox) -> dict[str, dict[str, Any]]:
    """Every tenant object by kind and id, without the change timestamps Exchange keeps."""
    return {kind: {doc["id"]: {k: v for k, v in doc.items() if not k.startswith("WhenChanged")}
                   for doc in sandbox.store.list(kind)} for kind in TENANT_KINDS}


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    yield from open_stack(tmp_path_factory.mktemp("engine"), E2E_SPEC.read_text(encoding="utf-8"), dns_team=True)


def open_stack(workdir: Path, spec_text: str, **sandbox_options: Any) -> Iterator[Stack]:
    """A fresh sandbox tenant and a stack whose config names a copy of ``spec_text`` (stopped after)."""
    sandbox = start_sandbox(workdir / "tenant", **sandbox_options)
    spec = workdir / "relay.e2e.yaml"
    spec.write_text(spec_text, encoding="utf-8")
    config_file = write_stack_config(ROOT, workdir / "Pulumi.sandbox.yaml", spec)
    pulumi = PulumiCli(ROOT, backend_dir=workdir / "state", config_file=config_file,
                       env={**sandbox.env(), **sandbox.azuread_env()}, timeout=900)
    pulumi.ensure_stack()
    try:
        yield Stack(sandbox, pulumi, spec, workdir)
    finally:
        sandbox.stop()

