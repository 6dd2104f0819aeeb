"""Time ``relayctl --help`` start-up against ``python -c pass`` (the interpreter's own floor).

Both run as fresh processes with the same interpreter, alternately, and the median of each is kept.
Target: relayctl --help <= 3x python -c pass. Exit status 1 when the target is missed. A third line
times ``relayctl validate --help`` (argparse plus one command module), to show what a command adds.

    .venv/bin/python bench/bench_startup.py [--runs 15]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

RELAYCTL = [sys.executable, "-c", "import sys; "
            "from o365relay.cli.main import main; sys.exit(main(['--help']))"]
BARE = [sys.executable, "-c", "pass"]
VALIDATE_HELP = [sys.executable, "-c", "import sys; "
                 "from o365relay.cli.main import main; sys.exit(main(['validate', '--help']))"]


def once(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    once(RELAYCTL)  # warm the bytecode cache and the OS page cache
    ours, bare, floor = [], [], []
    for _ in range(args.runs):
        ours.append(once(RELAYCTL))
        bare.append(once(BARE))
        floor.append(once(VALIDATE_HELP))
    ours_ms, bare_ms, floor_ms = (statistics.median(t) * 1000 for t in (ours, bare, floor))
    ratio = ours_ms / bare_ms
    print(f"relayctl --help:                {ours_ms:6.1f} ms (median of {args.runs})")
    print(f"relayctl validate --help:       {floor_ms:6.1f} ms ({floor_ms / bare_ms:.2f}x)")
    print(f"python -c pass:                 {bare_ms:6.1f} ms")
    print(f"ratio: {ratio:.2f}x (target <= 3x)")
    return 0 if ratio <= 3 else 1


if __name__ == "__main__":
    sys.exit(main())
