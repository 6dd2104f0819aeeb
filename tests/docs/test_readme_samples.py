"""The README's sample output is what the product prints: regenerated from real runs and compared."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _samples():  # scripts/ is not a package: load the generator from its file
    spec = importlib.util.spec_from_file_location("readme_samples", ROOT / "scripts" / "readme_samples.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_readme_samples_match_a_fresh_run() -> None:
    samples = _samples()
    committed = samples.README.read_text(encoding="utf-8")
    assert {"audit", "usage"} <= {m.group("name") for m in samples.BLOCK.finditer(committed)}
    assert samples.regenerate(committed) == committed, "README.md samples are stale: python scripts/readme_samples.py"


def test_a_changed_sample_is_caught() -> None:
    samples = _samples()
    readme = "intro\n<!-- sample: audit -->\n```\nold output\n```\n<!-- /sample -->\nend\n"
    fresh = samples.regenerate(readme, {"audit": lambda: "new output"})
    assert fresh == "intro\n<!-- sample: audit -->\n```\nnew output\n```\n<!-- /sample -->\nend\n"
