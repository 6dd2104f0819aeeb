#!/usr/bin/env bash
# Mutation testing of the core (`make mutation`): mutmut mutates the modules listed under [tool.mutmut] in
# pyproject.toml, runs the tests that reach each mutant, then prints the kill rate per module and the
# survivors (scripts/mutation_report.py). Slow on two cores, so not part of `make test`.
#
#   scripts/mutation.sh                 the whole core, bounded and resumable (see below)
#   scripts/mutation.sh SHARD           one part of it: spec, rules, audit, tenant or values
#                                       (exchange_values.py, records.py, components/providers/base.py)
#   scripts/mutation.sh 'PATTERN' ...   mutmut mutant names, e.g. 'o365relay.tenant.retry*'
#
# The whole-core run stops after MUTATION_BUDGET seconds (default 3000, inside a 2-core CI job's hour)
# and the next run picks up where it stopped (results live in mutants/; `rm -rf mutants` starts over).
# A shard or pattern re-tests all of its mutants (that is how mutmut treats named mutants), so each
# shard is sized to finish inside the budget on its own; the report then covers that shard's modules.
# MUTATION_JOBS sets the parallel workers (2). mutmut runs at the lowest CPU priority.
set -uo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
budget=${MUTATION_BUDGET:-3000}
jobs=${MUTATION_JOBS:-2}

patterns=()
for arg in "$@"; do
  case "$arg" in
    spec|rules|audit|tenant) patterns+=("o365relay.$arg.*") ;;
    values) patterns+=("o365relay.exchange_values.*" "o365relay.records.*" "components.providers.base.*") ;;
    *.*) patterns+=("$arg") ;;
    *) echo "mutation: unknown shard '$arg' (spec, rules, audit, tenant, values, or a mutant pattern)" >&2
       exit 2 ;;
  esac
done

# Tests that locate the repository root (SARIF URIs) look for .git above the file: mutmut runs them in
# mutants/, which must therefore look like the root of a work tree.
mkdir -p mutants
[ -e mutants/.git ] || echo "gitdir: $(git rev-parse --absolute-git-dir)" > mutants/.git

timeout --signal=INT --kill-after=60 "$budget" nice -n 19 "$VENV/bin/mutmut" run --max-children "$jobs" \
  "${patterns[@]}" > mutants/run.log 2>&1
status=$?
if [ "$status" -eq 124 ]; then
  echo "mutation: stopped after the ${budget}s budget; run again to continue (log: mutants/run.log)"
elif [ "$status" -ne 0 ]; then
  echo "mutation: mutmut failed (exit $status); see mutants/run.log" >&2
  tail -n 20 mutants/run.log | tr '\r' '\n' | grep -v '^\s*$' | tail -n 10 >&2
  exit "$status"
fi
"$VENV/bin/python" scripts/mutation_report.py "${patterns[@]}"
