"""Start and stop a sandbox tenant: HTTPS (uvicorn in a background thread) plus the SMTP endpoints.

    with start_sandbox(tmp_path / "tenant") as sandbox:
        httpx.get(f"{sandbox.base_url}/_sandbox/health", verify=str(sandbox.ca_file))

A fresh ``state_dir`` is seeded (``seed`` or ``seeds/default.yaml``); an existing one is reopened as
it was left, whatever ``seed`` says, so a restart loses nothing. Ports 0 mean "any free port".

The SMTP endpoints (:mod:`o365relay.sandbox.smtp_server`) start once the HTTPS server is up: they use
its PKI for STARTTLS and its token service for XOAUTH2.
"""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from o365relay.errors import UsageError
from o365relay.sandbox import seed as seeding
from o365relay.sandbox import smtp_server
from o365relay.sandbox import store as st
from o365relay.sandbox.app import build_app
from o365relay.sandbox.certs import ensure_pki
from o365relay.sandbox.context import SandboxContext
from o365relay.sandbox.dns_server import DnsViewServer
from o365relay.sandbox.faults import FaultPlan, FaultSwitch
from o365relay.sandbox.tokens import TokenService

if TYPE_CHECKING:
    from o365relay.tenant.settings import Endpoints

_START_TIMEOUT = 15.0


class Sandbox:
    """A running sandbox tenant. Use as a context manager, or call :meth:`stop`."""

    def __init__(self, ctx: SandboxContext, server: Any, thread: threading.Thread, smtp: Any, host: str,
                 dns: DnsViewServer | None = None):
        self.ctx = ctx
        self._dns = dns
        self._server = server
        self._thread = thread
        self._smtp = smtp
        self.smtp_host = host
        org = ctx.store.organization()
        self.tenant_id: str = org["id"]
        self.initial_domain: str = org["initialDomain"]
        self.deployer_client_id: str = ctx.store.get_meta(seeding.META_DEPLOYER_ID) or ""
        self.deployer_client_secret: str = ctx.store.get_meta(seeding.META_DEPLOYER_SECRET) or ""

    @property
    def base_url(self) -> str:
        return self.ctx.base_url

    @property
    def ca_file(self) -> Path:
        return self.ctx.pki.ca_file

    @property
    def state_dir(self) -> Path:
        return self.ctx.state_dir

    @property
    def store(self) -> st.Store:
        return self.ctx.store

    @property
    def smtp_port(self) -> int:
        return int(self._smtp.smtp_port) if self._smtp else 0

    @property
    def mx_port(self) -> int:
        return int(self._smtp.mx_port) if self._smtp else 0

    def secret_for(self, app_id: str) -> str | None:
        """The generated client secret of a seeded app (sandbox-only test credential)."""
        return self.ctx.store.get_meta(seeding.secret_meta_key(app_id))

    def set_faults(self, plan: FaultPlan | None) -> None:
        """Switch faults on (or off with None) while running."""
        self.ctx.faults.plan = plan

    def endpoints(self) -> Endpoints:
        from o365relay.tenant.settings import Endpoints

        return Endpoints.sandbox(self.base_url, self.tenant_id, str(self.ca_file))

    def env(self) -> dict[str, str]:
        """Environment for tools and clients that should talk to this sandbox as the deployer."""
        env = {
            "AZURE_TENANT_ID": self.tenant_id,
            "AZURE_CLIENT_ID": self.deployer_client_id,
            "AZURE_CLIENT_SECRET": self.deployer_client_secret,
            "AZURE_AUTHORITY_HOST": self.base_url,
            "RELAY_TENANT_ID": self.tenant_id,
            "RELAY_LOGIN_AUTHORITY": self.base_url,
            "RELAY_GRAPH_BASE": f"{self.base_url}/v1.0",
            "RELAY_EXCHANGE_BASE": self.base_url,
            "RELAY_CA_FILE": str(self.ca_file),
        }
        if self._dns:
            env["RELAY_NAMESERVER"] = self._dns.address
        if self._smtp:
            env.update(
                {
                    "RELAY_SMTP_HOST": self.smtp_host,
                    "RELAY_SMTP_PORT": str(self.smtp_port),
                    "RELAY_MX_HOST": self.smtp_host,
                    "RELAY_MX_PORT": str(self.mx_port),
                }
            )
        return env

    def azuread_env(self) -> dict[str, str]:
        """Environment that points the azuread provider (pulumi-azuread, go-azure-sdk) at this sandbox
        as a custom cloud, signed in as the deployer with its client secret (sandbox-only values).

        ``SSL_CERT_FILE`` makes Go (and OpenSSL) trust the sandbox CA *instead of* the system bundle,
        so give it only to the processes that talk to the sandbox.
        """
        return {
            "ARM_METADATA_HOSTNAME": self.base_url.removeprefix("https://"),
            "ARM_TENANT_ID": self.tenant_id,
            "ARM_CLIENT_ID": self.deployer_client_id,
            "ARM_CLIENT_SECRET": self.deployer_client_secret,
            "SSL_CERT_FILE": str(self.ca_file),
        }

    def stop(self) -> None:
        """Stop DNS and SMTP, then HTTPS, then close the store. Idempotent."""
        if self._dns is not None:
            self._dns.stop()
            self._dns = None
        if self._smtp is not None:
            self._smtp.stop()
            self._smtp = None
        if self._thread.is_alive():
            self._server.should_exit = True
            self._server.force_exit = True  # don't wait for clients' idle keep-alive connections
            self._thread.join(timeout=10)
        self.ctx.store.close()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(
        self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def start_sandbox(
    state_dir: Path,
    seed: Path | None = None,
    faults: FaultPlan | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
    smtp_port: int = 0,
    mx_port: int = 0,
    dns_team: bool = False,
) -> Sandbox:
    """Open or create the tenant in ``state_dir`` and serve it; returns once it accepts connections.

    Its DNS view is served on a loopback UDP port (``RELAY_NAMESERVER`` in :meth:`Sandbox.env`);
    ``dns_team`` publishes DKIM selector CNAMEs as the tenant makes them (see :mod:`.dns_server`).
    """
    import uvicorn

    if not host.startswith("127.") and host != "localhost":
        raise UsageError(f"the sandbox listens on loopback only, not {host}")
    state_dir = Path(state_dir).resolve()  # absolute: RELAY_CA_FILE must work from any directory
    pki = ensure_pki(state_dir)
    state_dir.chmod(0o700)
    _keep_out_of_git(state_dir)
    store = st.Store.open(state_dir)
    if store.get_meta(seeding.META_SEEDED) is None:
        seeding.apply_seed(store, seed or seeding.DEFAULT_SEED)
    sock = _bind(host, port)
    base_url = f"https://{host}:{sock.getsockname()[1]}"
    ctx = SandboxContext(
        store=store,
        pki=pki,
        state_dir=state_dir,
        base_url=base_url,
        faults=FaultSwitch(faults),
        tokens=TokenService(store, pki, base_url),
    )
    config = uvicorn.Config(
        build_app(ctx),
        ssl_certfile=str(pki.server_cert_file),
        ssl_keyfile=str(pki.server_key_file),
        log_level="warning",
        access_log=False,
        lifespan="off",
        proxy_headers=False,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="sandbox-https", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + _START_TIMEOUT
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            store.close()
            raise RuntimeError("the sandbox HTTPS server did not start")
        time.sleep(0.01)
    smtp = smtp_server.start(ctx, host=host, smtp_port=smtp_port, mx_port=mx_port)
    return Sandbox(ctx, server, thread, smtp, host, DnsViewServer(store, host, dns_team=dns_team))


def _keep_out_of_git(state_dir: Path) -> None:
    """The state dir holds the CA key, the token signing key and issued secrets: git ignores it
    wherever it was created."""
    ignore = state_dir / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# sandbox state: keys and sandbox-only secrets, never commit\n*\n", encoding="utf-8")


def _bind(host: str, port: int) -> socket.socket:
    # proto=IPPROTO_TCP matters: asyncio sets TCP_NODELAY on accepted sockets only when the listening
    # socket says TCP; without it every response pays Nagle + delayed ACK (~40 ms on loopback)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        raise UsageError(f"cannot listen on {host}:{port}: {error.strerror}") from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock
