"""Kill rate per module from mutmut's results in mutants/, and the survivors nobody has explained.

A survivor is explained when docs/mutation-testing.md lists its mutant name (in backquotes) as
equivalent, with the reason. Exit 1 when a module is below the floor or a survivor is unexplained,
so `make mutation` answers "do the tests still catch bugs here?" with its exit code.

    python scripts/mutation_report.py [--floor 90] [--all] [--results DIR] [PATTERN ...]

``--results`` reads a shard's results (mutants/shards/SHARD/mutants) instead of the whole run's;
PATTERNs (mutmut mutant names with ``*``) limit the report to some mutants, e.g. one module's.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import re
import sys
from collections import Counter
from pathlib import Path

from mutmut.stats import status_by_exit_code

ROOT = Path(__file__).resolve().parents[1]
MUTANTS = ROOT / "mutants"
EQUIVALENTS_DOC = ROOT / "docs" / "mutation-testing.md"
DETECTED = {"killed", "timeout", "caught by type check", "segfault"}
UNDETECTED = {"survived", "no tests", "suspicious"}


def documented_equivalents() -> set[str]:
    """Mutant names the doc explains (a name in backquotes at the start of a list item; ``*`` stands for
    every mutant of a function, e.g. ``module.x_func__mutmut_*``)."""
    if not EQUIVALENTS_DOC.exists():
        return set()
    return set(re.findall(r"^\s*[-*] `([\w.ǁ]+__mutmut_(?:\d+|\*))`", EQUIVALENTS_DOC.read_text(), re.MULTILINE))


def explained(name: str, documented: set[str]) -> bool:
    return name in documented or any("*" in d and fnmatch.fnmatchcase(name, d) for d in documented)


def results(where: Path, patterns: list[str]) -> dict[str, dict[str, str]]:
    """{module path: {mutant name: status}} for every mutated file, limited to names matching a pattern."""
    out: dict[str, dict[str, str]] = {}
    for meta in sorted(where.rglob("*.py.meta")):
        module = meta.relative_to(where).as_posix().removesuffix(".meta")
        if module.startswith("shards/"):  # the shards' own runs (scripts/mutation.sh SHARD)
            continue
        try:
            codes = json.loads(meta.read_text())["exit_code_by_key"]
        except (ValueError, KeyError):
            raise SystemExit(f"mutation: cannot read {meta} (is a run still writing it?); try when it ends") from None
        statuses = {name: status_by_exit_code[code] for name, code in codes.items()
                    if not patterns or any(fnmatch.fnmatchcase(name, p) for p in patterns)}
        if statuses:
            out[module] = statuses
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--floor", type=float, default=90.0, help="lowest kill rate per module, in %% (90)")
    parser.add_argument("--all", action="store_true", help="list documented equivalent survivors too")
    parser.add_argument("--results", type=Path, default=MUTANTS, metavar="DIR",
                        help="mutmut's results directory (default: mutants/, the whole-core run)")
    parser.add_argument("patterns", nargs="*", metavar="PATTERN", help="only mutants named like this")
    args = parser.parse_args(argv)
    by_module = results(args.results, args.patterns)
    if not by_module:
        print("mutation: no results in mutants/ for that selection; run `make mutation`", file=sys.stderr)
        return 2
    equivalent = documented_equivalents()
    failing, unexplained, pending = [], [], 0
    print(f"{'module':<42} {'mutants':>7} {'killed':>6} {'equiv':>5} {'lived':>5} {'unrun':>5} {'score':>7}")
    totals: Counter[str] = Counter()
    for module, statuses in by_module.items():
        count = Counter("equivalent" if s in UNDETECTED and explained(n, equivalent) else s
                        for n, s in statuses.items())
        detected = sum(count[s] for s in DETECTED)
        lived = sum(count[s] for s in UNDETECTED)
        unrun = len(statuses) - detected - lived - count["equivalent"]
        judged = detected + lived
        score = 100.0 * detected / judged if judged else 100.0
        print(f"{module:<42} {len(statuses):>7} {detected:>6} {count['equivalent']:>5} {lived:>5} {unrun:>5} "
              f"{score:>6.1f}%")
        totals.update(mutants=len(statuses), detected=detected, equivalent=count["equivalent"], lived=lived,
                      unrun=unrun)
        pending += unrun
        if score < args.floor:
            failing.append(module)
        unexplained += [(n, s) for n, s in statuses.items()
                        if s in UNDETECTED and (args.all or not explained(n, equivalent))]
    judged = totals["detected"] + totals["lived"]
    print(f"{'all':<42} {totals['mutants']:>7} {totals['detected']:>6} {totals['equivalent']:>5} "
          f"{totals['lived']:>5} {totals['unrun']:>5} {100.0 * totals['detected'] / max(judged, 1):>6.1f}%")
    print("score = killed / (killed + lived); documented equivalent mutants are left out; "
          "unrun = not tested yet (budget) or skipped")
    if unexplained:
        print(f"\n{len(unexplained)} survivors (`mutmut show NAME` shows the change):")
        for name, status in sorted(unexplained):
            print(f"  {name}  [{status}]")
    if pending:
        print(f"\n{pending} mutants not tested yet: run `make mutation` again to continue")
    if failing:
        print(f"\nbelow the {args.floor:.0f}% floor: {', '.join(failing)}", file=sys.stderr)
    return 1 if failing or unexplained else 0


if __name__ == "__main__":
    sys.exit(main())
