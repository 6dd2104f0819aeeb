"""exchange:SendAsGrant and exchange:FullAccessGrant through the real provider host against the sandbox."""

from __future__ import annotations

from typing import Any

import pytest
from dynamic_host import DynamicHost
from provider_support import Driven, Served, Tenant

from components.providers.full_access import FullAccessGrantProvider
from components.providers.send_as import SendAsGrantProvider
from o365relay.sandbox import store as st
from o365relay.sandbox.faults import FaultPlan

KINDS = {
    "send-as": (SendAsGrantProvider, "pulumi-python:dynamic/exchange:SendAsGrant", "trustee",
                "Get-RecipientPermission", "Add-RecipientPermission", "SendAs"),
    "full-access": (FullAccessGrantProvider, "pulumi-python:dynamic/exchange:FullAccessGrant", "user",
                    "Get-MailboxPermission", "Add-MailboxPermission", "FullAccess"),
}


@pytest.fixture(params=sorted(KINDS))
def kind(request: pytest.FixtureRequest) -> tuple[Any, ...]:
    return KINDS[request.param]


def props(who_key: str, mailbox: str = "invoices@contoso.com") -> dict[str, str]:
    return {"mailbox": mailbox, who_key: "erp@contoso.com", "service_account": "erp-mailer"}


def granted(tenant: Tenant, kind: tuple[Any, ...], mailbox: str = "invoices@contoso.com") -> bool:
    _, _, who_key, getter, _, right = kind
    rows = tenant.exchange(getter, {"Identity": mailbox, ("Trustee" if who_key == "trustee" else "User"):
                                    "erp@contoso.com"})
    return any(right in r["AccessRights"] for r in rows if r.get("Trustee", r.get("User")) == "erp@contoso.com")


def test_lifecycle(host: DynamicHost, tenant: Tenant, kind: tuple[Any, ...]) -> None:
    provider, type_token, who_key, *_ = kind
    res = Driven(host, provider(), type_token, "grant")
    outs = res.create(props(who_key))
    assert granted(tenant, kind)
    assert res.id == f"invoices@contoso.com/{'SendAs' if who_key == 'trustee' else 'FullAccess'}/erp@contoso.com"
    assert res.read()[0] == res.id

    # case of an address is no change; bookkeeping changes update without touching the tenant
    assert res.diff({**props(who_key), "mailbox": "Invoices@Contoso.com"}).changes == "DIFF_NONE"
    renamed = {**props(who_key), "service_account": "erp-mailer-v2"}
    assert res.diff(renamed) == ("DIFF_SOME", [], False)
    assert res.update(renamed) == {**outs, "service_account": "erp-mailer-v2"}
    # another mailbox is another grant: replace
    d = res.diff(props(who_key, "purchasing@contoso.com"))
    assert (d.changes, d.replaces) == ("DIFF_SOME", ["mailbox"])

    res.delete()
    assert not granted(tenant, kind)
    assert res.read()[0] == ""
    res.delete()  # already gone


def grant_rows(tenant: Tenant, kind: tuple[Any, ...]) -> list[dict[str, Any]]:
    _, _, who_key, getter, _, right = kind
    rows = tenant.exchange(getter, {"Identity": "invoices@contoso.com"})
    return [r for r in rows if r.get("Trustee", r.get("User")) == "erp@contoso.com" and right in r["AccessRights"]]


def test_create_after_interrupted_create_adopts(host: DynamicHost, tenant: Tenant, served: Served,
                                                kind: tuple[Any, ...]) -> None:
    provider, type_token, who_key, getter, adder, right = kind
    tenant.exchange(adder, {"Identity": "invoices@contoso.com", ("Trustee" if who_key == "trustee" else "User"):
                            "erp@contoso.com", "AccessRights": right if who_key == "trustee" else [right]})
    before = grant_rows(tenant, kind)
    served.calls.clear()
    res = Driven(host, provider(), type_token, "grant")
    res.create(props(who_key))
    assert getter in served.calls and served.writes() == []  # looked, found it, changed nothing
    assert res.id == f"invoices@contoso.com/{right}/erp@contoso.com"
    assert len(before) == 1 and grant_rows(tenant, kind) == before


def test_check_rejects_a_non_address_mailbox(host: DynamicHost, kind: tuple[Any, ...]) -> None:
    provider, type_token, who_key, *_ = kind
    _, failures = Driven(host, provider(), type_token, "grant").check({**props(who_key), "mailbox": "invoices"})
    assert failures == [("mailbox", "mailbox: 'invoices' is not an email address")]


def test_a_grant_on_another_mailbox_is_not_adopted(host: DynamicHost, tenant: Tenant, kind: tuple[Any, ...]) -> None:
    """Exchange may answer a per-mailbox Get-* with rows for other mailboxes: only the mailbox's own
    rows count, so the provider grants on invoices@ instead of adopting the grant on purchasing@."""
    provider, type_token, who_key, _, adder, right = kind
    tenant.exchange(adder, {"Identity": "purchasing@contoso.com", ("Trustee" if who_key == "trustee" else "User"):
                            "erp@contoso.com", "AccessRights": right if who_key == "trustee" else [right]})
    tenant.sandbox.set_faults(FaultPlan(shapes=("unfiltered",)))
    res = Driven(host, provider(), type_token, "grant")
    res.create(props(who_key))
    tenant.sandbox.set_faults(None)
    assert granted(tenant, kind)


@pytest.mark.parametrize("shown", ["fullaccess, ReadPermission", ["readpermission", "FULLACCESS"]])
def test_a_grant_shown_with_other_rights_or_case_is_adopted(host: DynamicHost, tenant: Tenant, served: Served,
                                                            shown: Any) -> None:
    """Exchange shows a mailbox's rights as one flags text ("FullAccess, ReadPermission") or a list, in
    whatever case it was granted: the provider must see the grant the audit and export see, not Add- it
    again."""
    tenant.exchange("Add-MailboxPermission", {"Identity": "invoices@contoso.com", "User": "erp@contoso.com",
                                              "AccessRights": ["FullAccess"]})
    store = tenant.sandbox.store
    (row,) = [r for r in store.list(st.MAILBOX_PERMISSION) if "erp" in str(r.get("User"))]
    store.put(st.MAILBOX_PERMISSION, {**row, "AccessRights": shown})
    served.calls.clear()
    res = Driven(host, FullAccessGrantProvider(), "pulumi-python:dynamic/exchange:FullAccessGrant", "grant")
    res.create(props("user"))
    assert "Get-MailboxPermission" in served.calls and served.writes() == []


def test_send_as_shown_in_another_case_is_adopted(host: DynamicHost, tenant: Tenant, served: Served) -> None:
    tenant.exchange("Add-RecipientPermission", {"Identity": "invoices@contoso.com", "Trustee": "erp@contoso.com",
                                                "AccessRights": "SendAs"})
    store = tenant.sandbox.store
    (row,) = [r for r in store.list(st.RECIPIENT_PERMISSION) if "erp" in str(r.get("Trustee"))]
    store.put(st.RECIPIENT_PERMISSION, {**row, "AccessRights": ["sendas"]})
    served.calls.clear()
    res = Driven(host, SendAsGrantProvider(), "pulumi-python:dynamic/exchange:SendAsGrant", "grant")
    res.create(props("trustee"))
    assert "Get-RecipientPermission" in served.calls and served.writes() == []
