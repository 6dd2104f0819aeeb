"""Every command keeps the CLI contract off the happy path: the documented exit code, one clear line on
stderr (``relayctl: error: ...``), no traceback, nothing written half-way.

Table-driven: each situation (tenant unreachable, refusing, throttling forever, answering garbage;
output paths that cannot be written; no terminal; credential files of the wrong kind; special files;
hostile text) lists the commands run in it, as a person runs them: ``relayctl`` in a subprocess with
no terminal on stdin. Commands of one situation run side by side (they mostly wait on the network).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from o365relay.sandbox.faults import FaultPlan
from o365relay.sandbox.runner import Sandbox

ROOT = Path(__file__).resolve().parents[2]
SPEC = str(ROOT / "relay.prod.yaml")
PUBLIC_CERT = str(ROOT / "certs" / "monitoring-alerts.pem")  # a certificate without its private key
TENANT = "7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a"
SENDER_APP = {"RELAY_SENDER_CLIENT_ID": "00000000-0000-0000-0000-0000000000aa",
              "RELAY_SENDER_CLIENT_SECRET": "not-the-secret"}
TENANT_COMMANDS = {
    "audit": ["audit", SPEC],
    "doctor": ["doctor"],
    "usage": ["usage", SPEC],
    "export": ["export", "-o", "{tmp}/exported.yaml"],
    "test-send oauth": ["test-send", SPEC, "erp-mailer", "--no-trace"],
}


@dataclass
class Case:
    name: str
    argv: list[str]
    code: int
    says: str  # a fragment the one error line must hold ("" when the command succeeds or finds)
    env: dict[str, str] = field(default_factory=dict)
    stdin: bytes | None = None
    not_written: str = ""  # a path that must not exist afterwards
    reports: bool = False  # the command's report (doctor's checks, test-send's verdict) says it on stdout


@dataclass
class Outcome:
    case: Case
    code: int
    stdout: str
    stderr: str


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def clean_env(extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AZURE_", "RELAY_", "ACTIONS_ID_TOKEN"))}
    return {**env, "PYTHONUNBUFFERED": "1", **extra}


def run_cases(cases: list[Case], tmp: Path, timeout: float = 120) -> list[Outcome]:
    procs = []
    for case in cases:
        argv = [arg.replace("{tmp}", str(tmp)) for arg in case.argv]
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "o365relay.cli.main", *argv], cwd=tmp, env=clean_env(case.env),
            stdin=subprocess.PIPE if case.stdin is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE))
    outcomes = []
    for case, proc in zip(cases, procs, strict=True):
        out, err = proc.communicate(case.stdin, timeout=timeout)
        outcomes.append(Outcome(case, proc.returncode, out.decode(errors="replace"), err.decode(errors="replace")))
    return outcomes


def broken_contract(outcome: Outcome, tmp: Path) -> Iterator[str]:
    case, err = outcome.case, outcome.stderr
    if outcome.code != case.code:
        yield f"exit {outcome.code}, expected {case.code}"
    if "Traceback" in err or "Traceback" in outcome.stdout:
        yield "a traceback"
    if "\x1b" in outcome.stdout or "\x1b" in err:
        yield "an escape sequence reached the terminal"
    lines = [line for line in err.splitlines() if line.strip()]
    if case.says and case.reports:
        if case.says not in outcome.stdout or lines:
            yield f"the report on stdout should say {case.says!r}, with nothing on stderr"
    elif case.says:
        if not lines or not lines[-1].startswith("relayctl: error: ") or case.says not in lines[-1]:
            yield f"last stderr line should be 'relayctl: error: ...{case.says}...'"
        if len(lines) > 2:  # a spec problem's located line may precede the summary
            yield f"{len(lines)} lines on stderr"
    if case.not_written and Path(case.not_written.replace("{tmp}", str(tmp))).exists():
        yield f"{case.not_written} was written"


def check(cases: list[Case], tmp: Path) -> None:
    failures = []
    for outcome in run_cases(cases, tmp):
        problems = list(broken_contract(outcome, tmp))
        if problems:
            failures.append(f"{outcome.case.name}: {'; '.join(problems)}\n  stdout: {outcome.stdout[-600:]!r}"
                            f"\n  stderr: {outcome.stderr[-900:]!r}")
    assert not failures, "\n".join(failures)


def sandbox_env(sandbox: Sandbox, **override: str) -> dict[str, str]:
    return {**sandbox.env(), **override}


def tenant_cases(env: dict[str, str], code: int, says: str, reports: tuple[str, ...] = ()) -> list[Case]:
    return [Case(name, argv, code, says, {**env, **SENDER_APP}, reports=name in reports)
            for name, argv in TENANT_COMMANDS.items()]


def test_tenant_unreachable(tmp_path: Path) -> None:
    """The sandbox stopped but its variables still set: exit 3 naming the endpoint, never 1 (drift)."""
    port, smtp, mx, dns = free_port(), free_port(), free_port(), free_port()
    base = f"https://127.0.0.1:{port}"
    env = {"AZURE_TENANT_ID": TENANT, "AZURE_CLIENT_ID": "11111111-1111-1111-1111-111111111111",
           "AZURE_CLIENT_SECRET": "x", "RELAY_TENANT_ID": TENANT, "RELAY_LOGIN_AUTHORITY": base,
           "AZURE_AUTHORITY_HOST": base, "RELAY_GRAPH_BASE": f"{base}/v1.0", "RELAY_EXCHANGE_BASE": base,
           "RELAY_SMTP_HOST": "127.0.0.1", "RELAY_SMTP_PORT": str(smtp), "RELAY_MX_HOST": "127.0.0.1",
           "RELAY_MX_PORT": str(mx)}
    where = f"127.0.0.1:{port}"
    cases = [*tenant_cases(env, 3, where),
             Case("audit html", ["audit", SPEC, "--format", "html", "-o", "{tmp}/a.html"], 3, where, env,
                  not_written="{tmp}/a.html"),
             Case("test-send connector", ["test-send", SPEC, "dc1-relay", "--no-trace", "--to", "erp@contoso.com"], 3,
                  f"127.0.0.1:{mx}", env),
             Case("test-send connector, default recipient looked up", ["test-send", SPEC, "dc1-relay", "--no-trace"],
                  3, where, env),
             Case("test-send mailbox", ["test-send", SPEC, "scanner-floor3", "--no-trace"], 3, f"127.0.0.1:{smtp}",
                  {**env, "RELAY_SMTP_PASSWORD": "x"}),
             Case("dns", ["dns", SPEC, "--offline", "--nameserver", f"127.0.0.1:{dns}", "--timeout", "0.3",
                          "--dnsbl", "bl.example"], 3, "")]
    check(cases, tmp_path)


def test_tenant_refusing(sandbox: Sandbox, tmp_path: Path) -> None:
    """A wrong deployer secret: exit 3, Entra's reason in one line (no azure-identity JSON or log noise)."""
    env = sandbox_env(sandbox, AZURE_CLIENT_SECRET="wrong-secret")
    check(tenant_cases(env, 3, "AADSTS", reports=("doctor", "test-send oauth")), tmp_path)


def test_tenant_throttling_forever(sandbox_factory: Callable[..., Sandbox], tmp_path: Path) -> None:
    plan = FaultPlan(throttle=1.0, retry_after=3600, paths=("/v1.0", "/adminapi"))
    sandbox = sandbox_factory(faults=plan)
    cases = [c for c in tenant_cases(sandbox.env(), 3, "throttl", reports=("audit", "doctor"))
             if c.name != "test-send oauth"]
    check(cases, tmp_path)


def test_tenant_answering_garbage(sandbox_factory: Callable[..., Sandbox], tmp_path: Path) -> None:
    sandbox = sandbox_factory(faults=FaultPlan(garbage=1.0, paths=("/v1.0", "/adminapi")))
    cases = [c for c in tenant_cases(sandbox.env(), 3, "", reports=("audit", "doctor"))
             if c.name != "test-send oauth"]
    check(cases, tmp_path)


@pytest.fixture
def targets(tmp_path: Path) -> dict[str, str]:
    """Output paths that cannot be written safely; each must be refused before any tenant read."""
    (tmp_path / "a-directory").mkdir()
    (tmp_path / "real.txt").write_text("keep me\n")
    (tmp_path / "link.txt").symlink_to(tmp_path / "real.txt")
    (tmp_path / "dangling.txt").symlink_to(tmp_path / "nowhere.txt")
    if os.geteuid() == 0:  # root writes anywhere on a writable file system: use a read-only one
        read_only = "/proc/relay-report.txt"
    else:
        (tmp_path / "ro").mkdir(mode=0o500)
        read_only = str(tmp_path / "ro" / "report.txt")
    return {"missing directory": str(tmp_path / "no-such-dir" / "r.txt"), "directory": str(tmp_path / "a-directory"),
            "symlink": str(tmp_path / "link.txt"), "dangling symlink": str(tmp_path / "dangling.txt"),
            "read-only": read_only, "device": "/dev/null"}


def test_output_paths(targets: dict[str, str], tmp_path: Path) -> None:
    """Refused with exit 2 before any tenant read (the tenant here is unreachable: a read would be exit 3)."""
    base = f"https://127.0.0.1:{free_port()}"
    env = {"AZURE_TENANT_ID": TENANT, "AZURE_CLIENT_ID": "x", "AZURE_CLIENT_SECRET": "x",
           "RELAY_LOGIN_AUTHORITY": base, "RELAY_GRAPH_BASE": f"{base}/v1.0", "RELAY_EXCHANGE_BASE": base}
    cases = []
    for situation, target in targets.items():
        says = "" if situation == "device" else "cannot write"
        for name, argv in {"lint": ["lint", SPEC, "--format", "sarif", "--output", target],
                           "audit": ["audit", SPEC, "--format", "json", "--output", target],
                           "export": ["export", "--force", "--output", target]}.items():
            cases.append(Case(f"{name} to {situation}", argv, 2, says or "character device", env))
    check(cases, tmp_path)
    assert (tmp_path / "real.txt").read_text() == "keep me\n"
    assert not (tmp_path / "nowhere.txt").exists()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # no temp files left


def test_no_terminal(tmp_path: Path) -> None:
    """A mailbox sender with no password variable and nothing to prompt on: exit 2, saying what to set."""
    cases = [Case("test-send mailbox", ["test-send", SPEC, "scanner-floor3"], 2, "RELAY_SMTP_PASSWORD",
                  {"AZURE_TENANT_ID": TENANT, "RELAY_SMTP_HOST": "127.0.0.1", "RELAY_SMTP_PORT": str(free_port())})]
    check(cases, tmp_path)


def test_credential_files_of_the_wrong_kind(tmp_path: Path) -> None:
    fifo = tmp_path / "cert.fifo"
    os.mkfifo(fifo)
    cases = []
    for kind, path, says in (("public certificate", PUBLIC_CERT, "holds no private key"),
                             ("directory", str(tmp_path), "a directory"), ("device", "/dev/zero", "character device"),
                             ("FIFO", str(fifo), "FIFO"), ("missing", str(tmp_path / "none.pem"), "No such file")):
        deployer = {"AZURE_TENANT_ID": TENANT, "AZURE_CLIENT_ID": "x", "AZURE_CLIENT_CERTIFICATE_PATH": path}
        cases.append(Case(f"doctor, deployer certificate is a {kind}", ["doctor"], 2, says, deployer))
        cases.append(Case(f"audit, deployer certificate is a {kind}", ["audit", SPEC], 2, says, deployer))
        sender = {"AZURE_TENANT_ID": TENANT, "RELAY_SENDER_CLIENT_ID": "x", "RELAY_SENDER_CERTIFICATE_PATH": path,
                  "RELAY_SMTP_HOST": "127.0.0.1", "RELAY_SMTP_PORT": "1"}
        cases.append(Case(f"test-send, sender certificate is a {kind}", ["test-send", SPEC, "erp-mailer"], 2, says,
                          sender))
    check(cases, tmp_path)


def test_special_files_as_input(tmp_path: Path) -> None:
    """/dev/zero, a FIFO with no writer, a directory: refused at once, never read or waited on."""
    fifo = tmp_path / "relay.fifo.yaml"
    os.mkfifo(fifo)
    env = {"AZURE_TENANT_ID": TENANT}
    cases = []
    for kind, path in (("device", "/dev/zero"), ("FIFO", str(fifo)), ("directory", str(tmp_path))):
        for name, argv in {"validate": ["validate", path], "lint": ["lint", path], "audit": ["audit", path],
                           "dns": ["dns", path, "--offline"], "usage": ["usage", path],
                           "test-send": ["test-send", path, "dc1-relay"],
                           "headers --spec": ["headers", "-", "--spec", path]}.items():
            says = "" if name == "validate" else "in the spec"
            cases.append(Case(f"{name} {kind}", argv, 2, says, env, stdin=b"Subject: x\n\n"))
        cases.append(Case(f"headers {kind}", ["headers", path], 2, "must be a regular file", env))
        cases.append(Case(f"dns --dkim-targets {kind}", ["dns", SPEC, "--offline", "--dkim-targets", path], 2,
                          "must be a regular file", env))
    check(cases, tmp_path)


def test_hostile_text(tmp_path: Path) -> None:
    """Input chosen by someone else (a message's headers, a pasted reply) never drives the terminal."""
    escape = b"\x1b]0;owned\x07\x1b[2J"
    message = (b"From: " + escape + b"<a@contoso.com>\nSubject: " + escape + b"hi\n"
               b"Authentication-Results: spf=fail " + b"(" * 5000 + b")" * 5000 + b" smtp.mailfrom=contoso.com\n"
               b"Received: from x\n" + b" y\n" * 100_000 + b"\n")
    (tmp_path / "hostile.eml").write_bytes(message)
    spec = Path(SPEC).read_text().replace("waivers:", 'x-note: "\\e[2Jhello"\nwaivers:', 1)
    (tmp_path / "relay.hostile.yaml").write_text(spec)
    (tmp_path / "certs").mkdir()
    (tmp_path / "certs" / "monitoring-alerts.pem").write_bytes(Path(PUBLIC_CERT).read_bytes())
    cases = [Case("headers", ["headers", "hostile.eml"], 0, ""),
             Case("headers stdin", ["headers", "-", "--format", "json"], 0, "", stdin=message),
             Case("explain", ["explain", "\x1b[31m550 5.7.68"], 0, ""),
             Case("validate", ["validate", "relay.hostile.yaml"], 2, ""),
             Case("lint", ["lint", "relay.hostile.yaml"], 2, "in the spec")]
    check(cases, tmp_path)
