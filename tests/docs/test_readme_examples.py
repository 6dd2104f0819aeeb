"""The README's shell examples, pasted in README order into one shell, succeed against the sandbox (issue 14).

The project is copied (its git-tracked files) to a temporary directory, so the reports the examples write
land there. ``relayctl sandbox`` is started there as the README says, and every line of every shell block
(```bash, or an untagged block of commands) runs in README order in one simulated shell: each line's
exports carry over to the next, as in a terminal. Each must exit with the code the README documents: 0,
or N where its comment says ``(exit N …)``. The sample-output blocks (``$ relayctl …``) are not pasted
here: ``test_readme_samples.py`` regenerates them from real runs. The docs' runbook that claims to run
against the sandbox (docs/basic-auth-exit.md) is run by tests/smtpauth/test_basic_auth_exit.py.

Lines left out are listed in :data:`EXCLUDED`, each with its reason; the test fails when one of them is
no longer in the README, so the list cannot go stale.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from o365relay.engine.cli import PulumiCli, write_stack_config
from o365relay.engine.entra import without_entra

ROOT = Path(__file__).resolve().parents[2]
BLOCK = re.compile(r"^```(?P<lang>[\w-]*)\n(?P<body>.*?)^```$", re.S | re.M)
SHELL_LANGS = {"bash", "sh", "shell"}
COMMANDS = {"relayctl", "eval", "make", "pulumi", "export", "mkdir"}  # an untagged block of these is a shell example
DOCUMENTED = re.compile(r"#.*\(exit (\d)")
TIMEOUT = 600
PRECONDITION = 'eval "$(relayctl sandbox env)"'

EXCLUDED = {
    "make demo": "runs `relayctl demo`, which tests/cli/test_demo.py runs whole (its own sandbox, every step)",
    "make test": "is this test suite",
    "relayctl demo": "tests/cli/test_demo.py runs it (it starts a sandbox of its own, not the one pasted into)",
    "relayctl sandbox": "the precondition: started by this test in the project, as the README says, and stopped",
    "relayctl test-send relay.prod.yaml erp-mailer --to invoices@contoso.com":
        "an OAuth sender: its application is created by the azuread provider, which `make toolchain` cannot "
        "build here (.pulumi-toolchain/unavailable); the demo's test-sends cover the connector and SMTP AUTH paths",
}

pytestmark = pytest.mark.slow


def shell_lines(readme: str) -> Iterator[str]:
    """Every command line of the README's shell examples, in order (comments and blank lines dropped)."""
    for block in BLOCK.finditer(readme):
        lines = [line for line in block.group("body").splitlines() if line.strip() and not line.startswith("#")]
        untagged_commands = not block.group("lang") and all(line.split()[0] in COMMANDS for line in lines)
        if block.group("lang") in SHELL_LANGS or (lines and untagged_commands):
            yield from lines


def command_of(line: str) -> str:
    """The line without its trailing comment."""
    return re.sub(r"\s+#.*$", "", line).strip()


def documented_code(line: str, azuread: bool) -> int:
    if command_of(line).startswith("relayctl plan") and azuread:
        return 0  # the README's "(exit 3 without the azuread plugin)" does not apply
    found = DOCUMENTED.search(line)
    return int(found.group(1)) if found else 0


def _project(tmp: Path) -> Path:
    """The git-tracked files of the project, with the installed venv and engine linked in (Pulumi.yaml's
    virtualenv and `make toolchain`'s CLI, as in the checkout the README is read in)."""
    project = tmp / "project"
    project.mkdir()
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "--null", "-T", "-", "-cf", "-"], cwd=ROOT, input=files, check=True,
                   stdout=open(tmp / "project.tar", "wb"))  # noqa: SIM115 - closed with the process
    subprocess.run(["tar", "-xf", str(tmp / "project.tar")], cwd=project, check=True)
    for name in (".venv", ".pulumi-toolchain"):
        if (ROOT / name).exists():
            (project / name).symlink_to(ROOT / name)
    return project


def _shell_env(project: Path) -> dict[str, str]:
    """A terminal's environment: no tenant or Pulumi settings of the caller's; relayctl and the
    project's engine on the PATH (the README's "To use it: export PATH=…")."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AZURE_", "RELAY_", "ARM_", "PULUMI_BACKEND", "PULUMI_CONFIG_PASSPHRASE"))}
    path = [str(Path(sys.executable).parent), str(project / ".pulumi-toolchain" / "bin"), env.get("PATH", "")]
    return {**env, "PATH": os.pathsep.join(path), "PULUMI_SKIP_UPDATE_CHECK": "true",
            "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true"}


def _start_sandbox(project: Path, env: dict[str, str]) -> tuple[subprocess.Popen[str], dict[str, str]]:
    """``relayctl sandbox`` in the project; and the ARM_* lines it prints for the azuread provider."""
    server = subprocess.Popen(["relayctl", "sandbox"], cwd=project, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True)
    assert server.stdout is not None
    printed: list[str] = []
    deadline = time.monotonic() + 60
    while not printed or not printed[-1].startswith("Ctrl-C"):
        assert server.poll() is None and time.monotonic() < deadline, "relayctl sandbox did not start:\n" + "".join(
            printed)
        printed.append(server.stdout.readline())
    arm = dict(line.strip().removeprefix("export ").split("=", 1) for line in printed
               if line.strip().startswith(("export ARM_", "export SSL_CERT_FILE")))
    return server, arm


class Shell:
    """One shell: each line runs in bash with the environment the previous lines left."""

    def __init__(self, cwd: Path, env: dict[str, str]):
        self.cwd, self.env = cwd, env

    def run(self, line: str, extra: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        saved = self.cwd / ".shell-env"
        script = f"set -o pipefail\n{line}\nrc=$?\nenv -0 > {saved}\nexit $rc\n"
        done = subprocess.run(["bash", "-c", script], cwd=self.cwd, env={**self.env, **(extra or {})},
                              capture_output=True, text=True, timeout=TIMEOUT, stdin=subprocess.DEVNULL)
        if saved.exists():
            pairs = (item.split("=", 1) for item in saved.read_text().split("\0") if "=" in item)
            self.env = {k: v for k, v in pairs if k not in (extra or {}) and k not in ("_", "SHLVL", "PWD", "OLDPWD")}
        return done


def _apply_line(line: str, project: Path, arm: dict[str, str], azuread: bool) -> tuple[str, dict[str, str]]:
    """``pulumi up``, as pasted with the ARM_* lines the sandbox printed. Without the azuread plugin the
    stack applies the spec without its OAuth senders, as `relayctl demo` does (nothing stands in for the
    missing provider); the examples after it do not depend on those senders."""
    if azuread:
        return line, arm
    document, _ = without_entra(yaml.safe_load((project / "relay.prod.yaml").read_text(encoding="utf-8")))
    partial = project / "relay.prod.without-entra.yaml"
    partial.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    config = write_stack_config(project, project / "Pulumi.sandbox.without-entra.yaml", partial)
    return f"{command_of(line)} --config-file {config}", arm


def test_the_readme_examples_succeed_against_the_sandbox(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    lines = list(shell_lines(readme))
    commands = [command_of(line) for line in lines]
    assert not set(EXCLUDED) - set(commands), "EXCLUDED names lines the README no longer has"
    assert len(lines) - len(EXCLUDED) >= 15  # the exclusions stay few
    project = _project(tmp_path)
    env = _shell_env(project)
    azuread = PulumiCli(project, env={"PATH": env["PATH"]}).has_plugin("azuread")
    server, arm = _start_sandbox(project, env)
    failures: list[str] = []
    try:
        shell = Shell(project, env)
        ready = shell.run(PRECONDITION)  # the README: "in a shell where `eval "$(relayctl sandbox env)"` ran"
        assert ready.returncode == 0 and shell.env.get("RELAY_TENANT_ID"), ready.stderr
        for line in lines:
            if command_of(line) in EXCLUDED:
                continue
            run, extra = _apply_line(line, project, arm, azuread) if line.startswith("pulumi up") else (line, {})
            done = shell.run(run, extra)
            want = documented_code(line, azuread)
            said = (done.stdout + done.stderr).strip()
            # relayctl never shows a traceback; `pulumi up` relays its dynamic providers' errors with theirs
            if done.returncode != want or ("Traceback" in said and not line.startswith("pulumi")):
                failures.append(f"{line}\n  exit {done.returncode}, the README documents {want}:\n  {said[-1500:]}")
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert not failures, "README examples that fail when pasted:\n" + "\n".join(failures)


def test_shell_lines_are_found_in_order_and_comments_read_for_exit_codes() -> None:
    readme = ("```bash\nmake demo   # all\n```\n```yaml\nversion: 1\n```\n```\no365relay/  the core\n```\n```\n"
              "relayctl dns x.yaml   # (exit 1 until published)\n# a comment\neval \"$(relayctl sandbox env)\"\n```\n")
    assert list(shell_lines(readme)) == ["make demo   # all", "relayctl dns x.yaml   # (exit 1 until published)",
                                         'eval "$(relayctl sandbox env)"']
    assert documented_code("relayctl dns x.yaml   # (exit 1 until published)", azuread=False) == 1
    assert documented_code("relayctl validate x.yaml   # exit 2 with file:line:col", azuread=False) == 0
    assert command_of("relayctl demo     # the whole story") == "relayctl demo"
