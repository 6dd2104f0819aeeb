"""Organisation settings, domains and DKIM signing configs against the spec."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from o365relay.audit.common import compared, find_row, public, unknown_item
from o365relay.audit.model import Item, Status
from o365relay.audit.snapshot import Read, Snapshot
from o365relay.kinds.dkim import DKIM, SIZES, TARGETS
from o365relay.kinds.switches import ORG_SMTP_AUTH, REJECT_DIRECT_SEND, Switch
from o365relay.smtpauth.judge import rollout_summary
from o365relay.spec.model import RelaySpec
from o365relay.spec.model import Switch as SpecSwitch


def compare_org(spec: RelaySpec, snap: Snapshot) -> list[Item]:
    transport, org = snap.transport_config.value or {}, snap.organization_config.value or {}
    return [
        _switch(spec, "smtpAuth", "SMTP AUTH (organisation)", ORG_SMTP_AUTH, spec.tenant.smtp_auth == "enabled",
                ORG_SMTP_AUTH.flag(transport), snap.transport_config),
        _switch(spec, "rejectDirectSend", "Reject direct send", REJECT_DIRECT_SEND,
                bool(spec.tenant.reject_direct_send), bool(REJECT_DIRECT_SEND.flag(org)), snap.organization_config),
    ]


def _switch(spec: RelaySpec, switch: SpecSwitch, name: str, kind: Switch, on: bool, actual: object,
            read: Read[Any]) -> Item:
    """A tenant-wide switch, compared as the tenant's parameter: compared when the stack sets it; while its
    rollout observes, reported as left alone (in sync), with what enforcing would break."""
    path = f"spec.tenant.{switch}"
    failed = unknown_item("org_setting", name, [read], path)
    if failed:
        return failed
    field = kind.parameter("enabled")
    desired = kind.setting(on)[field]
    item = compared("org_setting", name, {field: desired if spec.tenant.enforced(switch) else actual},
                    {field: actual}, public(read.value, *kind.evidence()), path)
    return replace(item, reason=rollout_summary(spec, switch, date.today()))


def compare_domains(spec: RelaySpec, snap: Snapshot) -> list[Item]:
    items = []
    for name in spec.domains:
        path = f"spec.domains.{name}"
        failed = unknown_item("domain", name, [snap.domains], path)
        if failed:
            items.append(failed)
            continue
        row = find_row(snap.domains.value or [], lambda r: [r.get("id")], name)
        if row is None:
            items.append(Item("domain", name, "missing", reason="not a domain of the tenant", spec_path=path))
        else:
            items.append(compared("domain", name, {"isVerified": True}, {"isVerified": row.get("isVerified")},
                                  public(row, "id", "isVerified", "supportedServices"), path))
    return items


def compare_dkim(spec: RelaySpec, snap: Snapshot) -> list[Item]:
    items = []
    for name, domain in spec.domains.items():
        path = f"spec.domains.{name}.dkim"
        failed = unknown_item("dkim", name, [snap.dkim_configs], path)
        if failed:
            items.append(failed)
            continue
        row = find_row(snap.dkim_configs.value or [], DKIM.domain_of, name)
        if row is None:
            status: Status = "missing" if domain.dkim.enabled else "in_sync"
            items.append(Item("dkim", name, status, reason="no DKIM signing config" if status == "missing" else "",
                              spec_path=path))
            continue
        enabled = DKIM.parameter("enabled")
        desired: dict[str, object] = {enabled: domain.dkim.enabled}
        actual: dict[str, object] = {enabled: DKIM.value(row, "enabled")}
        if domain.dkim.enabled:
            desired |= DKIM.selector_sizes(domain.dkim.key_size)
            actual |= DKIM.actual_sizes(row)
        evidence = public(row, DKIM.parameter("domain"), enabled, "Status", *SIZES, *TARGETS)
        items.append(compared("dkim", name, desired, actual, evidence, path))
    return items


__all__ = ["compare_dkim", "compare_domains", "compare_org"]
