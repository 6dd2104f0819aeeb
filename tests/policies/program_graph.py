"""The resources the Pulumi program registers for a spec, as the engine would hand them to analyzers.

Uses the program's own mock harness (``tests/components/pulumi_mocks.py``: the mocked provider outputs
PROGRAM maintains) and additionally keeps each component's registered outputs, because AnalyzeStack
receives outputs: a custom resource's provider outputs, a component's ``register_outputs``.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pulumi.runtime import rpc

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "components"))

import pulumi  # noqa: E402
from pulumi_mocks import PROJECT, STACK, RecordingMonitor, TenantMocks  # noqa: E402


@dataclass(frozen=True)
class Registered:
    type: str
    name: str
    urn: str
    parent: str
    inputs: dict[str, Any]
    outputs: dict[str, Any]

    def analyze_stack_resource(self) -> dict[str, Any]:
        return {"type": self.type, "name": self.name, "urn": self.urn, "parent": self.parent,
                "properties": self.outputs}


class OutputsMonitor(RecordingMonitor):
    def __init__(self, mocks: pulumi.runtime.Mocks):
        super().__init__(mocks)
        self.registered_outputs: dict[str, dict[str, Any]] = {}

    def RegisterResourceOutputs(self, request: Any) -> Any:
        self.registered_outputs[request.urn] = rpc.deserialize_properties(request.outputs, keep_unknowns=True)
        return super().RegisterResourceOutputs(request)


def program_resources(spec_file: Path, enforcement: str = "advisory") -> list[Registered]:
    """Run the real program (components.program.run) under mocks for ``spec_file``."""
    from components import program

    pulumi.runtime.settings.ROOT.set(None)
    pulumi.runtime.set_all_config({"o365-relay:spec": str(spec_file), "o365-relay:enforcement": enforcement})
    monitor = OutputsMonitor(TenantMocks())
    pulumi.runtime.set_mocks(monitor.mocks, project=PROJECT, stack=STACK, preview=False, monitor=monitor)

    @pulumi.runtime.test
    def run() -> None:
        program.run()

    run()
    return [
        Registered(r.type, r.name, r.urn, r.parent, r.inputs,
                   r.outputs if r.custom else monitor.registered_outputs.get(r.urn, {}))
        for r in monitor.registrations.values()
    ]
