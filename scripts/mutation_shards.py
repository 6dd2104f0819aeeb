"""Prepare one shard of the mutation run: a copy of the tree whose [tool.mutmut] mutates only the shard's
modules and selects only the tests that exercise them (scripts/mutation.sh runs mutmut in it).

    python scripts/mutation_shards.py SHARD DIR

The sources, tests and the files mutmut's ``also_copy`` names are copied afresh on every call; DIR/mutants
(mutmut's results) is kept, so a shard's run resumes where the last one stopped.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# shard -> (modules to mutate, tests that exercise them). A test outside a shard's selection cannot kill
# its mutants, so a shard's score is never higher than the whole run's would be.
SHARDS: dict[str, tuple[list[str], list[str]]] = {
    "spec": (["o365relay/spec/*"], ["tests/spec", "tests/docs/test_docs_current.py"]),
    "rules": (["o365relay/rules/*"], ["tests/rules"]),
    # the DNS items are compared in dnscheck's audit tests, which need the loopback DNS server
    "audit": (["o365relay/audit/*"], ["tests/audit", "tests/dnscheck/test_audit_dns.py"]),
    # the retry policy and Graph's error translation, apart from the clients (whose tests run the sandbox)
    "retry": (["o365relay/tenant/retry.py", "o365relay/tenant/graph_errors.py"],
              ["tests/tenant/test_retry.py", "tests/tenant/test_graph_errors.py",
               "tests/tenant/test_exchange_unit.py"]),
    "tenant": ([f"o365relay/tenant/{m}.py" for m in ("__init__", "credentials", "exchange", "graph", "settings",
                                                     "sync", "token_cache")], ["tests/tenant"]),
    "values": (["o365relay/exchange_values.py", "o365relay/records.py", "components/providers/base.py"],
               ["tests/audit/test_exchange_values.py", "tests/audit/test_compare.py", "tests/dns",
                "tests/providers/test_base.py", "tests/components/test_program_graph.py"]),
}

# shard -> tests left out of its runs. Every surviving mutant runs every test that reaches its function, and
# these three, which draw the audit in headless Chromium or wait on a deliberately slow tenant to show
# progress, cost half of an audit survivor's run; what they check of o365relay/audit (kinds, states, reasons)
# other audit tests check too, and leaving a test out can only lower a score.
DESELECTED: dict[str, list[str]] = {
    "audit": [
        "tests/audit/test_audit_cli.py::test_a_long_read_shows_progress_on_a_terminal_only",
        "tests/audit/test_audit_cli.py::test_html_report_renders_in_headless_chromium",
        "tests/audit/test_audit_reports.py::test_audit_html_as_rendered_names_kinds_states_scope_and_folds_raw_records",
    ],
}


def toml_list(values: list[str]) -> str:
    return json.dumps(values)  # a JSON array of strings is a TOML array


def prepare(shard: str, target: Path) -> None:
    """Copy the tree into ``target`` with the shard's [tool.mutmut] selection."""
    mutate, tests = SHARDS[shard]
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    config = tomllib.loads(pyproject)["tool"]["mutmut"]
    target.mkdir(parents=True, exist_ok=True)
    for name in [*config["source_paths"], "tests", *config["also_copy"]]:
        source, copy = ROOT / name, target / name
        if copy.is_dir():
            shutil.rmtree(copy)
        if source.is_dir():
            shutil.copytree(source, copy, ignore=shutil.ignore_patterns("__pycache__", "node_modules"))
        elif source.exists():
            shutil.copy2(source, copy)
    for key, value in (("only_mutate", mutate), ("pytest_add_cli_args_test_selection", tests)):
        pyproject, found = re.subn(rf"(?ms)^{key} = \[.*?\]$", f"{key} = {toml_list(value)}", pyproject, count=1)
        if not found:
            raise SystemExit(f"mutation: pyproject.toml has no [tool.mutmut] {key} to narrow")
    deselect = "".join(f'  "--deselect", "{test}",\n' for test in DESELECTED.get(shard, []))
    pyproject = re.sub(r"(?ms)^(pytest_add_cli_args = \[.*?)^\]$", lambda m: m.group(1) + deselect + "]", pyproject,
                       count=1)
    (target / "pyproject.toml").write_text(pyproject, encoding="utf-8")


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in SHARDS:
        print(f"usage: mutation_shards.py {{{','.join(SHARDS)}}} DIR", file=sys.stderr)
        return 2
    prepare(argv[0], Path(argv[1]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
