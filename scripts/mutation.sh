#!/usr/bin/env bash
# Mutation testing of the core (`make mutation`): mutmut mutates the modules listed under [tool.mutmut] in
# pyproject.toml, runs the tests that reach each mutant, then prints the kill rate per module and the
# survivors (scripts/mutation_report.py). Slow on two cores, so not part of `make test`.
#
#   scripts/mutation.sh            the whole core against the whole [tool.mutmut] test selection
#   scripts/mutation.sh SHARD ...  one part of the core against only the tests that exercise it:
#                                  spec, rules, audit, retry (tenant/retry.py, graph_errors.py), tenant (the
#                                  other tenant modules), values (exchange_values.py, records.py,
#                                  components/providers/base.py); see scripts/mutation_shards.py
#   scripts/mutation.sh SHARD:NAME[,NAME...]  re-test the shard's mutants named so (mutmut's names, * allowed), e.g.
#                                  after a new test for a survivor (mutmut keeps a verdict unless named)
#
# A mutant runs every selected test that reaches its function, and on the whole selection a mutant of a
# shared helper runs dozens of sandbox tests; a shard mutates only its modules and selects only their
# tests, in a copy of the tree under mutants/shards/SHARD, so it fits a 2-core CI job. Runs are bounded by
# MUTATION_BUDGET seconds (default 3000) and resumable: a second run tests only what the first did not
# reach, and mutants of a function that changed since are tested again (`rm -rf mutants` starts over).
# MUTATION_JOBS sets the parallel workers (2). mutmut runs at the lowest CPU priority.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
VENV=${VENV:-$ROOT/.venv}
budget=${MUTATION_BUDGET:-3000}
jobs=${MUTATION_JOBS:-2}
report=0

run() {  # run mutmut in directory $1 (on the mutants named $2, if given) and report its results
  local dir=$1 names=("${@:2}")
  # Tests that locate the repository root (SARIF URIs) look for .git above the file: mutmut runs them in
  # mutants/, which must therefore look like the root of a work tree.
  mkdir -p "$dir/mutants"
  [ -e "$dir/mutants/.git" ] || echo "gitdir: $(git rev-parse --absolute-git-dir)" > "$dir/mutants/.git"
  (cd "$dir" && timeout --signal=INT --kill-after=60 "$budget" nice -n 19 "$VENV/bin/mutmut" run \
     --max-children "$jobs" "${names[@]}" > mutants/run.log 2>&1)
  local status=$?
  if [ "$status" -eq 124 ]; then
    echo "mutation: stopped after the ${budget}s budget; run again to continue (log: $dir/mutants/run.log)"
  elif [ "$status" -ne 0 ]; then
    echo "mutation: mutmut failed (exit $status); see $dir/mutants/run.log" >&2
    tail -n 20 "$dir/mutants/run.log" | tr '\r' '\n' | grep -v '^\s*$' | tail -n 10 >&2
    return "$status"
  fi
  "$VENV/bin/python" scripts/mutation_report.py --results "$dir/mutants" || report=1
}

if [ "$#" -eq 0 ]; then
  run "$ROOT" || exit
  exit "$report"
fi
for arg in "$@"; do
  shard=${arg%%:*} names=()
  [ "$shard" = "$arg" ] || IFS=, read -r -a names <<< "${arg#*:}"
  dir=$ROOT/mutants/shards/$shard
  "$VENV/bin/python" scripts/mutation_shards.py "$shard" "$dir" || exit
  echo "mutation: shard $shard ($dir)"
  run "$dir" "${names[@]}" || exit
done
exit "$report"
