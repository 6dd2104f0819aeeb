"""``relayctl sandbox``: run the offline sandbox tenant until Ctrl-C.

Prints the HTTPS base URL, the SMTP endpoints and the environment to export so that relayctl, the
Pulumi program and azure-identity talk to the sandbox instead of Microsoft, then the ``ARM_*``
environment that makes the azuread provider treat the sandbox as a custom cloud (its
``/metadata/endpoints`` document). ``relayctl sandbox env`` prints the running sandbox's environment for
``eval "$(relayctl sandbox env)"`` in another shell, with each sender's credentials (kept by the running
sandbox in ``STATE_DIR/env.sh``, owner-only). Every secret printed is the sandbox's own generated test
credential, valid on that sandbox only, never a real one.
"""

from __future__ import annotations

import argparse
import shlex
import signal
import sys
import threading
from pathlib import Path
from types import ModuleType

from o365relay.errors import UsageError

DEFAULT_STATE_DIR = Path(".relay-sandbox")

DESCRIPTION = """Run the offline sandbox tenant (Graph, Exchange admin, token, SMTP) on loopback. State lives in
--state-dir (SQLite, owner-only, git-ignored) and survives restarts; a fresh directory is seeded from --seed.

  relayctl sandbox                 run it (Ctrl-C to stop)
  eval "$(relayctl sandbox env)"   in another shell: point relayctl there; lists each sender's
                                   sandbox-only credentials (app id and client secret, mailbox password)
  relayctl sandbox publish FILE    be the DNS team: publish zone snippets (a stack's zoneFiles output,
                                   `pulumi stack output zoneFiles --json`; - reads stdin) in the sandbox's
                                   DNS, which its loopback server (RELAY_NAMESERVER) serves to `relayctl dns`
  relayctl sandbox partner-cert NAME
                                   be a SaaS partner: a TLS client certificate for NAME signed by the
                                   sandbox CA, for a partner connector's certificateName to match on the
                                   MX endpoint (sandbox-only)"""
ENV_FILE = "env.sh"
SERVER_LIBRARIES = ("aiosmtpd", "starlette", "uvicorn")  # the `sandbox` extra in pyproject.toml
ZONE_LIMIT = 1024 * 1024  # bytes of zone snippets read from one file


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", nargs="?", choices=("run", "env", "publish", "partner-cert"), default="run",
                        help="run the sandbox (default), print the running sandbox's environment, "
                             "publish zone snippets in its DNS, or issue a partner's client certificate")
    parser.add_argument("files", nargs="*", metavar="FILE",
                        help="publish: zone snippets or the zoneFiles output as JSON (- for stdin); "
                             "partner-cert: the name on the certificate")
    parser.add_argument(
        "--state-dir",
        type=Path,
        default=DEFAULT_STATE_DIR,
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
        help="inject faults, e.g. 429=0.2,503=0.05,drop=0.05,latency=0.05,seed=7; exo-concurrency=3 "
             "limits the Exchange requests in flight per tenant (429 past it)",
    )


def run(args: argparse.Namespace) -> int:
    if args.files and args.action not in ("publish", "partner-cert"):
        raise UsageError(f"relayctl sandbox {args.action} takes no files (did you mean `relayctl sandbox publish`?)")
    if args.action == "publish":
        return publish_files(args.state_dir, args.files)
    if args.action == "partner-cert":
        return partner_certificate(args.state_dir, args.files)
    return print_env(args.state_dir) if args.action == "env" else serve(args)


def sandbox_runner() -> ModuleType:
    """``o365relay.sandbox.runner``; its servers come with the ``sandbox`` extra, which a deploy-only
    install (``pip install o365-relay[pulumi]``) leaves out, so say how to add it."""
    try:
        from o365relay.sandbox import runner
    except ModuleNotFoundError as exc:
        missing = (exc.name or "").split(".")[0]
        if missing not in SERVER_LIBRARIES:
            raise
        raise UsageError(f"the sandbox needs its server libraries ({missing} is not installed): "
                         "pip install 'o365-relay[sandbox]'") from None
    return runner


def serve(args: argparse.Namespace) -> int:
    from o365relay.fileio import write_text

    runner = sandbox_runner()
    from o365relay.sandbox.faults import FaultPlan

    faults = FaultPlan.parse(args.faults) if args.faults else None
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with runner.start_sandbox(
        args.state_dir,
        seed=args.seed,
        faults=faults,
        host=args.host,
        port=args.port,
        smtp_port=args.smtp_port,
        mx_port=args.mx_port,
    ) as sandbox:
        env_file = sandbox.state_dir / ENV_FILE
        write_text(env_file, exports(sandbox.env()), private=True)
        print(f"sandbox tenant {sandbox.tenant_id} ({sandbox.initial_domain})")
        print(f"  https   {sandbox.base_url}   (CA: {sandbox.ca_file})")
        if sandbox.smtp_port:
            host = sandbox.smtp_host
            print(f"  smtp    {host}:{sandbox.smtp_port}   mx {host}:{sandbox.mx_port}")
        if sandbox.env().get("RELAY_NAMESERVER"):
            print(f"  dns     {sandbox.env()['RELAY_NAMESERVER']}   (serves what was published; add a stack's "
                  "zoneFiles with `relayctl sandbox publish`)")
        if faults:
            print(f"  faults  {args.faults}")
        print("export these to use it (sandbox-only credentials):")
        print(exports(sandbox.env(), indent="  "), end="")
        print("for the azuread provider (pulumi-azuread), in the shell that runs pulumi only: SSL_CERT_FILE")
        print("replaces the system CA bundle (sandbox-only credentials):")
        print(exports(sandbox.azuread_env(), indent="  "), end="")
        state = "" if args.state_dir == DEFAULT_STATE_DIR else f" --state-dir {shlex.quote(str(sandbox.state_dir))}"
        print(f'or, in another shell: eval "$(relayctl sandbox env{state})"  (also lists sender credentials)')
        print("Ctrl-C to stop.", flush=True)
        # Ctrl-C stops it like SIGTERM, even when it was started with SIGINT ignored (`relayctl sandbox &`
        # in a script), which would otherwise leave it deaf to Ctrl-C
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        while not stop.wait(0.5):
            pass
        env_file.unlink(missing_ok=True)
    print("sandbox stopped; state kept in", args.state_dir)
    return 0


def exports(env: dict[str, str], indent: str = "") -> str:
    """``export KEY=value`` lines a shell can eval."""
    return "".join(f"{indent}export {key}={shlex.quote(value)}\n" for key, value in env.items())


def running_env(state_dir: Path) -> tuple[str, dict[str, str]]:
    """The running sandbox's ``env.sh`` as text and as variables; UsageError when none runs there."""
    from o365relay.fileio import read_text

    env_file = state_dir / ENV_FILE
    if not env_file.is_file():
        where = "" if state_dir == DEFAULT_STATE_DIR else f" --state-dir {state_dir}"
        raise UsageError(f"no sandbox is running on {state_dir} (no {env_file}); start one with "
                         f"`relayctl sandbox{where}`")
    text = read_text(env_file, 64 * 1024, "the sandbox environment")
    return text, dict(shlex.split(line.removeprefix("export "))[0].split("=", 1)
                      for line in text.splitlines() if line)


def publish_files(state_dir: Path, files: list[str]) -> int:
    """``relayctl sandbox publish``: the zone snippets' records into the running sandbox's DNS."""
    from o365relay.cli.sandbox_publish import publish, snippets, zone_records
    from o365relay.fileio import read_text

    if not files:
        raise UsageError("relayctl sandbox publish needs zone snippets: FILE… or - for stdin "
                         "(e.g. pulumi stack output zoneFiles --json | relayctl sandbox publish -)")
    _, env = running_env(state_dir)
    records = []
    for name in files:
        text = sys.stdin.read(ZONE_LIMIT) if name == "-" else read_text(name, ZONE_LIMIT, "a zone snippet")
        for source, snippet in snippets(text, "stdin" if name == "-" else name):
            records += zone_records(snippet, source)
    rows = publish(env["RELAY_EXCHANGE_BASE"], env["RELAY_CA_FILE"], records)
    for row in rows:
        value = " ".join(f'"{s}"' for s in row["value"]) if row["type"] == "TXT" else row["value"]
        print(f"published {row['name']} {row['type']} {value}")
    print(f"the sandbox's DNS server {env.get('RELAY_NAMESERVER', '?')} serves them (RELAY_NAMESERVER); "
          "check with `relayctl dns SPEC`")
    return 0


def partner_certificate(state_dir: Path, names: list[str]) -> int:
    """``relayctl sandbox partner-cert NAME``: a client certificate the sandbox's MX endpoint trusts."""
    from o365relay.sandbox.certs import ensure_pki, issue_client_certificate
    from o365relay.spec.addresses import check_dns_name

    if len(names) != 1:
        raise UsageError("relayctl sandbox partner-cert needs one name, the one on the partner's certificate "
                         "(e.g. mx1.ticketing.example)")
    name = names[0].lower()
    if problem := check_dns_name(name):
        raise UsageError(f"partner-cert: {problem}")
    ensure_pki(state_dir)
    cert, key = issue_client_certificate(state_dir, name)
    print(f"certificate {cert}")
    print(f"key         {key} (owner-only; sandbox-only: the sandbox CA signed it)")
    print(f"a partner connector with certificateName {name} (or *.{name.partition('.')[2]}) matches a server "
          "presenting it on the sandbox's MX endpoint")
    return 0


def print_env(state_dir: Path) -> int:
    """The running sandbox's environment, then each sender's sandbox-only credentials as comments."""
    text, env = running_env(state_dir)
    print(f"# o365-relay sandbox tenant {env.get('AZURE_TENANT_ID', '?')}: every secret below is sandbox-only")
    sys.stdout.write(text)
    senders = _sender_credentials(env)
    if not senders:
        print("# senders: none yet; apply a spec to this sandbox (README, `pulumi up --stack sandbox`), then run "
              "`relayctl sandbox env` again for their sandbox-only credentials")
        return 0
    print("# senders: export one line's variables before `relayctl test-send` (sandbox-only credentials)")
    for sender in senders:
        if sender["kind"] == "application":
            line = (f"RELAY_SENDER_CLIENT_ID={sender['login']} "
                    f"RELAY_SENDER_CLIENT_SECRET={shlex.quote(sender['secret'])}")
        else:
            line = f"RELAY_SMTP_PASSWORD={shlex.quote(sender['secret'])}"
        print(f"#   {sender['kind']:<11} {sender['name']:<32} export {line}")
    return 0


def _sender_credentials(env: dict[str, str]) -> list[dict[str, str]]:
    """Ask the running sandbox to issue (or repeat) its sender credentials."""
    import httpx

    from o365relay.netfail import transport_error

    base = env["RELAY_EXCHANGE_BASE"]
    try:
        response = httpx.post(f"{base}/_sandbox/sender-credentials", verify=env["RELAY_CA_FILE"], timeout=30)
        response.raise_for_status()
    except httpx.TransportError as error:
        raise transport_error(error, "the sandbox", base) from None
    senders: list[dict[str, str]] = response.json()["senders"]
    return senders
