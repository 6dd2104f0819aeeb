"""Organisation settings, domains and DKIM signing configs against the spec."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from o365relay import exchange_values as xv
from o365relay.audit.common import compared, find_row, public, unknown_item
from o365relay.audit.model import Item, Status
from o365relay.audit.snapshot import Read, Snapshot
from o365relay.smtpauth.judge import rollout_summary
from o365relay.spec.model import RelaySpec, Switch


def compare_org(spec: RelaySpec, snap: Snapshot) -> list[Item]:
    transport = (snap.transport_config.value or {}).get("SmtpClientAuthenticationDisabled")
    direct = (snap.organization_config.value or {}).get("RejectDirectSend")
    return [
        _switch(spec, "smtpAuth", "SMTP AUTH (organisation)", "SmtpClientAuthenticationDisabled",
                spec.tenant.smtp_auth != "enabled", xv.boolean(transport), snap.transport_config),
        _switch(spec, "rejectDirectSend", "Reject direct send", "RejectDirectSend",
                bool(spec.tenant.reject_direct_send), bool(xv.boolean(direct)), snap.organization_config),
    ]


def _switch(spec: RelaySpec, switch: Switch, name: str, field: str, desired: object, actual: object,
            read: Read[Any]) -> Item:
    """A tenant-wide switch: compared when the stack sets it; while its rollout observes, reported as
    left alone (in sync), with what enforcing would break."""
    path = f"spec.tenant.{switch}"
    failed = unknown_item("org_setting", name, [read], path)
    if failed:
        return failed
    item = compared("org_setting", name, {field: desired if spec.tenant.enforced(switch) else actual},
                    {field: actual}, public(read.value, field), path)
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
        row = find_row(snap.dkim_configs.value or [], lambda r: [r.get("Domain"), r.get("Identity")], name)
        if row is None:
            status: Status = "missing" if domain.dkim.enabled else "in_sync"
            items.append(Item("dkim", name, status, reason="no DKIM signing config" if status == "missing" else "",
                              spec_path=path))
            continue
        desired: dict[str, object] = {"Enabled": domain.dkim.enabled}
        actual: dict[str, object] = {"Enabled": xv.boolean(row.get("Enabled"))}
        if domain.dkim.enabled:
            for selector in ("Selector1KeySize", "Selector2KeySize"):
                desired[selector] = domain.dkim.key_size
                actual[selector] = row.get(selector)
        evidence = public(row, "Domain", "Enabled", "Status", "Selector1KeySize", "Selector2KeySize",
                          "Selector1CNAME", "Selector2CNAME")
        items.append(compared("dkim", name, desired, actual, evidence, path))
    return items


__all__ = ["compare_dkim", "compare_domains", "compare_org"]
