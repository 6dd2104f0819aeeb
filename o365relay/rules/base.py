"""The vocabulary of the rule set: rules, findings, options, and the registry that holds the rules.

A rule is a plain function over a :class:`RelaySpec` that yields :class:`Violation` s (a spec path and
a message), wrapped with the metadata reviewers and SARIF need: a kebab-case id, a one-line rationale,
the baseline controls it implements, a default severity, whether a waiver may cover it, and a fix
written in this tool's terms. The same functions serve ``relayctl lint`` and the CrossGuard pack.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Literal, NamedTuple

from o365relay.spec.model import RelaySpec, SpecPath, Waiver, format_path

Severity = Literal["low", "medium", "high", "critical"]
Enforcement = Literal["mandatory", "advisory"]
RuleLevel = Literal["mandatory", "advisory", "disabled"]
Status = Literal["failing", "waived"]

SEVERITIES: tuple[Severity, ...] = ("low", "medium", "high", "critical")
ENFORCEMENTS: tuple[Enforcement, ...] = ("mandatory", "advisory")
RULE_LEVELS: tuple[RuleLevel, ...] = ("mandatory", "advisory", "disabled")

DEFAULT_MAX_SECRET_DAYS = 180


class Violation(NamedTuple):
    """What a check function yields: where in the spec, and what is wrong there."""

    path: SpecPath
    message: str


@dataclass(frozen=True)
class LintOptions:
    """Per-stack configuration of the rule set (CLI flags, or the stack and policy-pack config).

    ``rules`` overrides the enforcement of single rules (``disabled`` turns one off); ``severity``
    overrides their severity; ``today`` fixes the date waivers expire against (tests, reproducible runs).
    """

    enforcement: Enforcement = "advisory"
    rules: Mapping[str, RuleLevel] = field(default_factory=dict)
    severity: Mapping[str, Severity] = field(default_factory=dict)
    max_secret_days: int = DEFAULT_MAX_SECRET_DAYS
    basic_smtp_auth_forbidden: bool = True
    today: date | None = None
    # DNS lookups nested inside an SPF include (not counting the include itself); None offline
    spf_include_lookups: Callable[[str], int] | None = None

    def level(self, rule_id: str) -> RuleLevel:
        level = self.rules.get(rule_id, self.enforcement)
        known = REGISTRY.get(rule_id)
        if known is not None and known.advisory_only and rule_id not in self.rules and level == "mandatory":
            return "advisory"  # a statement of what lint could not see blocks nothing unless asked to
        if known is not None and known.gate and rule_id not in self.rules:
            return "mandatory"  # a gate that only advised would let the change through
        return level

    def on(self) -> date:
        return self.today or date.today()


CheckFn = Callable[[RelaySpec, LintOptions], Iterable[Violation]]


@dataclass(frozen=True)
class Rule:
    id: str
    rationale: str
    baselines: tuple[str, ...]
    severity: Severity
    fix: str
    # None: the rule judges the other rules' results and is evaluated by the engine (waiver rules).
    check: CheckFn | None = field(repr=False, compare=False)
    waivable: bool = True
    advisory_only: bool = False  # never mandatory unless a --rule override makes it so
    gate: bool = False  # always mandatory unless a --rule override says otherwise


@dataclass(frozen=True)
class Finding:
    """One violation of one rule, located in the spec, with the enforcement and severity in force."""

    rule: str
    path: SpecPath
    message: str
    severity: Severity
    enforcement: Enforcement
    waiver: Waiver | None = None

    @property
    def status(self) -> Status:
        return "waived" if self.waiver else "failing"

    @property
    def blocking(self) -> bool:
        """True when this finding must fail the run (``relayctl lint`` exit 1, a mandatory violation)."""
        return self.waiver is None and self.enforcement == "mandatory"

    @property
    def target(self) -> str:
        """The spec path as a waiver names it: ``connectors.dc1-relay.senderIPs[0]``."""
        return target_of(self.path)


def target_of(path: SpecPath) -> str:
    return format_path(path).removeprefix("spec").removeprefix(".")


REGISTRY: dict[str, Rule] = {}


def rule(
    id: str,
    *,
    rationale: str,
    baselines: tuple[str, ...],
    severity: Severity,
    fix: str,
    waivable: bool = True,
    advisory_only: bool = False,
    gate: bool = False,
) -> Callable[[CheckFn], Rule]:
    """Register a check function as a rule; ids are unique across the rule set."""

    def decorate(check: CheckFn) -> Rule:
        return register(Rule(id, rationale, baselines, severity, fix, check, waivable, advisory_only, gate))

    return decorate


def register(new: Rule) -> Rule:
    if new.id in REGISTRY:
        raise ValueError(f"duplicate rule id {new.id!r}")
    REGISTRY[new.id] = new
    return new
