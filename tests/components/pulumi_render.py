"""Render the Pulumi program under the SDK's mock runtime and keep the whole resource graph.

The mock runtime registers a resource only once its inputs are resolved, so the :class:`Mocks`
given to :func:`render` see resources in dependency order (the program tests answer with made-up
outputs; the real engine's behaviour is tested in tests/engine). The SDK's
MockMonitor drops parents, dependencies and additionalSecretOutputs; :class:`RecordingMonitor`
keeps them, and the stack outputs, as the engine would see them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pulumi
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import rpc

from components.providers.session import PROJECT


@dataclass
class Registration:
    urn: str
    type: str
    name: str
    custom: bool
    inputs: dict[str, Any]
    parent: str
    dependencies: list[str]
    additional_secret_outputs: list[str]
    outputs: dict[str, Any] = field(default_factory=dict)


class RecordingMonitor(pulumi_mocks.MockMonitor):
    """MockMonitor that also keeps what the engine would see: parent, dependencies, secret outputs."""

    def __init__(self, mocks: pulumi.runtime.Mocks):
        super().__init__(mocks)
        self.registrations: dict[str, Registration] = {}
        self.exports: dict[str, Any] = {}  # stack output name -> value
        self.secret_exports: set[str] = set()  # the names of outputs that are Pulumi secrets

    def RegisterResource(self, request: Any) -> Any:
        response = super().RegisterResource(request)
        if request.type != "pulumi:pulumi:Stack":
            self.registrations[response.urn] = Registration(
                urn=response.urn, type=request.type, name=request.name, custom=bool(request.custom),
                inputs=rpc.deserialize_properties(request.object, keep_unknowns=True),
                parent=request.parent, dependencies=list(request.dependencies),
                additional_secret_outputs=list(request.additionalSecretOutputs),
                outputs=self.resources[response.urn].state if response.urn in self.resources else {})
        return response


def render(program: Callable[[], Any], config: dict[str, str], mocks: pulumi.runtime.Mocks, *, stack: str,
           preview: bool = False, secret_keys: list[str] | None = None) -> RecordingMonitor:
    """Run ``program`` under ``mocks`` with the stack ``config``; return the monitor holding the graph."""
    asyncio.set_event_loop(asyncio.new_event_loop())  # an earlier asyncio.run() may have cleared it
    pulumi.runtime.settings.ROOT.set(None)
    pulumi.runtime.set_all_config(config, secret_keys)
    monitor = RecordingMonitor(mocks)
    pulumi.runtime.set_mocks(monitor.mocks, project=PROJECT, stack=stack, preview=preview, monitor=monitor)

    @pulumi.runtime.test
    def run() -> pulumi.Output[None]:
        program()
        return pulumi.Output.from_input(_collect_exports(monitor))

    run()
    return monitor


async def _collect_exports(monitor: RecordingMonitor) -> None:
    """Resolve the stack outputs the program exported (the engine would do this at the end)."""
    root = pulumi.runtime.settings.get_root_resource()
    for name, value in getattr(root, "outputs", {}).items():
        output = pulumi.Output.from_input(value)
        monitor.exports[name] = await output.future(with_unknowns=True)
        if await output.is_secret():
            monitor.secret_exports.add(name)
