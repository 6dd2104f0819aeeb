"""The README's sample output, produced by real runs against the sandbox, so it cannot drift from the product.

    python scripts/readme_samples.py           rewrite every sample block in README.md
    python scripts/readme_samples.py --check   exit 1 (with a diff) when a block differs from a fresh run

A sample block in the README is a fenced block between two markers:

    <!-- sample: NAME -->
    ```
    ...generated...
    ```
    <!-- /sample -->

and NAME is a key of :data:`SAMPLES`: a function that runs the commands and returns the text. Add a
sample by adding a function there. Output that varies between runs is pinned first: dates are shifted
so the usage window ends on :data:`SAMPLE_DAY`, the demo's clock times and durations are masked
(``hh:mm:ss``, ``N.Ns``) and its temporary paths read as the defaults, and the commands run from the
project directory so paths read as a user types them. ``tests/docs/test_readme_samples.py`` runs the check.
"""

from __future__ import annotations

import difflib
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
SPEC = "relay.prod.yaml"
SAMPLE_DAY = date(2026, 7, 14)  # the day the usage window ends on in the README
BLOCK = re.compile(r"(<!-- sample: (?P<name>[\w-]+) -->\n```[^\n]*\n)(?P<body>.*?)(```\n<!-- /sample -->)", re.S)
DATE = re.compile(r"(?<!\d)(\d{4}-\d{2}-\d{2})(?!\d)")
# the demo's lines the README shows: step titles, verdicts, the plan's headline, what the apply created, the
# audit's verdict, each test-send's reply, path, trace rows and verdict, and the closing list of reports
DEMO_SHOWN = re.compile(r"━━ \d+/\d+ |⚠ |[✔✘] |  ## Relay plan |\$ pulumi up |  Resources:$|      [+~-] \d+ "
                        r"|  (In sync|No verdict|\d+ findings?):|    (reply|path|verdict): "
                        r"|      \d\d:\d\d:\d\d |Reports: ")
DEMO_EXECUTABLE = re.compile(r"\s+\(/[^)]*\)$")  # `$ pulumi up ...   (/home/.../pulumi)`: which CLI, per machine
CLOCK = re.compile(r"(?<![\d:])\d\d:\d\d:\d\d(?![\d:])")
DEMO_DURATION = re.compile(r"(\bin )\d+(\.\d+)?s\b")

sys.path.insert(0, str(ROOT))


def _relayctl(env: dict[str, str], *argv: str) -> str:
    """``relayctl ARGV`` as a user runs it from the project directory: the command line, then its output."""
    done = subprocess.run([sys.executable, "-m", "o365relay.cli.main", *argv], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600, check=False)
    if done.returncode not in (0, 1):
        raise RuntimeError(f"relayctl {' '.join(argv)} exited {done.returncode}: {done.stderr.strip()}")
    return done.stdout.rstrip()


def _sandbox_env(sandbox: object) -> dict[str, str]:
    return {**os.environ, **sandbox.env(), "COLUMNS": "200"}  # type: ignore[attr-defined]


def audit_sample() -> str:
    """``relayctl audit --hide-in-sync`` against the sandbox's brownfield tenant (the demo's starting point)."""
    from o365relay.sandbox.runner import start_sandbox
    from o365relay.sandbox.seed import SEEDS_DIR

    with tempfile.TemporaryDirectory() as state, start_sandbox(Path(state), seed=SEEDS_DIR / "brownfield.yaml") as sb:
        out = _relayctl(_sandbox_env(sb), "audit", SPEC, "--hide-in-sync")
    return f"$ relayctl audit {SPEC} --hide-in-sync\n{out}"


def _shift(text: str, days: int) -> str:
    return DATE.sub(lambda m: (date.fromisoformat(m.group(1)) + timedelta(days=days)).isoformat(), text)


def usage_sample() -> str:
    """``relayctl usage`` over twelve days of the usage tests' traffic story (tests/usage/usage_traces.py)."""
    sys.path.insert(0, str(ROOT / "tests" / "usage"))
    from usage_traces import story

    from o365relay.sandbox import trace
    from o365relay.sandbox.runner import start_sandbox

    end = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    start = end - timedelta(days=12)
    with tempfile.TemporaryDirectory() as state, start_sandbox(Path(state)) as sb:
        for m in story(end):
            trace.record(sb.store, sender=m.sender, message_id=m.ident, subject="sample", size=2048,
                         outcomes=[trace.Outcome(r, trace.DELIVERED, "250 2.0.0 OK") for r in m.recipients],
                         from_ip=m.from_ip, to_ip="", endpoint="submission", received=m.at)
        out = _relayctl(_sandbox_env(sb), "usage", SPEC, "--start", f"{start:%Y-%m-%dT%H:%MZ}",
                        "--end", f"{end:%Y-%m-%dT%H:%MZ}")
    shown = f"$ relayctl usage {SPEC} --start {start:%Y-%m-%dT%H:%MZ} --end {end:%Y-%m-%dT%H:%MZ}\n{out}"
    return _shift(shown, (SAMPLE_DAY - end.date()).days)


def run_demo(where: Path) -> subprocess.CompletedProcess[str]:
    """``relayctl demo`` from the project directory with its reports and state under ``where`` (output and
    errors interleaved, as on a terminal)."""
    return subprocess.run([sys.executable, "-m", "o365relay.cli.main", "demo", "--reports", str(where / "reports"),
                           "--state-dir", str(where / "state")], cwd=ROOT, env={**os.environ, "COLUMNS": "200"},
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=1800, check=False)


def demo_excerpt(output: str, where: Path) -> str:
    """The lines of a demo run the README shows: each step, its key line and verdict, and where the reports
    are. Paths read as the defaults (``reports/``, ``.sandbox/demo/``); clock times and durations, which
    differ on every run, read ``hh:mm:ss`` and ``N.Ns``."""
    text = output.replace(str(where / "reports"), "reports").replace(str(where / "state"), ".sandbox/demo")
    shown = [DEMO_EXECUTABLE.sub("", line) for line in text.splitlines() if DEMO_SHOWN.match(line)]
    masked = (DEMO_DURATION.sub(r"\1N.Ns", CLOCK.sub("hh:mm:ss", line)) for line in shown)
    return "$ make demo\n" + "\n".join(masked)


def demo_sample() -> str:
    """The excerpt of a fresh ``relayctl demo`` run (what ``make demo`` runs)."""
    with tempfile.TemporaryDirectory() as where:
        done = run_demo(Path(where))
        if done.returncode != 0:
            raise RuntimeError(f"relayctl demo exited {done.returncode}:\n{done.stdout}")
        return demo_excerpt(done.stdout, Path(where))


SAMPLES: dict[str, Callable[[], str]] = {"demo": demo_sample, "audit": audit_sample, "usage": usage_sample}


def regenerate(readme: str, samples: dict[str, Callable[[], str]] = SAMPLES) -> str:
    """``readme`` with every sample block's body replaced by a fresh run of its sample."""
    names = [m.group("name") for m in BLOCK.finditer(readme)]
    unknown = sorted(set(names) - set(samples))
    if unknown:
        raise SystemExit(f"README.md has sample blocks no function makes: {', '.join(unknown)}")
    fresh = {name: samples[name]().rstrip("\n") + "\n" for name in names}
    return BLOCK.sub(lambda m: m.group(1) + fresh[m.group("name")] + m.group(4), readme)


def main(argv: list[str]) -> int:
    current = README.read_text(encoding="utf-8")
    updated = regenerate(current)
    if "--check" in argv:
        if updated == current:
            return 0
        diff = difflib.unified_diff(current.splitlines(), updated.splitlines(), "README.md", "fresh run", lineterm="")
        print("\n".join(diff) + "\nREADME.md samples are stale: python scripts/readme_samples.py", file=sys.stderr)
        return 1
    README.write_text(updated, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
