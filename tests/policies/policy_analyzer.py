"""Drive the policy pack the way the Pulumi engine does: ``python -m pulumi.policy`` over gRPC.

The engine starts the analyzer with the stack config in ``PULUMI_CONFIG``, reads the port it prints,
then calls GetAnalyzerInfo, Configure (the policy-pack config), Analyze once per resource with its
inputs, and AnalyzeStack once with every resource's outputs. Keys starting with ``__`` (the dynamic
provider blob) never reach analyzers, so they are dropped here too.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import empty_pb2, struct_pb2
from pulumi.runtime.proto import analyzer_pb2 as pb
from pulumi.runtime.proto import analyzer_pb2_grpc

REPO = Path(__file__).resolve().parents[2]
PACK_DIR = REPO / "policies"
LEVELS = {"advisory": pb.ADVISORY, "mandatory": pb.MANDATORY, "disabled": pb.DISABLED}
LEVEL_NAMES = {v: k for k, v in LEVELS.items()}


def struct(data: dict[str, Any]) -> struct_pb2.Struct:
    out = struct_pb2.Struct()
    out.update({k: v for k, v in data.items() if not k.startswith("__")})
    return out


@dataclass(frozen=True)
class Diagnostic:
    policy: str
    message: str  # the violation text, without the policy description CrossGuard puts first
    urn: str
    enforcement: str


class PolicyAnalyzer:
    def __init__(self, stack_config: dict[str, str] | None = None):
        env = {**os.environ, "PULUMI_CONFIG": json.dumps(stack_config or {})}
        command = [sys.executable, "-u", "-m", "pulumi.policy", "127.0.0.1:1", str(PACK_DIR)]
        self.proc = subprocess.Popen(command, cwd=PACK_DIR, env=env, text=True,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert self.proc.stdout is not None and self.proc.stderr is not None
        first = self.proc.stdout.readline().strip()
        self.log: list[str] = []
        for stream in (self.proc.stdout, self.proc.stderr):
            threading.Thread(target=self._drain, args=(stream,), daemon=True).start()
        if not first.isdigit():
            self.close()
            raise RuntimeError(f"analyzer did not start: {first!r} {''.join(self.log)}")
        self.channel = grpc.insecure_channel(f"127.0.0.1:{first}")
        self.stub = analyzer_pb2_grpc.AnalyzerStub(self.channel)

    def _drain(self, stream: Any) -> None:
        for line in stream:
            self.log.append(line)

    def close(self) -> None:
        self.proc.kill()
        self.proc.wait(timeout=10)

    def info(self) -> Any:
        return self.stub.GetAnalyzerInfo(empty_pb2.Empty())

    def configure(self, config: dict[str, dict[str, Any]]) -> None:
        """The pack config as the CLI sends it: per policy, an enforcement level and properties."""
        policy_config = {}
        for name, entry in config.items():
            props = {k: v for k, v in entry.items() if k != "enforcementLevel"}
            policy_config[name] = pb.PolicyConfig(enforcementLevel=LEVELS[entry["enforcementLevel"]],
                                                  properties=struct(props))
        self.stub.Configure(pb.ConfigureAnalyzerRequest(policyConfig=policy_config))

    def analyze(self, type_: str, name: str, urn: str, inputs: dict[str, Any]) -> list[Diagnostic]:
        request = pb.AnalyzeRequest(type=type_, name=name, urn=urn, properties=struct(inputs))
        return diagnostics(self.stub.Analyze(request))

    def analyze_stack(self, resources: list[dict[str, Any]]) -> list[Diagnostic]:
        request = pb.AnalyzeStackRequest(resources=[
            pb.AnalyzerResource(type=r["type"], name=r["name"], urn=r["urn"], parent=r.get("parent", ""),
                                properties=struct(r["properties"])) for r in resources])
        return diagnostics(self.stub.AnalyzeStack(request))


def diagnostics(response: Any) -> list[Diagnostic]:
    out = []
    for d in response.diagnostics:
        _, _, message = d.message.partition("\n")
        level = LEVEL_NAMES.get(d.enforcementLevel, "?")
        out.append(Diagnostic(d.policyName, message or d.message, d.urn, level))
    return out
