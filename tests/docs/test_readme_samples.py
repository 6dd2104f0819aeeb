"""The README's sample output is what the product prints: regenerated from real runs and compared."""

from __future__ import annotations

import subprocess
from pathlib import Path
from types import ModuleType

import pytest


@pytest.mark.slow
def test_readme_samples_match_a_fresh_run(readme_samples: ModuleType,
                                          demo_run: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    samples = readme_samples
    committed = samples.README.read_text(encoding="utf-8")
    assert {"demo", "audit", "usage"} <= {m.group("name") for m in samples.BLOCK.finditer(committed)}
    done, where = demo_run  # the run the demo's own test reads, shared: a demo takes a while
    assert done.returncode == 0, done.stdout
    fresh = {**samples.SAMPLES, "demo": lambda: samples.demo_excerpt(done.stdout, where)}
    assert samples.regenerate(committed, fresh) == committed, (
        "README.md samples are stale: python scripts/readme_samples.py")


def test_the_demo_excerpt_reads_as_a_user_would_see_it(readme_samples: ModuleType, tmp_path: Path) -> None:
    """Temporary paths read as the defaults; times and durations are masked; engine chatter is left out."""
    run = (f"━━ 4/7 Apply to the sandbox tenant with the Pulumi engine\n"
           f"$ pulumi up --yes --stack sandbox   (/opt/bin/pulumi)\n  @ updating....\n  Resources:\n"
           f"      + 18 created\n✔ `pulumi up` converged in 4.2s\n      15:33:03 invoices@contoso.com  delivered\n"
           f"Reports: {tmp_path}/reports/plan.md, {tmp_path}/state/x\n")
    assert readme_samples.demo_excerpt(run, tmp_path).splitlines() == [
        "$ make demo", "━━ 4/7 Apply to the sandbox tenant with the Pulumi engine", "$ pulumi up --yes --stack sandbox",
        "  Resources:", "      + 18 created", "✔ `pulumi up` converged in N.Ns",
        "      hh:mm:ss invoices@contoso.com  delivered", "Reports: reports/plan.md, .sandbox/demo/x"]


def test_a_changed_sample_is_caught(readme_samples: ModuleType) -> None:
    samples = readme_samples
    readme = "intro\n<!-- sample: audit -->\n```\nold output\n```\n<!-- /sample -->\nend\n"
    fresh = samples.regenerate(readme, {"audit": lambda: "new output"})
    assert fresh == "intro\n<!-- sample: audit -->\n```\nnew output\n```\n<!-- /sample -->\nend\n"
