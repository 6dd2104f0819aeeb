"""Offline end-to-end: the example stack, rendered with Pulumi's mock runtime, applied resource by
resource in dependency order through the real provider host against the sandbox; then the spec
changes (a Send As grant removed, a connector IP added) and the same walk converges.

azuread resources are simulated through GraphClient against the sandbox's Graph (see walk.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pulumi_mocks as pm
import pytest
from provider_support import Tenant

from components import program
from components.offline.dns import CnameServer
from components.offline.host import DynamicHost
from components.offline.walk import apply
from o365relay.sandbox.runner import Sandbox

pytestmark = pytest.mark.slow

DOMAINS = ("contoso.com", "notify.contoso.com")


@pytest.fixture
def dns_team(tenant: Tenant) -> Iterator[CnameServer]:
    """DNS where the DNS team has published the DKIM CNAMEs from the zone snippet (the tenant's values)."""
    server = CnameServer()
    for domain in DOMAINS:
        config = tenant.exchange("Get-DkimSigningConfig", {"Identity": domain})[0]
        records = {f"selector{i}._domainkey.{domain}": config[f"Selector{i}CNAME"] for i in (1, 2)}
        server.records.update(records)
        tenant.publish_dns(records)
    yield server
    server.close()


def snapshot(tenant: Tenant) -> dict[str, object]:
    """What the tenant holds of everything a relay spec can declare."""
    sps = {sp["Identity"]: sp["DisplayName"] for sp in tenant.exchange("Get-ServicePrincipal")}
    mailboxes = [m["UserPrincipalName"] for m in tenant.exchange("Get-Mailbox")]
    full_access = sorted((m, sps[r["User"]]) for m in mailboxes
                         for r in tenant.exchange("Get-MailboxPermission", {"Identity": m}) if r["User"] in sps)
    send_as = sorted((m, sps.get(r["Trustee"], r["Trustee"])) for m in mailboxes
                     for r in tenant.exchange("Get-RecipientPermission", {"Identity": m}))
    return {
        "connectors": {c["Name"]: (sorted(c["SenderIPAddresses"]), c["SenderDomains"], c["ConnectorType"],
                                   c["RequireTls"], c["Enabled"])
                       for c in tenant.exchange("Get-InboundConnector")},
        "exchange_sps": sorted(sps.values()),
        "full_access": full_access,
        "send_as": send_as,
        "smtp_auth_enabled": sorted(c["UserPrincipalName"] if "UserPrincipalName" in c else c["Identity"]
                                    for c in tenant.exchange("Get-CASMailbox")
                                    if c["SmtpClientAuthenticationDisabled"] is False),
        "org_smtp_auth_disabled": tenant.exchange("Get-TransportConfig")[0]["SmtpClientAuthenticationDisabled"],
        "reject_direct_send": tenant.exchange("Get-OrganizationConfig")[0]["RejectDirectSend"],
        "dkim": {d: tenant.exchange("Get-DkimSigningConfig", {"Identity": d})[0]["Enabled"] for d in DOMAINS},
    }


def test_apply_then_converge(sandbox_env: Sandbox, tenant: Tenant, dns_team: CnameServer, tmp_path: Path) -> None:
    spec = pm.write_project(tmp_path)
    config = pm.stack_config(spec)
    host_config = {"o365-relay:tenantId": sandbox_env.tenant_id, "o365-relay:nameserver": dns_team.address}
    with DynamicHost(config=host_config, env=sandbox_env.env()) as host:
        first = apply(program.run, config, host, tenant.graph)
        assert {op for op, _ in first.operations} == {"create"}
        declared = {
            "connectors": {"dc1-relay": (["198.51.100.25", "203.0.113.0/28"], ["smtp:*;1"], "OnPremises",
                                         True, True)},
            "exchange_sps": ["o365-relay erp-mailer", "o365-relay monitoring-alerts"],
            "full_access": [("alerts@notify.contoso.com", "o365-relay monitoring-alerts"),
                            ("erp@contoso.com", "o365-relay erp-mailer")],
            "send_as": [("invoices@contoso.com", "o365-relay erp-mailer"),
                        ("noc@notify.contoso.com", "o365-relay monitoring-alerts"),
                        ("oncall@notify.contoso.com", "o365-relay monitoring-alerts"),
                        ("purchasing@contoso.com", "o365-relay erp-mailer")],
            "org_smtp_auth_disabled": True,
            "reject_direct_send": True,
            "dkim": {"contoso.com": True, "notify.contoso.com": True},
        }
        state = snapshot(tenant)
        enabled = state.pop("smtp_auth_enabled")
        assert state == declared
        assert {m.split("@")[0] for m in enabled} == {"erp", "alerts", "scanner3"}

        # the same spec again: nothing to do (every diff is DIFF_NONE)
        again = apply(program.run, config, host, tenant.graph, first)
        assert again.changes() == []

        # the spec changes: a grant removed, an IP added
        text = spec.read_text().replace("  - {trustee: erp-mailer, mailbox: purchasing@contoso.com}\n", "")
        text = text.replace("senderIPs: [203.0.113.0/28, 198.51.100.25]",
                            "senderIPs: [203.0.113.0/28, 198.51.100.25, 192.0.2.10]")
        spec.write_text(text)
        changed = apply(program.run, config, host, tenant.graph, again)
        assert sorted(changed.changes()) == [("delete", "erp-mailer-sendas-purchasing@contoso.com"),
                                             ("update", "dc1-relay-connector")]
        declared["connectors"]["dc1-relay"] = (["192.0.2.10", "198.51.100.25", "203.0.113.0/28"],
                                               ["smtp:*;1"], "OnPremises", True, True)
        declared["send_as"].remove(("purchasing@contoso.com", "o365-relay erp-mailer"))
        state = snapshot(tenant)
        state.pop("smtp_auth_enabled")
        assert state == declared
        assert apply(program.run, config, host, tenant.graph, changed).changes() == []
