"""Fixtures for the rule tests; the fixture specs themselves live in ``rule_fixtures``."""

from __future__ import annotations

import pytest
from rule_fixtures import TODAY

from o365relay.rules import LintOptions


@pytest.fixture
def options() -> LintOptions:
    """Options with a fixed date, so waiver expiry does not depend on when the tests run."""
    return LintOptions(today=TODAY)
