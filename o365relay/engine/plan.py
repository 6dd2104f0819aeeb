"""The engine's plan for reviewers, from the events of ``pulumi preview --json``.

The one-document form of ``pulumi preview --json`` lists the steps but leaves policy violations out
(the CLI skips policy events there), so the preview streams its engine events instead
(``PULUMI_ENABLE_STREAMING_JSON_PREVIEW``, one JSON object a line): ``resourcePreEvent`` for each
step, ``policyEvent`` for each finding, ``diagnosticEvent`` for errors. :func:`render_markdown`
writes the PR comment: the engine's plan first, then the audit's drift, each saying where it comes from.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from o365relay.reports.markdown import code, text

# The step kinds a reviewer acts on; create-replacement / delete-replaced belong to a "replace".
ACTIONS = {"create": "➕ create", "update": "✏️ update", "replace": "🔁 replace", "delete": "🗑️ delete",
           "import": "📥 import"}
SHOWN_OPS = tuple(ACTIONS)
# The program's own component types (no tenant object) and the root stack are not steps a reviewer reads.
_HIDDEN_TYPE_PREFIXES = ("pulumi:pulumi:", "pulumi:providers:", "o365relay:")


@dataclass(frozen=True)
class Step:
    op: str
    type: str
    name: str
    urn: str
    fields: tuple[str, ...] = ()  # replace: the fields forcing it; update: the changed fields
    delete_first: bool = False

    @property
    def kind(self) -> str:
        """``exchange:SendAsGrant`` for ``pulumi-python:dynamic/exchange:SendAsGrant``,
        ``azuread:Application`` for ``azuread:index/application:Application``."""
        package, _, rest = self.type.partition(":")
        module, _, name = rest.partition(":")
        if package == "pulumi-python":
            return f"{module.removeprefix('dynamic/')}:{name}"
        return f"{package}:{name}"


@dataclass(frozen=True)
class PolicyFinding:
    policy: str
    level: str  # mandatory / advisory (the engine says "warning" for advisory)
    message: str
    resource: str  # the resource name, or "" for a stack policy


@dataclass
class EnginePlan:
    steps: list[Step] = field(default_factory=list)
    findings: list[PolicyFinding] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # error diagnostics (a failed preview says why)

    def counts(self) -> Counter[str]:
        return Counter(step.op for step in self.steps)

    @property
    def blocked(self) -> bool:
        """A mandatory policy violation: the engine refuses ``pulumi up``."""
        return any(f.level == "mandatory" for f in self.findings)


def _name(urn: str) -> str:
    return urn.rsplit("::", 1)[-1] if urn else ""


def read_plan(events: Iterable[dict[str, Any]]) -> EnginePlan:
    """The steps, policy findings and errors of a preview's engine events."""
    plan = EnginePlan()
    steps = [dict(e["resourcePreEvent"].get("metadata") or {}) for e in events if e.get("resourcePreEvent")]
    # a delete-before-replace shows as delete-replaced ahead of create-replacement
    delete_first = {str(s.get("urn")) for s in steps if s.get("op") == "delete-replaced"} - {
        str(s.get("urn")) for s in _before_delete(steps)}
    for step in steps:
        op, urn, type_ = str(step.get("op", "")), str(step.get("urn", "")), str(step.get("type", ""))
        if op not in SHOWN_OPS or type_.startswith(_HIDDEN_TYPE_PREFIXES):
            continue
        fields = (step.get("keys") if op == "replace" else step.get("diffs")) or _changed_inputs(step)
        plan.steps.append(Step(op, type_, _name(urn), urn, tuple(sorted(fields or ())),
                               delete_first=urn in delete_first))
    for event in events:
        diagnostic, policy = event.get("diagnosticEvent"), event.get("policyEvent")
        if diagnostic and diagnostic.get("severity") == "error":
            plan.errors.append(str(diagnostic.get("message", "")).strip())
        if policy:
            level = "advisory" if policy.get("enforcementLevel") == "warning" else policy.get("enforcementLevel", "")
            plan.findings.append(PolicyFinding(str(policy.get("policyName", "")), str(level),
                                               str(policy.get("message", "")).strip(),
                                               _name(str(policy.get("resourceUrn", "")))))
    return plan


def refreshed(events: Iterable[dict[str, Any]]) -> list[Step]:
    """What a refresh found changed (``update``) or gone (``delete``) in the tenant, from its events."""
    found = []
    for event in events:
        meta = (event.get("resOutputsEvent") or {}).get("metadata") or {}
        if meta.get("op") in ("update", "delete"):
            found.append(Step(str(meta["op"]), str(meta.get("type", "")), _name(str(meta.get("urn", ""))),
                              str(meta.get("urn", ""))))
    return found


def _changed_inputs(step: dict[str, Any]) -> list[str]:
    """The inputs an update changes, from its old and new state (Python dynamic providers report no
    changed keys to the engine, only that something changed)."""
    if step.get("op") != "update":
        return []
    old = (step.get("old") or {}).get("inputs") or {}
    new = (step.get("new") or {}).get("inputs") or {}
    return [k for k in sorted({*old, *new}) if not k.startswith("__") and old.get(k) != new.get(k)]


def _before_delete(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The create-replacement steps that come before their resource's delete-replaced step."""
    deleted: set[str] = set()
    early = []
    for step in steps:
        if step.get("op") == "delete-replaced":
            deleted.add(str(step.get("urn")))
        elif step.get("op") == "create-replacement" and str(step.get("urn")) not in deleted:
            early.append(step)
    return early


def summary_line(plan: EnginePlan) -> str:
    counts = plan.counts()
    return ", ".join(f"{counts.get(op, 0)} to {op}" for op in ("create", "update", "replace", "delete"))


def render_markdown(plan: EnginePlan, stack: str, audit_markdown: str | None = None) -> str:
    """The PR comment: the engine's plan and policy findings, then the audit's drift, each labelled."""
    lines = [f"## Relay plan for stack {code(stack)}: {summary_line(plan)}", "",
             "**What `pulumi up` will do**, as the Pulumi engine computed it (`pulumi preview`) from the "
             "stack's state and the spec. Values the tenant assigns at creation are not known yet.", ""]
    if plan.errors:
        lines += ["### ❌ The preview failed", ""] + [f"- {text(e)}" for e in plan.errors] + [""]
    lines += _findings(plan) + _steps(plan)
    if audit_markdown is not None:
        lines += ["", "---", "",
                  "**Drift: the tenant against the spec** (`relayctl audit`), read from the tenant now. It also "
                  "shows changes made behind the stack's back, which the plan above sees only after "
                  "`pulumi refresh`, and objects nobody declared, which `pulumi up` leaves alone.", "",
                  *("#" + line if line.startswith("#") else line for line in audit_markdown.splitlines())]
    return "\n".join(lines).rstrip() + "\n"


def _findings(plan: EnginePlan) -> list[str]:
    if not plan.findings:
        return ["No policy findings (waived findings are not violations).", ""]
    mandatory = sum(f.level == "mandatory" for f in plan.findings)
    lines = [f"### Policy findings: {mandatory} mandatory, {len(plan.findings) - mandatory} advisory", ""]
    if plan.blocked:
        lines += ["A mandatory finding blocks `pulumi up` until it is fixed or waived in the spec.", ""]
    lines += ["| Level | Policy | Resource | Finding |", "|---|---|---|---|"]
    for f in sorted(plan.findings, key=lambda f: (f.level != "mandatory", f.policy, f.resource)):
        resource = code(f.resource, table=True) if f.resource else "(stack)"
        lines.append(f"| {f.level} | {code(f.policy, table=True)} | {resource} | {text(f.message)} |")
    return lines + [""]


def _steps(plan: EnginePlan) -> list[str]:
    if not plan.steps:
        return ["`pulumi up` would change nothing."] if not plan.errors else []
    lines = ["### Changes", "", "| Action | Kind | Name | Fields |", "|---|---|---|---|"]
    order = list(ACTIONS)
    for step in sorted(plan.steps, key=lambda s: (order.index(s.op), s.kind, s.name)):
        action = ACTIONS[step.op] + (" (delete first)" if step.delete_first else "")
        fields = ", ".join(code(f, table=True) for f in step.fields)
        lines.append(f"| {action} | {code(step.kind, table=True)} | {code(step.name, table=True)} | {fields} |")
    return lines
