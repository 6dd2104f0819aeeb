"""Waivers: a reviewed, dated exception to one rule for one part of the spec.

A waiver ``{rule, target, reason, expires}`` covers the findings of ``rule`` whose spec path is
``target`` or lies under it (``serviceAccounts.scanner-floor3`` covers
``serviceAccounts.scanner-floor3.mailbox``). Targets are spec paths as ``relayctl`` prints them, with or
without the leading ``spec.``; they are compared part by part, so ``domains.contoso.com`` never covers
``domains.contoso.com.au``. A waiver works through its ``expires`` day and stops the day after; an
expired waiver is itself a finding (``waiver-expired``), and so is one that covers nothing
(``waiver-unmatched``: a typo, a fixed problem, or a rule that may not be waived).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date

from o365relay.rules.base import REGISTRY, LintOptions, Rule, Violation, register, rule, target_of
from o365relay.spec.model import RelaySpec, SpecPath, Waiver

WAIVER_UNMATCHED = "waiver-unmatched"


def covers(waiver: Waiver, rule_id: str, path: SpecPath) -> bool:
    if waiver.rule != rule_id:
        return False
    wanted = waiver.target.strip().removeprefix("spec.")
    return any(target_of(path[:n]) == wanted for n in range(1, len(path) + 1))


def is_active(waiver: Waiver, today: date) -> bool:
    return today <= waiver.expires


def active_waiver(spec: RelaySpec, rule_id: str, path: SpecPath, today: date) -> Waiver | None:
    return next((w for w in spec.waivers if is_active(w, today) and covers(w, rule_id, path)), None)


@rule(
    "waiver-expired",
    rationale="A waiver is a dated promise; once its date passes, the exception must be fixed or "
    "re-approved, not silently kept.",
    baselines=(),
    severity="medium",
    fix="Fix what the waiver covered and delete the waiver, or have the exception re-approved and move "
    "its `expires` date.",
    waivable=False,
)
def waiver_expired(spec: RelaySpec, options: LintOptions) -> Iterator[Violation]:
    today = options.on()
    for i, waiver in enumerate(spec.waivers):
        if not is_active(waiver, today):
            yield Violation(("waivers", i, "expires"), f"waiver for {waiver.rule} on {waiver.target} expired "
                            f"on {waiver.expires.isoformat()}; it no longer applies")


register(Rule(
    WAIVER_UNMATCHED,
    rationale="A waiver that covers nothing hides a typo or outlives the problem it excused, and would "
    "silently excuse a future one.",
    baselines=(),
    severity="low",
    fix="Correct the waiver's rule id or target (a spec path such as connectors.<name>), or delete it.",
    check=None,
    waivable=False,
))


def unmatched_violations(
    spec: RelaySpec, options: LintOptions, used: Iterable[Waiver]
) -> Iterator[Violation]:
    """Active waivers that covered no finding, with the reason that is most likely."""
    used_ids = {id(w) for w in used}
    today = options.on()
    for i, waiver in enumerate(spec.waivers):
        if id(waiver) in used_ids or not is_active(waiver, today):
            continue
        target = REGISTRY.get(waiver.rule)
        if target is None:
            yield Violation(("waivers", i, "rule"), f"waiver names unknown rule {waiver.rule}")
        elif not target.waivable:
            yield Violation(("waivers", i, "rule"), f"rule {waiver.rule} cannot be waived")
        elif options.level(waiver.rule) != "disabled":
            yield Violation(("waivers", i, "target"), f"waiver for {waiver.rule} on {waiver.target} covers "
                            "no finding")
