"""``relayctl validate`` as users run it: a real process, its exit code, its stdout."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "relay.prod.yaml"
RELAYCTL = Path(sys.executable).with_name("relayctl")
BAD = """version: 1
tenant: {id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a, initialDomain: contoso.onmicrosoft.com}
connectors:
  dc1: {senderIPs: [10.1.2.3, 2001:db8::1]}
sendAs:
  - {trustee: ghost, mailbox: a@contoso.onmicrosoft.com}
"""


def relayctl(*args: str | Path) -> subprocess.CompletedProcess[str]:
    command = [str(RELAYCTL), *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, cwd=ROOT)


def test_valid_spec_exits_0() -> None:
    done = relayctl("validate", EXAMPLE)
    assert (done.returncode, done.stdout, done.stderr) == (0, "1 file valid\n", "")


def test_invalid_spec_exits_2_with_one_line_per_problem(tmp_path: Path) -> None:
    bad = tmp_path / "relay.bad.yaml"
    bad.write_text(BAD, encoding="utf-8")
    done = relayctl("validate", EXAMPLE, bad)
    assert done.returncode == 2
    assert done.stdout.splitlines() == [
        f"{bad}:4:21: spec.connectors.dc1.senderIPs[0]: 10.1.2.3 is in private address space (RFC 1918, "
        "10.0.0.0/8); a connector matches the public IPv4 address the mail leaves your network from "
        "(after NAT): use that address",
        f"{bad}:4:31: spec.connectors.dc1.senderIPs[1]: '2001:db8::1' is IPv6; Exchange connectors accept "
        "IPv4 sender addresses only",
        f"{bad}:6:15: spec.sendAs[0].trustee: 'ghost' is not a declared service account; none are declared",
        "3 problems in 1 of 2 files",
    ]


def test_json_format_is_a_stable_list(tmp_path: Path) -> None:
    bad = tmp_path / "relay.bad.yaml"
    bad.write_text(BAD, encoding="utf-8")
    done = relayctl("validate", "--format", "json", bad)
    assert done.returncode == 2
    problems = json.loads(done.stdout)
    assert [list(p) for p in problems] == [["file", "line", "column", "path", "message"]] * 3
    assert [(p["line"], p["column"], p["path"]) for p in problems] == [
        (4, 21, "spec.connectors.dc1.senderIPs[0]"), (4, 31, "spec.connectors.dc1.senderIPs[1]"),
        (6, 15, "spec.sendAs[0].trustee")]
    assert relayctl("validate", "--format", "json", EXAMPLE).stdout == "[]\n"


def test_unreadable_inputs_are_problems_not_tracebacks(tmp_path: Path) -> None:
    binary = tmp_path / "scan.pdf"
    binary.write_bytes(b"%PDF-1.7\n\x00\x01\x02")
    done = relayctl("validate", binary, tmp_path / "missing.yaml")
    assert done.returncode == 2
    assert "Traceback" not in done.stdout + done.stderr
    assert done.stdout.splitlines() == [
        f"{binary}:1:1: spec: this is a binary file (NUL byte at offset 9); a spec is a UTF-8 YAML text file",
        f"{tmp_path}/missing.yaml:1:1: spec: cannot read the file: No such file or directory",
        "2 problems in 2 of 2 files",
    ]


def test_help_texts_are_useful_on_their_own() -> None:
    top = relayctl("--help")
    assert top.returncode == 0 and "validate" in top.stdout and "exit codes" in top.stdout
    sub = relayctl("validate", "--help")
    assert sub.returncode == 0
    assert "FILE:LINE:COL: spec.path:" in sub.stdout and "--format {text,json}" in sub.stdout


def test_no_file_is_a_usage_error() -> None:
    done = relayctl("validate")
    assert done.returncode == 2 and "the following arguments are required: FILE" in done.stderr


def test_command_module_imports_no_heavy_library() -> None:
    code = ("import sys, o365relay.cli.validate; "
            "print(sorted(m for m in ('jsonschema', 'yaml', 'o365relay.spec.loader') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout == "[]\n"
