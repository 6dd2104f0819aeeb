"""Run ``pulumi`` commands for one stack with the environment they need, as a user would type them.

The CLI is the user's own when one is on PATH, else the one ``make toolchain`` built into
``.pulumi-toolchain/bin`` (with the plugin shims and provider plugins beside it). Every command gets:

- for the sandbox stack, a local file backend (``PULUMI_BACKEND_URL``: ``.pulumi-state/`` in the
  project, git-ignored, unless the caller names a directory or sets PULUMI_BACKEND_URL), so no
  Pulumi Cloud account is involved, and
  the passphrase secrets provider with a fixed, published passphrase, since it guards only the
  sandbox's throwaway credentials; other stacks use the user's own login and secrets settings;
- no update check and no automatic plugin download (``PULUMI_SKIP_UPDATE_CHECK``,
  ``PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION``): nothing leaves the machine;
- the caller's extra environment (the sandbox's endpoints and the deployer's credential).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from o365relay.errors import TenantError, UsageError

SANDBOX_STACK = "sandbox"
# Not a secret: the sandbox stack's state holds only credentials the sandbox made up. Other stacks
# take PULUMI_CONFIG_PASSPHRASE(_FILE) from the user's environment.
SANDBOX_PASSPHRASE = "o365-relay-sandbox"
TOOLCHAIN_BIN = Path(".pulumi-toolchain") / "bin"
STATE_DIR = ".pulumi-state"
# `--json` previews stream one engine event a line instead of one summary document
STREAM_EVENTS = {"PULUMI_ENABLE_STREAMING_JSON_PREVIEW": "true"}
_CONFIG_FILE_COMMANDS = ("preview", "up", "refresh", "destroy")
QUIET_ENV = {
    "PULUMI_SKIP_UPDATE_CHECK": "true",
    "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
    "PULUMI_DIY_BACKEND_NO_LEGACY_WARNING": "true",
    "NO_COLOR": "1",
}


@dataclass
class Result:
    """One finished command: its argv (as shown to a user), exit code, output and wall time."""

    argv: list[str]
    returncode: int
    stdout: str
    stderr: str
    seconds: float

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def json(self) -> Any:
        """stdout as JSON (``--json`` commands); TenantError naming the command if it is not."""
        try:
            return json.loads(self.stdout)
        except ValueError:
            raise self._no_json() from None

    def events(self) -> list[dict[str, Any]]:
        """stdout as engine events, one JSON object a line (streaming ``--json``)."""
        try:
            return [json.loads(line) for line in self.stdout.splitlines() if line.strip()]
        except ValueError:
            raise self._no_json() from None

    def _no_json(self) -> TenantError:
        return TenantError(f"`{' '.join(self.argv)}` printed no JSON (exit {self.returncode}): "
                           f"{_tail(self.stderr or self.stdout)}")


def find_pulumi(project_dir: Path) -> Path:
    """The project's toolchain CLI if built, else ``pulumi`` on PATH; UsageError saying how to get one."""
    built = project_dir / TOOLCHAIN_BIN / "pulumi"
    if built.is_file() and os.access(built, os.X_OK):
        return built
    found = shutil.which("pulumi")
    if found:
        return Path(found)
    raise UsageError("the Pulumi CLI was not found: install it (https://www.pulumi.com/docs/install/) "
                     "or build it from Go modules with `make toolchain`")


@dataclass
class PulumiCli:
    """``pulumi`` for one stack of the project in ``project_dir``."""

    project_dir: Path
    stack: str = SANDBOX_STACK
    backend_dir: Path | None = None  # the sandbox stack's default: <project>/.pulumi-state
    env: Mapping[str, str] = field(default_factory=dict)
    config_file: Path | None = None  # another stack config file than Pulumi.<stack>.yaml
    timeout: float = 1800.0

    def __post_init__(self) -> None:
        self.project_dir = Path(self.project_dir).resolve()
        self.executable = find_pulumi(self.project_dir)
        backend_set = "PULUMI_BACKEND_URL" in {**os.environ, **self.env}
        if self.backend_dir is None and self.stack == SANDBOX_STACK and not backend_set:
            self.backend_dir = self.project_dir / STATE_DIR
        if self.backend_dir is not None:
            self.backend_dir = Path(self.backend_dir).resolve()

    def environment(self) -> dict[str, str]:
        """The environment every command runs with (see the module docstring)."""
        path = os.pathsep.join([str(self.executable.parent), os.environ.get("PATH", "")])
        env = {**os.environ, **QUIET_ENV, "PATH": path}
        if self.backend_dir is not None:
            env["PULUMI_BACKEND_URL"] = self.backend_dir.as_uri()
        if self.stack == SANDBOX_STACK:
            env.pop("PULUMI_CONFIG_PASSPHRASE_FILE", None)
            env["PULUMI_CONFIG_PASSPHRASE"] = SANDBOX_PASSPHRASE
        env.update(self.env)
        return env

    def argv(self, args: tuple[str, ...], stack: bool = True) -> list[str]:
        """The full command line of ``pulumi ARGS`` for this stack."""
        extra = ["--stack", self.stack, "--non-interactive"] if stack else []
        if self.config_file is not None and args and args[0] in _CONFIG_FILE_COMMANDS:
            extra += ["--config-file", str(self.config_file)]
        return [str(self.executable), *args, *extra]

    def popen(self, *args: str, **kwargs: Any) -> subprocess.Popen[str]:
        """Start ``pulumi ARGS`` for the stack without waiting (tests interrupt it)."""
        return subprocess.Popen(self.argv(args), cwd=self.project_dir, env=self.environment(), text=True,
                                **kwargs)

    def run(self, *args: str, check: bool = True, stack: bool = True,
            extra_env: Mapping[str, str] | None = None) -> Result:
        """Run ``pulumi ARGS`` for the stack; TenantError with the output's tail if it fails and ``check``."""
        argv = self.argv(args, stack)
        started = time.monotonic()
        try:
            done = subprocess.run(argv, cwd=self.project_dir, env={**self.environment(), **(extra_env or {})},
                                  capture_output=True,
                                  text=True, timeout=self.timeout, check=False)
        except subprocess.TimeoutExpired:
            raise TenantError(f"`pulumi {' '.join(args)}` did not finish in {self.timeout:.0f}s") from None
        result = Result(["pulumi", *args], done.returncode, done.stdout, done.stderr, time.monotonic() - started)
        if check and not result.ok:
            raise TenantError(f"`pulumi {' '.join(args)}` failed (exit {done.returncode}): {_why(result)}")
        return result

    def ensure_stack(self) -> None:
        """Create the stack in the backend if it is not there yet (its config file stays as it is)."""
        if self.backend_dir is not None:
            self.backend_dir.mkdir(parents=True, exist_ok=True)
        listed = self.run("stack", "ls", "--json", stack=False).json()
        if not any(s.get("name") == self.stack for s in listed):
            self.run("stack", "init", self.stack, "--secrets-provider", "passphrase", stack=False)

    def preview(self, *extra: str, policy_pack: str | None = "policies", check: bool = True) -> Result:
        """``pulumi preview --json`` streaming the engine's events (steps, diagnostics, policy findings;
        the one-document form leaves policy findings out), with the policy pack when given."""
        args = ["preview", "--json", *extra]
        if policy_pack:
            args += ["--policy-pack", policy_pack]
        return self.run(*args, check=check, extra_env=STREAM_EVENTS)

    def refresh_preview(self, check: bool = True) -> Result:
        """``pulumi refresh --preview-only --json``, streaming events: what refresh would bring into state."""
        return self.run("refresh", "--preview-only", "--json", check=check, extra_env=STREAM_EVENTS)

    def up(self, *extra: str, parallel: int | None = None, check: bool = True) -> Result:
        args = ["up", "--yes", "--skip-preview", *extra]
        if parallel:
            args += ["--parallel", str(parallel)]
        return self.run(*args, check=check)

    def recover(self) -> None:
        """After an interrupted ``pulumi up``: release what it held, then ``pulumi refresh``.

        A killed CLI (SIGKILL, a lost CI runner) can leave, in a file backend, an empty ``.attrs``
        sidecar next to the checkpoint (the checkpoint itself is written atomically, its metadata
        file is not; an empty one makes every command fail with "failed to load checkpoint: EOF") and
        its lock on the stack. Empty sidecars hold nothing and are removed; a lock is released with
        ``pulumi cancel``. The refresh drops the creates the engine could not confirm
        (``--clear-pending-creates``): the providers adopt, on the next ``pulumi up``, an object a
        killed run did create, so nothing is created twice.
        """
        if self.backend_dir is not None:
            for sidecar in (self.backend_dir / ".pulumi").rglob("*.attrs"):
                if sidecar.stat().st_size == 0:
                    sidecar.unlink()
            if any((self.backend_dir / ".pulumi" / "locks").rglob("*.json")):
                self.run("cancel", "--yes")
        self.run("refresh", "--yes", "--clear-pending-creates")

    def has_plugin(self, name: str) -> bool:
        """Whether the engine can find the resource plugin ``name`` (on its PATH or in the plugin cache)."""
        if shutil.which(f"pulumi-resource-{name}", path=self.environment()["PATH"]):
            return True
        home = Path(os.environ.get("PULUMI_HOME") or Path.home() / ".pulumi")
        return any((home / "plugins").glob(f"resource-{name}-v*"))

    def export(self) -> dict[str, Any]:
        """``pulumi stack export``: the checkpoint, secrets as ciphertext."""
        document = self.run("stack", "export").json()
        return document if isinstance(document, dict) else {}


def _why(result: Result) -> str:
    """What a failed command said: its error diagnostics and policy findings when it streamed engine
    events, else the end of its output."""
    try:
        events = result.events()
    except TenantError:
        return _tail(result.stderr + result.stdout)
    said = [str(e["diagnosticEvent"].get("message", "")).strip() for e in events
            if (e.get("diagnosticEvent") or {}).get("severity") == "error"]
    said += [f"[{e['policyEvent'].get('enforcementLevel')}] {e['policyEvent'].get('policyName')}: "
             f"{str(e['policyEvent'].get('message', '')).strip()}" for e in events if e.get("policyEvent")]
    return "\n".join(said) or _tail(result.stderr + result.stdout)


def _tail(text: str, lines: int = 15) -> str:
    kept = [line for line in text.strip().splitlines() if line.strip()]
    return "\n".join(kept[-lines:]) or "(no output)"


def write_stack_config(project_dir: Path, out: Path, spec: Path, stack: str = SANDBOX_STACK) -> Path:
    """A copy of ``Pulumi.<stack>.yaml`` naming ``spec`` (for ``--config-file``), written to ``out``."""
    import yaml

    source = Path(project_dir) / f"Pulumi.{stack}.yaml"
    try:
        document = yaml.safe_load(source.read_text(encoding="utf-8")) or {}
    except OSError as error:
        raise UsageError(f"cannot read {source}: {error.strerror}") from None
    document.setdefault("config", {})["o365-relay:spec"] = str(Path(spec).resolve())
    out.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return out
