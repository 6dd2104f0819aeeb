"""The organisation switches, the domains and their DKIM signing configs as the audit reports them: the
exact items (status, desired and actual, evidence, reason, spec path) from hand-built tenant reads shaped
like Exchange's and Graph's answers."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from audit_helpers import snapshot

from o365relay.audit.compare_org import compare_dkim, compare_domains, compare_org
from o365relay.audit.model import FieldDiff, Item
from o365relay.audit.snapshot import Read
from o365relay.spec.model import Dkim, Domain, Evidence, RelaySpec, Rollout, Tenant

TENANT = Tenant("7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a", "contoso.onmicrosoft.com")
SPEC = RelaySpec(version=1, tenant=TENANT, domains={"contoso.com": Domain("contoso.com"),
                                                    "fabrikam.com": Domain("fabrikam.com", dkim=Dkim(key_size=1024))})
AUTH = "SmtpClientAuthenticationDisabled"
TRANSPORT_OFF = Read("Get-TransportConfig", {AUTH: True, "MaxSendSize": "35 MB", "@odata.type": "#Exchange"})
REJECTING = Read("Get-OrganizationConfig", {"RejectDirectSend": True, "Name": "contoso"})


def org(spec: RelaySpec = SPEC, transport: Read = TRANSPORT_OFF, organization: Read = REJECTING) -> list[Item]:
    return compare_org(spec, snapshot(transport_config=transport, organization_config=organization))


def test_switches_as_declared_are_in_sync_with_only_their_own_field_as_evidence():
    assert org() == [
        Item("org_setting", "SMTP AUTH (organisation)", "in_sync", evidence={AUTH: True},
             spec_path="spec.tenant.smtpAuth", fields=(FieldDiff(AUTH, True, True),)),
        Item("org_setting", "Reject direct send", "in_sync", evidence={"RejectDirectSend": True},
             spec_path="spec.tenant.rejectDirectSend", fields=(FieldDiff("RejectDirectSend", True, True),)),
    ]


def test_switches_the_tenant_has_the_other_way_are_drift_desired_to_actual():
    spec = replace(SPEC, tenant=replace(TENANT, smtp_auth="enabled"))
    smtp, reject = org(spec, organization=Read("Get-OrganizationConfig", {"RejectDirectSend": False}))
    assert (smtp.status, smtp.diffs) == ("drift", (FieldDiff(AUTH, False, True),))
    assert (reject.status, reject.diffs) == ("drift", (FieldDiff("RejectDirectSend", True, False),))
    assert reject.evidence == {"RejectDirectSend": False}


def test_direct_send_left_allowed_matches_a_tenant_that_never_set_it():
    """A tenant row without RejectDirectSend (never set) reads as off, which is what the spec asks."""
    spec = replace(SPEC, tenant=replace(TENANT, reject_direct_send=False))
    _, reject = org(spec, organization=Read("Get-OrganizationConfig", None))
    assert (reject.status, reject.fields, reject.evidence) == (
        "in_sync", (FieldDiff("RejectDirectSend", False, False),), {})


def test_smtp_auth_unset_in_the_tenant_is_drift_against_disabled():
    smtp, _ = org(transport=Read("Get-TransportConfig", None))
    assert (smtp.status, smtp.diffs, smtp.evidence) == ("drift", (FieldDiff(AUTH, True, None),), {})


def test_a_failed_read_makes_only_its_own_switch_unknown():
    failed = Read("Get-TransportConfig", error="403 Forbidden")
    smtp, reject = org(transport=failed)
    assert smtp == Item("org_setting", "SMTP AUTH (organisation)", "unknown",
                        reason="Get-TransportConfig: 403 Forbidden", spec_path="spec.tenant.smtpAuth")
    assert reject.status == "in_sync"
    smtp, reject = org(organization=Read("Get-OrganizationConfig", error="throttled"))
    assert smtp.status == "in_sync"
    assert (reject.status, reject.reason) == ("unknown", "Get-OrganizationConfig: throttled")


def test_a_switch_whose_rollout_observes_is_left_alone_and_says_what_enforcing_would_break():
    """While a rollout observes, the tenant's value is what the stack wants (in sync either way); the reason
    says so, with the evidence's own gaps (here: read too long ago, counted from today)."""
    end = datetime.now(UTC) - timedelta(days=20)
    evidence = Evidence(TENANT.id, end - timedelta(days=14), end, "read")
    spec = replace(SPEC, tenant=replace(TENANT, smtp_auth=Rollout("observe"), evidence=evidence))
    smtp, reject = org(spec, transport=Read("Get-TransportConfig", {AUTH: False}))
    assert (smtp.status, smtp.fields) == ("in_sync", (FieldDiff(AUTH, False, False),))
    window = f"{evidence.start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} UTC"
    age = (date.today() - end.date()).days
    assert smtp.reason == (f"rollout observe: left as the tenant has it; evidence shows no undeclared sender (evidence "
                           f"{window}); the evidence ends {end:%Y-%m-%d}, {age} days ago (at most 7): read it again")
    assert reject.reason == ""  # no rollout on direct send


def test_a_rollout_at_enforce_compares_the_tenant_with_the_safe_value():
    spec = replace(SPEC, tenant=replace(TENANT, reject_direct_send=Rollout("enforce")))
    _, reject = org(spec, organization=Read("Get-OrganizationConfig", {"RejectDirectSend": False}))
    assert (reject.status, reject.diffs) == ("drift", (FieldDiff("RejectDirectSend", True, False),))
    assert reject.reason.startswith("rollout enforce: set by the stack; no evidence")


DOMAIN_ROWS = [{"id": "Contoso.com", "isVerified": True, "supportedServices": ["Email"],
                "authenticationType": "Managed"},
               {"id": "fabrikam.com", "isVerified": False, "supportedServices": []}]


def test_domains_are_matched_by_name_in_any_case_and_must_be_verified():
    assert compare_domains(SPEC, snapshot(domains=Read("GET /domains", DOMAIN_ROWS))) == [
        Item("domain", "contoso.com", "in_sync", spec_path="spec.domains.contoso.com",
             evidence={"id": "Contoso.com", "isVerified": True, "supportedServices": ["Email"]},
             fields=(FieldDiff("isVerified", True, True),)),
        Item("domain", "fabrikam.com", "drift", (FieldDiff("isVerified", True, False),),
             evidence={"id": "fabrikam.com", "isVerified": False, "supportedServices": []},
             spec_path="spec.domains.fabrikam.com", fields=(FieldDiff("isVerified", True, False),)),
    ]


def test_a_domain_the_tenant_lacks_is_missing_and_a_failed_read_makes_every_domain_unknown():
    assert compare_domains(SPEC, snapshot(domains=Read("GET /domains", DOMAIN_ROWS[:1])))[1] == Item(
        "domain", "fabrikam.com", "missing", reason="not a domain of the tenant", spec_path="spec.domains.fabrikam.com")
    assert [i.status for i in compare_domains(SPEC, snapshot(domains=Read("GET /domains", None)))] == ["missing"] * 2
    failed = compare_domains(SPEC, snapshot(domains=Read("GET /domains", error="Insufficient privileges")))
    assert [(i.kind, i.name, i.status, i.reason, i.spec_path) for i in failed] == [
        ("domain", "contoso.com", "unknown", "GET /domains: Insufficient privileges", "spec.domains.contoso.com"),
        ("domain", "fabrikam.com", "unknown", "GET /domains: Insufficient privileges", "spec.domains.fabrikam.com")]


def dkim_row(domain: str, size: int, enabled: bool = True, **extra: object) -> dict:
    return {"Domain": domain, "Enabled": enabled, "Status": "Valid", "Selector1KeySize": size, "Selector2KeySize": size,
            "Selector1CNAME": f"selector1-{domain}", "Selector2CNAME": f"selector2-{domain}", "Guid": "x", **extra}


def test_dkim_configs_compare_signing_and_both_selectors_key_sizes():
    rows = [dkim_row("contoso.com", 2048), {**dkim_row("Fabrikam.com", 1024), "Selector2KeySize": 2048}]
    contoso, fabrikam = compare_dkim(SPEC, snapshot(dkim_configs=Read("Get-DkimSigningConfig", rows)))
    assert contoso == Item(
        "dkim", "contoso.com", "in_sync", evidence={k: v for k, v in rows[0].items() if k != "Guid"},
        spec_path="spec.domains.contoso.com.dkim",
        fields=(FieldDiff("Enabled", True, True), FieldDiff("Selector1KeySize", 2048, 2048),
                FieldDiff("Selector2KeySize", 2048, 2048)))
    assert (fabrikam.status, fabrikam.diffs) == ("drift", (FieldDiff("Selector2KeySize", 1024, 2048),))


def test_a_dkim_config_is_found_by_its_identity_when_the_row_has_no_domain():
    row = {"Identity": "contoso.com", "Enabled": False, "Selector1KeySize": 2048, "Selector2KeySize": 2048}
    [contoso] = compare_dkim(replace(SPEC, domains={"contoso.com": Domain("contoso.com")}),
                             snapshot(dkim_configs=Read("Get-DkimSigningConfig", [row])))
    assert (contoso.status, contoso.diffs) == ("drift", (FieldDiff("Enabled", True, False),))


def test_signing_declared_off_compares_only_that_it_is_off():
    spec = replace(SPEC, domains={"contoso.com": Domain("contoso.com", dkim=Dkim(enabled=False))})
    rows = [dkim_row("contoso.com", 1024, enabled=False)]
    [contoso] = compare_dkim(spec, snapshot(dkim_configs=Read("Get-DkimSigningConfig", rows)))
    assert (contoso.status, contoso.fields) == ("in_sync", (FieldDiff("Enabled", False, False),))
    [absent] = compare_dkim(spec, snapshot(dkim_configs=Read("Get-DkimSigningConfig", None)))
    assert absent == Item("dkim", "contoso.com", "in_sync", spec_path="spec.domains.contoso.com.dkim")


def test_a_signing_domain_without_a_config_is_missing_and_a_failed_read_unknown():
    rows = [dkim_row("fabrikam.com", 1024)]
    contoso, fabrikam = compare_dkim(SPEC, snapshot(dkim_configs=Read("Get-DkimSigningConfig", rows)))
    assert contoso == Item("dkim", "contoso.com", "missing", reason="no DKIM signing config",
                           spec_path="spec.domains.contoso.com.dkim")
    assert fabrikam.status == "in_sync"
    failed = compare_dkim(SPEC, snapshot(dkim_configs=Read("Get-DkimSigningConfig", error="503")))
    assert [(i.kind, i.name, i.status, i.reason, i.spec_path) for i in failed] == [
        ("dkim", "contoso.com", "unknown", "Get-DkimSigningConfig: 503", "spec.domains.contoso.com.dkim"),
        ("dkim", "fabrikam.com", "unknown", "Get-DkimSigningConfig: 503", "spec.domains.fabrikam.com.dkim")]
