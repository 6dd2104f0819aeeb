"""The sandbox is its own part: its servers come with the `sandbox` extra, so an install without it
(`pip install o365-relay[pulumi]` for a CI `pulumi up`) still imports every core module, and
`relayctl sandbox` there says how to add the extra."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

from o365relay.cli.sandbox import SERVER_LIBRARIES

ROOT = Path(__file__).resolve().parents[2]

IMPORT_ALL = """
import importlib, pkgutil, sys
def walk(name):  # pkgutil.walk_packages would import o365relay.sandbox to look inside it
    module = importlib.import_module(name)
    for info in pkgutil.iter_modules(getattr(module, "__path__", [])):
        if f"{name}.{info.name}" != "o365relay.sandbox":
            walk(f"{name}.{info.name}")
walk("o365relay")
walk("components")
print(len(sys.modules))
print(" ".join(sorted(n for n in sys.modules if n.split(".")[0] in SERVERS)))
print(" ".join(sorted(n for n in sys.modules if n.startswith("o365relay.sandbox"))))
"""

WITHOUT_STARLETTE = """
import sys
class Absent:  # as in an install without the sandbox extra
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "starlette":
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
sys.meta_path.insert(0, Absent())
"""


def test_the_core_imports_no_server_library_and_not_the_sandbox() -> None:
    done = subprocess.run([sys.executable, "-c", IMPORT_ALL.replace("SERVERS", repr(set(SERVER_LIBRARIES)))],
                          capture_output=True, text=True, cwd=ROOT, timeout=240)
    assert done.returncode == 0, done.stderr
    count, servers, sandbox = (done.stdout.split("\n") + ["", ""])[:3]
    assert int(count) > 500  # the walk really imported the core (and Pulumi with components)
    assert servers == "", f"core modules import server libraries: {servers}"
    assert sandbox == "", f"core modules import the sandbox: {sandbox}"


def test_the_server_libraries_are_the_sandbox_extra_only() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    named = {dep.split(">")[0].split("[")[0] for dep in project["dependencies"]}
    extra = {dep.split(">")[0] for dep in project["optional-dependencies"]["sandbox"]}
    assert extra == set(SERVER_LIBRARIES) and not named & extra
    assert "o365-relay[sandbox]" in project["optional-dependencies"]["dev"]


def test_relayctl_sandbox_without_the_extra_says_how_to_install_it(tmp_path: Path) -> None:
    without = WITHOUT_STARLETTE + "from o365relay.cli.main import main\nsys.exit(main(sys.argv[1:]))"
    for command in (["sandbox", "--state-dir", str(tmp_path / "state")],
                    ["demo", "--state-dir", str(tmp_path / "demo"), "--reports", str(tmp_path / "reports")]):
        done = subprocess.run([sys.executable, "-c", without, *command], capture_output=True, text=True,
                              cwd=ROOT, timeout=120)
        assert done.returncode == 2, done.stderr
        assert done.stderr.strip().splitlines() == [
            "relayctl: error: the sandbox needs its server libraries (starlette is not installed): "
            "pip install 'o365-relay[sandbox]'"]
    assert list(tmp_path.iterdir()) == []  # refused before it made anything
