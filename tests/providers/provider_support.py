"""Helpers for driving the providers through the real host against the sandbox: ``Tenant`` reads and
changes the sandbox through the real clients (as an admin would), ``Driven`` walks one resource
through the engine's calls."""

from __future__ import annotations

import dataclasses
import os
import ssl
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from dynamic_host import DiffOutcome, DynamicHost, make_urn, provider_blob

from o365relay.sandbox import exchange_cmdlets, graph_http
from o365relay.sandbox.runner import Sandbox
from o365relay.tenant.exchange import ExchangeClient
from o365relay.tenant.graph import GraphClient
from o365relay.tenant.sync import run_sync


class Tenant:
    """Reach the sandbox the way an admin would, through the real clients (not the providers)."""

    def __init__(self, sandbox: Sandbox):
        self.sandbox = sandbox

    def exchange(self, cmdlet: str, parameters: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        async def go() -> list[dict[str, Any]]:
            async with ExchangeClient(self.sandbox.endpoints()) as exo:
                return list(await exo.invoke(cmdlet, parameters or {}, idempotent=cmdlet.startswith(("Get", "Set"))))

        return self._run(go)

    def graph(self, call: Callable[[GraphClient], Awaitable[Any]]) -> Any:
        async def go() -> Any:
            async with GraphClient(self.sandbox.endpoints()) as graph:
                return await call(graph)

        return self._run(go)

    def _run(self, go: Callable[[], Awaitable[Any]]) -> Any:
        """The clients build their own credential from the environment: the sandbox's deployer."""
        saved = {k: os.environ.get(k) for k in self.sandbox.env()}
        os.environ.update(self.sandbox.env())
        try:
            return run_sync(go())
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value

    def publish_dns(self, records: dict[str, str]) -> None:
        """Tell the sandbox's DNS view that the DNS team published these CNAMEs."""
        import httpx

        body = {"records": [{"name": k, "type": "CNAME", "value": v} for k, v in records.items()]}
        tls = ssl.create_default_context(cafile=self.sandbox.ca_file)
        httpx.post(f"{self.sandbox.base_url}/_sandbox/dns", json=body, verify=tls, timeout=10).raise_for_status()


class Driven:
    """One resource as the engine walks it: check+create, check+diff+update/replace, read, delete."""

    def __init__(self, host: DynamicHost, provider: Any, type_token: str, name: str):
        self.host = host
        self.blob = provider_blob(provider)
        self.urn = make_urn(type_token, name)
        self.id = ""
        self.inputs: dict[str, Any] = {}
        self.outputs: dict[str, Any] = {}

    def check(self, props: dict[str, Any]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        return self.host.check(self.urn, self.inputs, {**props, "__provider": self.blob})

    def create(self, props: dict[str, Any]) -> dict[str, Any]:
        inputs, failures = self.check(props)
        assert failures == [], failures
        self.id, self.outputs = self.host.create(self.urn, inputs)
        self.inputs = inputs
        return self.outputs

    def diff(self, props: dict[str, Any]) -> DiffOutcome:
        inputs, failures = self.check(props)
        assert failures == [], failures
        return self.host.diff(self.urn, self.id, self.outputs, inputs)

    def update(self, props: dict[str, Any]) -> dict[str, Any]:
        inputs, _ = self.check(props)
        self.outputs = self.host.update(self.urn, self.id, self.outputs, inputs)
        self.inputs = inputs
        return self.outputs

    def read(self) -> tuple[str, dict[str, Any]]:
        return self.host.read(self.urn, self.id, self.outputs, self.inputs)

    def delete(self) -> None:
        self.host.delete(self.urn, self.id, self.outputs)


class Served:
    """What the sandbox (in this process) carried out, in order: Exchange cmdlet names and Graph
    ``METHOD /path`` lines. Lets a test prove that a step wrote nothing to the tenant, which the
    tenant's state alone cannot show when a repeated write is a no-op (Add-RecipientPermission of an
    existing grant only warns)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: list[str] = []
        for key, spec in list(exchange_cmdlets.CMDLETS.items()):
            monkeypatch.setitem(exchange_cmdlets.CMDLETS, key, dataclasses.replace(spec, handler=self._spy(spec)))
        served = self

        class RecordedGraphCall(graph_http.GraphCall):
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, **kwargs)
                served.calls.append(f"{self.request.method} {self.request.url.path}")

        monkeypatch.setattr(graph_http, "GraphCall", RecordedGraphCall)

    def _spy(self, spec: exchange_cmdlets.Cmdlet) -> Any:
        def handler(call: Any) -> Any:
            self.calls.append(spec.name)
            return spec.handler(call)

        return handler

    def writes(self) -> list[str]:
        """The calls that could change the tenant: every cmdlet but Get-*, every Graph call but GET."""
        return [c for c in self.calls if not c.startswith(("Get-", "GET "))]
