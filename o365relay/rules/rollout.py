"""Staged tenant-wide switches (``tenant.smtpAuth`` / ``tenant.rejectDirectSend`` as a rollout).

``switch-enforce-evidence`` is the gate: a rollout at ``stage: enforce`` needs evidence (``tenant.evidence``)
that is this tenant's, recent, at least ``evidenceDays`` long, and shows no sender the spec does not
declare (:mod:`o365relay.smtpauth.judge`). It is mandatory whatever the stack's enforcement level (a
refusal that only advises is no refusal) and no waiver covers it; ``--rule switch-enforce-evidence=advisory``
is the explicit way round it. ``switch-observe`` says, while a rollout observes, what enforcing would break.
"""

from __future__ import annotations

from collections.abc import Iterator

from o365relay.reports.wording import plural
from o365relay.rules.base import LintOptions, Violation, rule
from o365relay.smtpauth.judge import Judged, Verdict, evidence_gaps, judge
from o365relay.spec.model import SWITCHES, RelaySpec, Switch

_WHAT = {"smtpAuth": "SMTP AUTH off", "rejectDirectSend": "direct send rejected"}


def _described(switch: Switch, judged: Judged, verdict: Verdict) -> str:
    seen = judged.seen
    unit = "Basic sign-in" if switch == "smtpAuth" and seen in verdict.evidence.basic_sign_ins else "message"
    ips = f" from {', '.join(seen.ips)}" if seen.ips else ""
    log = "" if verdict.evidence.sign_in_log == "read" else "; no sign-in log (Entra ID P1/P2), message trace only"
    return (f"{seen.address}: {plural(seen.count, unit)} {seen.first:%Y-%m-%d %H:%M} to {seen.last:%Y-%m-%d %H:%M}"
            f"{ips} ({judged.note}); evidence {verdict.window()}{log}")


def _checked(spec: RelaySpec, options: LintOptions, stage: str) -> Iterator[tuple[Switch, list[str], Verdict | None]]:
    for switch in SWITCHES:
        rollout = spec.tenant.rollout(switch)
        if rollout is None or rollout.stage != stage:
            continue
        gaps = evidence_gaps(spec.tenant.evidence, spec, rollout, options.on())
        evidence = spec.tenant.evidence
        yield switch, gaps, judge(evidence, spec, options.on()) if evidence is not None else None


@rule(
    "switch-enforce-evidence",
    rationale="Setting a tenant-wide switch cuts off every device that still depends on it; enforce only on "
    "recent evidence that no sender the spec does not declare does.",
    baselines=(),
    severity="high",
    fix="Keep the rollout at `stage: observe`; declare each sender the evidence names (`relayctl "
    "smtp-auth-report SPEC` proposes the stanzas) or stop the device; read the evidence again with "
    "`--evidence FILE` once the window is clean; then set `stage: enforce`.",
    waivable=False,
    gate=True,
)
def switch_enforce_evidence(spec: RelaySpec, options: LintOptions) -> Iterator[Violation]:
    for switch, gaps, verdict in _checked(spec, options, "enforce"):
        path = ("tenant", switch)
        for gap in gaps:
            yield Violation(path, f"enforce refused ({_WHAT[switch]}): {gap}")
        if gaps or verdict is None:
            continue
        for judged in verdict.breaking(switch):
            yield Violation(path, f"enforce refused ({_WHAT[switch]}) would break "
                                  f"{_described(switch, judged, verdict)}")


@rule(
    "switch-observe",
    rationale="While a switch is observed, reviewers see which devices enforcing it would break.",
    baselines=(),
    severity="low",
    fix="Declare the senders named (`relayctl smtp-auth-report SPEC` proposes the stanzas), then read the "
    "evidence again.",
    advisory_only=True,
)
def switch_observe(spec: RelaySpec, options: LintOptions) -> Iterator[Violation]:
    for switch, gaps, verdict in _checked(spec, options, "observe"):
        path = ("tenant", switch)
        for gap in gaps:
            yield Violation(path, f"observing ({_WHAT[switch]} not yet set): {gap}")
        if verdict is None:
            continue
        for judged in verdict.breaking(switch):
            yield Violation(path, f"observing: enforcing ({_WHAT[switch]}) would break "
                                  f"{_described(switch, judged, verdict)}")
