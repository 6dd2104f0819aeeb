"""The policy rules, shared by ``relayctl lint`` and the CrossGuard pack in ``policies/``.

    from o365relay.rules import LintOptions, lint, RULES
    findings = lint(spec, LintOptions(enforcement="mandatory"))

Importing this package registers every rule (the order of the imports is the order rules are listed).
"""

from o365relay.rules import (  # noqa: F401
    connectors,
    direct_send,
    dns,
    outbound,
    partners,
    privilege,
    rollout,
    smtp_auth,
    waivers,
)
from o365relay.rules.base import (
    ENFORCEMENTS,
    REGISTRY,
    RULE_LEVELS,
    SEVERITIES,
    Enforcement,
    Finding,
    LintOptions,
    Rule,
    RuleLevel,
    Severity,
    Violation,
)
from o365relay.rules.engine import exit_code, lint

RULES = REGISTRY

__all__ = [
    "ENFORCEMENTS",
    "RULES",
    "RULE_LEVELS",
    "SEVERITIES",
    "Enforcement",
    "Finding",
    "LintOptions",
    "Rule",
    "RuleLevel",
    "Severity",
    "Violation",
    "exit_code",
    "lint",
]
