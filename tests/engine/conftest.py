"""Fixtures of the engine tests (the shared stack lives in engine_stack)."""

from engine_stack import stack  # noqa: F401  (the module-scoped fixture)
