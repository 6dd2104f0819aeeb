"""``relayctl sandbox``: run the offline sandbox tenant until Ctrl-C.

Prints the HTTPS base URL, the SMTP endpoints and the environment to export so that relayctl, the
Pulumi program and azure-identity talk to the sandbox instead of Microsoft, then the ``ARM_*``
environment that makes the azuread provider treat the sandbox as a custom cloud (its
``/metadata/endpoints`` document). The printed client secret
is the sandbox's own generated test credential, never a real one.
"""

from __future__ import annotations

import argparse
import shlex
import signal
import threading
from pathlib import Path

DESCRIPTION = (
    "Run the offline sandbox tenant (Graph, Exchange admin, token, SMTP) on loopback. State lives in "
    "--state-dir (SQLite) and survives restarts; a fresh directory is seeded from --seed."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--state-dir",
        type=Path,
        default=Path(".relay-sandbox"),
        help="directory for the tenant's state, CA and keys (default: .relay-sandbox)",
    )
    parser.add_argument(
        "--seed",
        type=Path,
        default=None,
        help="seed file for a fresh state dir (default: the Contoso tenant of relay.prod.yaml)",
    )
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to listen on")
    parser.add_argument("--port", type=int, default=0, help="HTTPS port (default: any free port)")
    parser.add_argument(
        "--smtp-port", type=int, default=0, help="SMTP submission port (default: any free port)"
    )
    parser.add_argument(
        "--mx-port", type=int, default=0, help="MX (port-25 style) port (default: any free port)"
    )
    parser.add_argument(
        "--faults",
        default="",
        metavar="SPEC",
        help="inject faults, e.g. 429=0.2,503=0.05,drop=0.05,latency=0.05,seed=7",
    )


def run(args: argparse.Namespace) -> int:
    from o365relay.sandbox.faults import FaultPlan
    from o365relay.sandbox.runner import start_sandbox

    faults = FaultPlan.parse(args.faults) if args.faults else None
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with start_sandbox(
        args.state_dir,
        seed=args.seed,
        faults=faults,
        host=args.host,
        port=args.port,
        smtp_port=args.smtp_port,
        mx_port=args.mx_port,
    ) as sandbox:
        print(f"sandbox tenant {sandbox.tenant_id} ({sandbox.initial_domain})")
        print(f"  https   {sandbox.base_url}   (CA: {sandbox.ca_file})")
        if sandbox.smtp_port:
            host = sandbox.smtp_host
            print(f"  smtp    {host}:{sandbox.smtp_port}   mx {host}:{sandbox.mx_port}")
        if faults:
            print(f"  faults  {args.faults}")
        print("export these to use it (sandbox-only credentials):")
        for key, value in sandbox.env().items():
            print(f"  export {key}={shlex.quote(value)}")
        print("for the azuread provider (pulumi-azuread), in the shell that runs pulumi only: SSL_CERT_FILE")
        print("replaces the system CA bundle (sandbox-only credentials):")
        for key, value in sandbox.azuread_env().items():
            print(f"  export {key}={shlex.quote(value)}")
        print("Ctrl-C to stop.", flush=True)
        try:
            while not stop.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
    print("sandbox stopped; state kept in", args.state_dir)
    return 0
