"""The relay's CrossGuard policies, built from the core rules (``o365relay.rules``).

Two kinds, so the pack reports what ``relayctl lint`` reports and also guards the resources themselves:

- **Stack policies, one per core rule, named by the rule id.** Each takes the ``spec`` input of the
  ``o365relay:index:RelayStack`` resource (the spec as ``to_document`` gives it), rebuilds the
  ``RelaySpec`` with ``spec_from_document`` and reports that rule's findings from the same ``lint`` the
  CLI runs, waivers included (a waived finding is not a violation). Three of them also hold the
  program's resources to the spec: ``send-as-declared-trustee`` (``exchange:SendAsGrant``),
  ``full-access-own-mailbox`` (``exchange:FullAccessGrant``), ``org-smtp-auth-off``
  (``exchange:MailboxSmtpAuth``: SMTP AUTH exceptions only on declared senders' mailboxes) and
  ``spf-covers-connectors`` (the SPF record each ``o365relay:dns:MailDomain`` actually publishes).
- **Resource policies on the typed dynamic resources**, for the rules no waiver may cover, so they can
  never contradict the spec's waivers: ``exchange:InboundConnector`` (no-open-relay, connector-tls),
  ``exchange:PartnerConnector`` (partner-restricted: pinned to the partner's IPs or certificate),
  ``exchange:OutboundConnector`` (no-unvalidated-smart-host-for-all; ``outbound-tls-validated`` may be
  waived, so it is a stack policy only),
  ``exchange:OrgSmtpAuth`` (org-smtp-auth-off), ``exchange:DkimSigningConfig`` (dkim-2048). They judge
  the inputs each resource is about to be created with, whoever declared it. ``exchange:RejectDirectSend``
  has no resource policy: ``reject-direct-send`` may be waived, and only the stack policy sees waivers.

Enforcement: the stack config ``o365-relay:enforcement`` (mandatory/advisory, default advisory) is the
pack's default, except for gates (``switch-enforce-evidence``: a rollout at enforce without clean
evidence), which are mandatory; the policy-pack config overrides it per policy, e.g.
``{"dmarc-enforced": "advisory"}`` or ``{"oauth-strong-credential": {"maxSecretDays": 90}}``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from functools import lru_cache
from typing import Any

import pulumi.runtime
from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from o365relay.errors import SpecError
from o365relay.kinds.inbound_connector import INBOUND_CONNECTOR
from o365relay.kinds.outbound_connector import OUTBOUND_CONNECTOR
from o365relay.kinds.partner_connector import DERIVED, PARTNER_CONNECTOR
from o365relay.rules import RULES, Finding, LintOptions, Rule, lint
from o365relay.rules.base import DEFAULT_MAX_SECRET_DAYS, Violation
from o365relay.rules.connectors import open_relay_violations, tls_violations
from o365relay.rules.dns import dkim_violations
from o365relay.rules.outbound import unvalidated_smart_host_violations
from o365relay.rules.partners import open_door_violations
from o365relay.rules.smtp_auth import org_smtp_auth_violations
from o365relay.rules.spf import uncovered_ips
from o365relay.spec.loader import spec_from_document
from o365relay.spec.model import (
    Connector,
    Dkim,
    OutboundConnector,
    PartnerConnector,
    RelaySpec,
    SpecPath,
    format_path,
)

PACK_NAME = "o365-relay"
STACK_TYPE = "o365relay:index:RelayStack"
MAIL_DOMAIN_TYPE = "o365relay:dns:MailDomain"
DYNAMIC = "pulumi-python:dynamic/"
ENFORCEMENT_KEY = "o365-relay:enforcement"
SPEC_VALID = "spec-valid"
SEVERITY = {s.value: s for s in Severity}
SECRET_DAYS_SCHEMA = PolicyConfigSchema({"maxSecretDays": {
    "type": "integer", "minimum": 1, "default": DEFAULT_MAX_SECRET_DAYS,
    "description": "Longest client-secret lifetime an OAuth sender may declare, in days"}})


def stack_enforcement() -> EnforcementLevel:
    """The pack's default level: the stack config ``o365-relay:enforcement`` (advisory when unset)."""
    value = pulumi.runtime.get_config(ENFORCEMENT_KEY) or "advisory"
    if value not in ("mandatory", "advisory"):
        raise ValueError(f"{ENFORCEMENT_KEY} is {value!r}; use mandatory or advisory")
    return EnforcementLevel(value)


def plain(value: Any) -> Any:
    """A policy prop as plain JSON data: proxies to dicts/lists, integral floats (protobuf) back to ints."""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, Sequence) and not isinstance(value, str):
        return [plain(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# ----------------------------------------------------------------------------------------- stack


def relay_stack(resources: Iterable[PolicyResource]) -> PolicyResource | None:
    return next((r for r in resources if r.resource_type == STACK_TYPE), None)


@lru_cache(maxsize=8)
def _spec(document: str) -> RelaySpec:
    return spec_from_document(json.loads(document), source="RelayStack.spec")


@lru_cache(maxsize=32)
def _lint(document: str, max_secret_days: int) -> tuple[Finding, ...]:
    return tuple(lint(_spec(document), LintOptions(max_secret_days=max_secret_days)))


def stack_spec(args: StackValidationArgs) -> tuple[str, str, RelaySpec] | None:
    """The RelayStack's URN, its spec document (canonical JSON) and model; None without a RelayStack."""
    stack = relay_stack(args.resources)
    if stack is None:
        return None
    document = json.dumps(plain(stack.props["spec"]), sort_keys=True)
    return stack.urn, document, _spec(document)


def violation_text(path: SpecPath, message: str) -> str:
    return f"{format_path(path)}: {message}"


StackCheck = Callable[[StackValidationArgs, ReportViolation], None]
ResourceCheck = Callable[[ResourceValidationArgs, ReportViolation], None]


def _stack_validator(rule: Rule) -> StackCheck:
    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        try:
            found = stack_spec(args)
        except SpecError:
            args.not_applicable(f"the RelayStack spec is invalid (see {SPEC_VALID})")
            return
        if found is None:
            args.not_applicable(f"no {STACK_TYPE} resource in the stack")
            return
        urn, document, spec = found
        max_days = int((args.get_config() or {}).get("maxSecretDays", DEFAULT_MAX_SECRET_DAYS))
        for finding in _lint(document, max_days):
            if finding.rule == rule.id and finding.waiver is None:
                report_violation(violation_text(finding.path, finding.message), urn)
        against_spec = RESOURCE_CHECKS.get(rule.id)
        for resource_urn, message in against_spec(spec, args.resources) if against_spec else ():
            report_violation(message, resource_urn)

    return validate


def _of_type(resources: Iterable[PolicyResource], kind: str) -> Iterator[PolicyResource]:
    return (r for r in resources if r.resource_type == DYNAMIC + kind)


def send_as_resources(spec: RelaySpec, resources: list[PolicyResource]) -> Iterator[tuple[str, str]]:
    declared = {(g.trustee, g.mailbox.lower()) for g in spec.send_as}
    for r in _of_type(resources, "exchange:SendAsGrant"):
        account, mailbox = r.props.get("service_account"), str(r.props.get("mailbox", ""))
        if account not in spec.service_accounts:
            yield r.urn, f"send-as on {mailbox} goes to {account}, which the spec does not declare"
        elif (account, mailbox.lower()) not in declared:
            yield r.urn, f"send-as on {mailbox} for {account} is not among the spec's sendAs grants"


def full_access_resources(spec: RelaySpec, resources: list[PolicyResource]) -> Iterator[tuple[str, str]]:
    for r in _of_type(resources, "exchange:FullAccessGrant"):
        account, mailbox = r.props.get("service_account"), str(r.props.get("mailbox", ""))
        own = spec.service_accounts.get(str(account))
        if own is None or own.mailbox.lower() != mailbox.lower():
            yield r.urn, f"FullAccess on {mailbox} for {account}, which is not that service account's mailbox"


def smtp_auth_resources(spec: RelaySpec, resources: list[PolicyResource]) -> Iterator[tuple[str, str]]:
    senders = {a.mailbox.lower() for a in spec.service_accounts.values()}
    for r in _of_type(resources, "exchange:MailboxSmtpAuth"):
        mailbox = str(r.props.get("mailbox", ""))
        if r.props.get("enabled") and mailbox.lower() not in senders:
            yield r.urn, f"SMTP AUTH is switched on for {mailbox}, which is no declared sender's mailbox"


def published_spf_resources(spec: RelaySpec, resources: list[PolicyResource]) -> Iterator[tuple[str, str]]:
    """The SPF value each ``o365relay:dns:MailDomain`` publishes (its ``spf`` output) must authorise the
    IPs of the connectors sending for that domain: the rule checked against the program's own record."""
    for r in resources:
        if r.resource_type != MAIL_DOMAIN_TYPE or r.name not in spec.domains:
            continue
        record = str(r.props.get("spf") or "")
        for connector in spec.connectors_sending_for(r.name):
            for ip in uncovered_ips(record, connector.sender_ips):
                yield r.urn, (f"the published SPF of {r.name} ({record}) does not authorise {ip} of "
                              f"connector {connector.name}")


RESOURCE_CHECKS = {
    "spf-covers-connectors": published_spf_resources,
    "send-as-declared-trustee": send_as_resources,
    "full-access-own-mailbox": full_access_resources,
    "org-smtp-auth-off": smtp_auth_resources,
}


def validate_spec(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    stack = relay_stack(args.resources)
    if stack is None:
        args.not_applicable(f"no {STACK_TYPE} resource in the stack")
        return
    try:
        stack_spec(args)
    except SpecError as error:
        for problem in error.problems:
            report_violation(f"{problem.path}: {problem.message}", stack.urn)


def stack_policies() -> list[StackValidationPolicy]:
    policies = [StackValidationPolicy(
        name=SPEC_VALID, description="The RelayStack's spec passes the same validation as relayctl validate.",
        validate=validate_spec, enforcement_level=EnforcementLevel.MANDATORY, severity=Severity.HIGH)]
    for rule in RULES.values():
        policies.append(StackValidationPolicy(
            name=rule.id,
            description=rule.rationale,
            validate=_stack_validator(rule),
            **({"enforcement_level": EnforcementLevel.ADVISORY} if rule.advisory_only else {}),
            **({"enforcement_level": EnforcementLevel.MANDATORY} if rule.gate else {}),
            config_schema=SECRET_DAYS_SCHEMA if rule.id == "oauth-strong-credential" else None,
            severity=SEVERITY[rule.severity],
            tags=list(rule.baselines),
            remediation_steps=rule.fix,
        ))
    return policies


# -------------------------------------------------------------------------------------- resources


def inbound_connector_violations(props: Mapping[str, Any]) -> list[Violation]:
    connector = Connector(**{"name": "", **INBOUND_CONNECTOR.spec_values(props)})
    path = ("connectors", connector.name)
    return [*open_relay_violations(connector, path), *tls_violations(connector, path)]


def partner_connector_violations(props: Mapping[str, Any]) -> list[Violation]:
    """An open door judged on what the resource asks of Exchange: an IP list or certificate counts only
    with its restriction on (the spec derives both; a resource declared by hand may not)."""
    values = PARTNER_CONNECTOR.spec_values(props)
    pinned = {"sender_ips": values.get("sender_ips", ()) if values.get("restricted_to_ips") else (),
              "certificate_name": values.get("certificate_name") if values.get("restricted_to_certificate") else None}
    kept = {k: v for k, v in values.items() if k not in DERIVED}
    connector = PartnerConnector(**{"name": "", "sender_domains": (), **kept, **pinned})
    return list(open_door_violations(connector, ("connectors", connector.name)))


def outbound_connector_violations(props: Mapping[str, Any]) -> list[Violation]:
    connector = OutboundConnector(**{"name": "", **OUTBOUND_CONNECTOR.spec_values(props)})
    return list(unvalidated_smart_host_violations(connector, ("connectors", connector.name)))


def org_smtp_auth_resource_violations(props: Mapping[str, Any]) -> list[Violation]:
    return list(org_smtp_auth_violations("enabled" if props.get("enabled") else "disabled"))


def dkim_signing_violations(props: Mapping[str, Any]) -> list[Violation]:
    domain = str(props.get("domain", ""))
    dkim = Dkim(enabled=bool(props.get("enabled", True)), key_size=int(props.get("key_size", 2048)))
    return list(dkim_violations(domain, dkim, ("domains", domain, "dkim")))


RESOURCE_POLICIES = {
    # policy name: (resource kind, rules it enforces, check over the resource's inputs)
    "exchange-inbound-connector": ("exchange:InboundConnector", ("no-open-relay", "connector-tls"),
                                   inbound_connector_violations),
    "exchange-partner-connector": ("exchange:PartnerConnector", ("partner-restricted",),
                                   partner_connector_violations),
    "exchange-outbound-connector": ("exchange:OutboundConnector", ("no-unvalidated-smart-host-for-all",),
                                    outbound_connector_violations),
    "exchange-org-smtp-auth": ("exchange:OrgSmtpAuth", ("org-smtp-auth-off",),
                               org_smtp_auth_resource_violations),
    "exchange-dkim-signing-config": ("exchange:DkimSigningConfig", ("dkim-2048",), dkim_signing_violations),
}


def _resource_validator(kind: str, check: Callable[[Mapping[str, Any]], list[Violation]]) -> ResourceCheck:
    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        if args.resource_type != DYNAMIC + kind:
            return
        for violation in check(plain(args.props)):
            report_violation(violation.message, None)

    return validate


def resource_policies() -> list[ResourceValidationPolicy]:
    policies = []
    for name, (kind, rule_ids, check) in RESOURCE_POLICIES.items():
        rules = [RULES[r] for r in rule_ids]
        assert not any(r.waivable for r in rules), "a resource policy cannot see the spec's waivers"
        policies.append(ResourceValidationPolicy(
            name=name,
            description=" ".join(r.rationale for r in rules),
            validate=_resource_validator(kind, check),
            severity=max((SEVERITY[r.severity] for r in rules), key=list(SEVERITY.values()).index),
            tags=sorted({b for r in rules for b in r.baselines}),
            remediation_steps=" ".join(r.fix for r in rules),
        ))
    return policies


def all_policies() -> list[StackValidationPolicy | ResourceValidationPolicy]:
    return [*resource_policies(), *stack_policies()]
