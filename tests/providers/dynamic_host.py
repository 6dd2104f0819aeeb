"""Run Pulumi's dynamic-provider host (``python -m pulumi.dynamic``) and drive it over gRPC as the
engine does: Configure once, then Check/Diff/Create/Read/Update/Delete, every value crossing a
protobuf Struct (ints arrive as floats, None values are dropped, secrets are stripped).

The engine tests (tests/engine) run the providers under ``pulumi up``; this harness serves the
per-kind tests that the engine cannot reach cheaply: one host call per edge case (a conflicting
object, Exchange's value forms, a tenant fault) instead of a whole ``pulumi up``. Provider blobs are
made by :mod:`components.providers.pulumi_sdk`, as the program makes them.
"""

from __future__ import annotations

import asyncio
import os
import queue
import re
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any, NamedTuple

import grpc
from google.protobuf import struct_pb2
from pulumi.dynamic import ResourceProvider
from pulumi.runtime import rpc
from pulumi.runtime.proto import provider_pb2 as pb
from pulumi.runtime.proto import provider_pb2_grpc
from pulumi_values import strip_secrets

from components.providers import pulumi_sdk
from components.providers.session import PROJECT
from o365relay import errors
from o365relay.errors import RelayError, TenantError, UsageError

# The host unpickles providers by reference (components.providers...), so it runs from the project root.
PROJECT_ROOT = Path(__file__).resolve().parents[2]


def provider_blob(provider: ResourceProvider) -> str:
    """The ``__provider`` string ``pulumi.dynamic.Resource`` stores for ``provider``."""
    blob, _ = pulumi_sdk.serialize(provider)
    return blob


def make_urn(type_token: str, name: str, stack: str = "test") -> str:
    return f"urn:pulumi:{stack}::{PROJECT}::{type_token}::{name}"


def to_struct(props: dict[str, Any]) -> struct_pb2.Struct:
    """dict -> Struct with the SDK's serializer, on a private loop (asyncio.run would break mock runs)."""
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(rpc.serialize_properties(strip_secrets(props), {}))
    finally:
        loop.close()


def from_struct(struct: struct_pb2.Struct) -> dict[str, Any]:
    return rpc.deserialize_properties(struct)


# The last exception line of the traceback the host returns: "o365relay.errors.NotFound: message".
_RAISED = re.compile(r"^(?P<type>[A-Za-z_][\w.]*)(?::\s?(?P<message>.*))?$")


def provider_error(error: grpc.RpcError) -> RelayError:
    """The error a provider raised in the host, rebuilt from the traceback the host sends back.

    o365relay errors keep their class (and so their exit code); anything else is a failure of the
    apply against the tenant. Only the exception's own text is kept, never the traceback.
    """
    details = error.details() if hasattr(error, "details") else str(error)
    lines = (details or "").rstrip().splitlines()
    raised = [(i, m) for i, line in enumerate(lines)
              if not line.startswith("Traceback") and (m := _RAISED.match(line)) is not None]
    if not raised:
        return TenantError(f"the provider host failed: {details or error}")
    start, match = raised[-1]
    name = match["type"].rsplit(".", 1)[-1]
    message = "\n".join([match["message"] or "", *lines[start + 1:]]).strip()
    cls = getattr(errors, name, None)
    if isinstance(cls, type) and issubclass(cls, RelayError) and cls is not errors.SpecError:
        return cls(message)
    return TenantError(f"{name}: {message}" if message else name)


class DiffOutcome(NamedTuple):
    changes: str  # DIFF_UNKNOWN / DIFF_NONE / DIFF_SOME
    replaces: list[str]
    delete_before_replace: bool


class DynamicHost:
    """One host process plus a gRPC client for it; ``env`` is added to this process's environment.

    Engine calls raise ``grpc.RpcError`` as the engine sees them; :func:`provider_error` turns one
    into the o365relay error the provider raised.
    """

    def __init__(self, config: dict[str, Any] | None = None, env: dict[str, str] | None = None,
                 cwd: Path = PROJECT_ROOT, start_timeout: float = 30.0) -> None:
        self.stdout_lines: list[str] = []
        self.stderr_lines: list[str] = []
        self._channel: grpc.Channel | None = None
        self._proc = subprocess.Popen(
            [sys.executable, "-u", "-m", "pulumi.dynamic"], cwd=cwd,
            env={**os.environ, **(env or {}), "PULUMI_PROJECT": PROJECT},
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            port = self._read_port(start_timeout)
            self._channel = grpc.insecure_channel(f"127.0.0.1:{port}")
            grpc.channel_ready_future(self._channel).result(timeout=start_timeout)
            self.stub = provider_pb2_grpc.ResourceProviderStub(self._channel)
            self.stub.Configure(pb.ConfigureRequest(args=to_struct(config or {}), acceptSecrets=True,
                                                    acceptResources=True))
        except BaseException:
            self.close()
            raise

    def _read_port(self, timeout: float) -> int:
        first: queue.Queue[str] = queue.Queue()

        def drain(stream: Any, sink: list[str], report_first: bool) -> None:
            for i, line in enumerate(stream):
                if report_first and i == 0:
                    first.put(line)
                else:
                    sink.append(line.rstrip("\n"))
            if report_first:
                first.put("")

        for stream, sink, report in ((self._proc.stdout, self.stdout_lines, True),
                                     (self._proc.stderr, self.stderr_lines, False)):
            threading.Thread(target=drain, args=(stream, sink, report), daemon=True).start()
        try:
            line = first.get(timeout=timeout)
        except queue.Empty:
            raise UsageError(f"Pulumi's dynamic provider host (python -m pulumi.dynamic) printed no port "
                             f"within {timeout}s") from None
        if not line.strip().isdigit():
            self._proc.wait(5)
            raise UsageError(f"Pulumi's dynamic provider host did not start (is pulumi installed in "
                             f"{sys.executable}?): {' | '.join(self.stderr_lines[-5:]) or line!r}")
        return int(line)

    # ------------------------------------------------------------------ engine calls

    def check(self, urn: str, olds: dict[str, Any], news: dict[str, Any]
              ) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        r = self.stub.Check(pb.CheckRequest(urn=urn, olds=to_struct(olds), news=to_struct(news)))
        return from_struct(r.inputs), [(f.property, f.reason) for f in r.failures]

    def diff(self, urn: str, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffOutcome:
        r = self.stub.Diff(pb.DiffRequest(urn=urn, id=id_, olds=to_struct(olds), news=to_struct(news)))
        return DiffOutcome(pb.DiffResponse.DiffChanges.Name(r.changes), list(r.replaces), r.deleteBeforeReplace)

    def create(self, urn: str, props: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        r = self.stub.Create(pb.CreateRequest(urn=urn, properties=to_struct(props)))
        return r.id, from_struct(r.properties)

    def read(self, urn: str, id_: str, props: dict[str, Any], inputs: dict[str, Any] | None = None
             ) -> tuple[str, dict[str, Any]]:
        r = self.stub.Read(pb.ReadRequest(urn=urn, id=id_, properties=to_struct(props),
                                          inputs=to_struct(inputs or {})))
        return r.id, from_struct(r.properties)

    def update(self, urn: str, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> dict[str, Any]:
        r = self.stub.Update(pb.UpdateRequest(urn=urn, id=id_, olds=to_struct(olds), news=to_struct(news)))
        return from_struct(r.properties)

    def delete(self, urn: str, id_: str, props: dict[str, Any]) -> None:
        self.stub.Delete(pb.DeleteRequest(urn=urn, id=id_, properties=to_struct(props)))

    # ------------------------------------------------------------------ lifecycle

    def close(self) -> None:
        if self._channel is not None:
            self._channel.close()
            self._channel = None
        if self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait(5)

    def __enter__(self) -> DynamicHost:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
