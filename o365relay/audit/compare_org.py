"""Organisation settings, domains and DKIM signing configs against the spec."""

from __future__ import annotations

from o365relay import exchange_values as xv
from o365relay.audit.common import compared, find_row, public, unknown_item
from o365relay.audit.model import Item, Status
from o365relay.audit.snapshot import Snapshot
from o365relay.spec.model import RelaySpec


def compare_org(spec: RelaySpec, snap: Snapshot) -> list[Item]:
    items = []
    name, field = "SMTP AUTH (organisation)", "SmtpClientAuthenticationDisabled"
    items.append(
        unknown_item("org_setting", name, [snap.transport_config], "spec.tenant.smtpAuth")
        or compared("org_setting", name, {field: spec.tenant.smtp_auth == "disabled"},
                    {field: xv.boolean((snap.transport_config.value or {}).get(field))},
                    public(snap.transport_config.value, field), "spec.tenant.smtpAuth"))
    name, field = "Reject direct send", "RejectDirectSend"
    items.append(
        unknown_item("org_setting", name, [snap.organization_config], "spec.tenant.rejectDirectSend")
        or compared("org_setting", name, {field: spec.tenant.reject_direct_send},
                    {field: bool(xv.boolean((snap.organization_config.value or {}).get(field)))},
                    public(snap.organization_config.value, field), "spec.tenant.rejectDirectSend"))
    return items


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
