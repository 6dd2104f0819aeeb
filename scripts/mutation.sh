#!/usr/bin/env bash
# Mutation testing of the core (`make mutation`): mutmut mutates the modules listed under [tool.mutmut] in
# pyproject.toml, runs the tests that reach each mutant, then prints the kill rate per module and the
# survivors (scripts/mutation_report.py). Slow on two cores, so not part of `make test`.
#
# Bounded and incremental: the run stops after MUTATION_BUDGET seconds (default 3600) and the next run
# picks up where it stopped (results live in mutants/; `rm -rf mutants` starts over). Mutants whose
# function changed since the last run are tested again. MUTATION_JOBS sets the parallel workers (2).
set -uo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
budget=${MUTATION_BUDGET:-3600}
jobs=${MUTATION_JOBS:-2}

# Tests that locate the repository root (SARIF URIs) look for .git above the file: mutmut runs them in
# mutants/, which must therefore look like the root of a work tree.
mkdir -p mutants
[ -e mutants/.git ] || echo "gitdir: $(git rev-parse --absolute-git-dir)" > mutants/.git

timeout --signal=INT --kill-after=60 "$budget" "$VENV/bin/mutmut" run --max-children "$jobs" > mutants/run.log 2>&1
status=$?
if [ "$status" -eq 124 ]; then
  echo "mutation: stopped after the ${budget}s budget; run again to continue (log: mutants/run.log)"
elif [ "$status" -ne 0 ]; then
  echo "mutation: mutmut failed (exit $status); see mutants/run.log" >&2
  tail -n 20 mutants/run.log | tr '\r' '\n' | grep -v '^\s*$' | tail -n 10 >&2
  exit "$status"
fi
"$VENV/bin/python" scripts/mutation_report.py "$@"
