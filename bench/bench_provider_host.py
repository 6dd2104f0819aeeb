"""Warm per-operation overhead of the dynamic-provider host beyond its HTTP calls (target: <= 5 ms).

Starts the sandbox and a provider host (``python -m pulumi.dynamic``), creates one connector (the
cold path: unpickling, imports, the token), then times warm gRPC Read calls. A warm Read makes one
HTTP request, Get-InboundConnector, on the host process's pooled client (its connection stays open
between calls; the token is cached for the process). That request is timed on its own from this
process, made the same way (one kept-alive connection), and subtracted: what is left is gRPC, the
Struct round trip and the provider plumbing. The load average is printed: on a shared machine the
figure moves with it.

    .venv/bin/python bench/bench_provider_host.py [--ops 40]
"""

from __future__ import annotations

import argparse
import os
import ssl
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "tests" / "providers"), str(ROOT / "tests" / "components")]

from dynamic_host import DynamicHost, make_urn, provider_blob  # noqa: E402  (the test harness)

from components.providers.inbound_connector import InboundConnectorProvider  # noqa: E402
from o365relay.sandbox.runner import start_sandbox  # noqa: E402

PROPS = {"name": "bench-relay", "connector_type": "OnPremises", "sender_ips": ["203.0.113.0/28"],
         "sender_domains": ["*"], "require_tls": True, "enabled": True, "comment": ""}


def token(sandbox: Any, tls: ssl.SSLContext) -> str:
    with httpx.Client(verify=tls, timeout=30) as http:
        return http.post(f"{sandbox.base_url}/{sandbox.tenant_id}/oauth2/v2.0/token", data={
            "grant_type": "client_credentials", "client_id": sandbox.deployer_client_id,
            "client_secret": sandbox.deployer_client_secret,
            "scope": "https://outlook.office365.com/.default"}).json()["access_token"]


def direct_http(http: httpx.Client, sandbox: Any, bearer: str) -> float:
    """The provider's HTTP call for one warm Read, made directly on a kept-alive connection."""
    start = time.perf_counter()
    http.post(f"{sandbox.base_url}/adminapi/beta/{sandbox.tenant_id}/InvokeCommand",
              json={"CmdletInput": {"CmdletName": "Get-InboundConnector",
                                    "Parameters": {"Identity": "bench-relay"}}},
              headers={"Authorization": f"Bearer {bearer}"}).raise_for_status()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ops", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as state, start_sandbox(Path(state)) as sandbox:
        tls = ssl.create_default_context(cafile=sandbox.ca_file)
        blob = provider_blob(InboundConnectorProvider())
        urn = make_urn("pulumi-python:dynamic/exchange:InboundConnector", "bench")
        with DynamicHost(config={"o365-relay:tenantId": sandbox.tenant_id}, env=sandbox.env()) as host:
            start = time.perf_counter()
            rid, outs = host.create(urn, {**PROPS, "__provider": blob})
            cold = time.perf_counter() - start
            host_times, http_times = [], []
            bearer = token(sandbox, tls)
            with httpx.Client(verify=tls, timeout=30) as http:
                direct_http(http, sandbox, bearer)  # open the connection, as the host's first Read did
                for _ in range(args.ops):
                    start = time.perf_counter()
                    assert host.read(urn, rid, outs)[0] == rid
                    host_times.append(time.perf_counter() - start)
                    http_times.append(direct_http(http, sandbox, bearer))
        h, d = statistics.median(host_times), statistics.median(http_times)
        print(f"cold create (unpickle, imports, token, 2 cmdlets): {cold * 1000:.0f} ms")
        print(f"warm Read through the host: median {h * 1000:.1f} ms over {args.ops} ops")
        print(f"its HTTP call made directly (Get-InboundConnector): median {d * 1000:.1f} ms")
        print(f"host overhead beyond HTTP: {(h - d) * 1000:.1f} ms per operation (target <= 5 ms); "
              f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
