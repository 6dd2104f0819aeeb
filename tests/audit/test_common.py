"""The helpers every comparison uses: an item's verdict from desired and actual fields, and the unknown item
that names every failed read an object depends on."""

from __future__ import annotations

from o365relay.audit.common import compared, unknown_item
from o365relay.audit.model import FieldDiff, Item
from o365relay.audit.snapshot import Read

EVIDENCE = {"id": "contoso.com", "isVerified": False}


def test_a_differing_field_is_drift_and_every_compared_field_is_kept():
    item = compared("domain", "contoso.com", {"isVerified": True, "supportedServices": ["Email"]},
                    {"supportedServices": ["Email"], "isVerified": False}, EVIDENCE, "spec.domains.contoso.com")
    assert item == Item("domain", "contoso.com", "drift", (FieldDiff("isVerified", True, False),),
                        evidence=EVIDENCE, spec_path="spec.domains.contoso.com",
                        fields=(FieldDiff("isVerified", True, False),
                                FieldDiff("supportedServices", ["Email"], ["Email"])))


def test_equal_fields_are_in_sync_and_a_field_the_tenant_lacks_compares_as_none():
    assert compared("dkim", "contoso.com", {"Enabled": False}, {}, {}, "spec.domains.contoso.com.dkim") == Item(
        "dkim", "contoso.com", "drift", (FieldDiff("Enabled", False, None),), spec_path="spec.domains.contoso.com.dkim",
        fields=(FieldDiff("Enabled", False, None),))
    assert compared("dkim", "contoso.com", {"Enabled": True}, {"Enabled": True}, EVIDENCE, "p") == Item(
        "dkim", "contoso.com", "in_sync", evidence=EVIDENCE, spec_path="p", fields=(FieldDiff("Enabled", True, True),))


def test_unknown_names_each_failed_read_once_and_nothing_when_all_succeeded():
    cas = Read("Get-CASMailbox", error="Throttled: still 429 after 6 attempts")
    grants = Read("Get-RecipientPermission", error="503 Service Unavailable")
    ok = Read("Get-ServicePrincipal", [])
    assert unknown_item("send_as", "scanner on shared@contoso.com", [ok, cas, grants, cas]) == Item(
        "send_as", "scanner on shared@contoso.com", "unknown",
        reason="Get-CASMailbox: Throttled: still 429 after 6 attempts; "
               "Get-RecipientPermission: 503 Service Unavailable")
    assert unknown_item("send_as", "x", [cas], "spec.sendAs[0]") == Item(
        "send_as", "x", "unknown", reason="Get-CASMailbox: Throttled: still 429 after 6 attempts",
        spec_path="spec.sendAs[0]")
    assert unknown_item("send_as", "x", [ok, ok], "spec.sendAs[0]") is None
