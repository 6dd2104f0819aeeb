"""Seed files (default, brownfield, bad input) and Get-MessageTraceV2 over stored trace records."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from o365relay.errors import UsageError
from o365relay.sandbox import store as st
from o365relay.sandbox.seed import SEEDS_DIR, apply_seed


def test_default_seed_is_the_contoso_tenant_without_relay_objects(exo) -> None:
    sandbox = exo.sandbox
    assert sandbox.tenant_id == "7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a"
    assert sandbox.initial_domain == "contoso.onmicrosoft.com"
    assert exo.ok("Get-InboundConnector") == [] and exo.ok("Get-ServicePrincipal") == []
    assert (
        sandbox.store.get(st.DOMAIN, "contoso.com")["mxTarget"] == "contoso-com.mail.protection.outlook.com"
    )
    assert sandbox.store.find(st.SERVICE_PRINCIPAL, appId="8bd644d1-64a1-4d4b-ae52-2e0cbf64e373") is not None
    assert sandbox.secret_for(sandbox.deployer_client_id) == sandbox.deployer_client_secret
    user = sandbox.store.find(st.USER, userPrincipalName="scanner3@contoso.com")
    assert st.verify_secret(sandbox.store.get_meta("secret:scanner3@contoso.com"), user["xPasswordHash"])


def test_brownfield_seed_has_the_clutter(sandbox_factory, exo_for) -> None:
    exo = exo_for(sandbox_factory(seed=SEEDS_DIR / "brownfield.yaml"))
    assert [c["Name"] for c in exo.ok("Get-InboundConnector")] == ["Old printers"]
    assert exo.ok("Get-InboundConnector")[0]["SenderDomains"] == ["smtp:*;1"]
    grants = [g for g in exo.ok("Get-RecipientPermission", {"Identity": "invoices@contoso.com"})
              if g["Trustee"] != "NT AUTHORITY\\SELF"]
    assert len(grants) == 1 and grants[0]["Trustee"] == exo.ok("Get-ServicePrincipal")[0]["Identity"]
    assert (
        exo.ok("Get-CASMailbox", {"Identity": "copier-legacy@contoso.com"})[0][
            "SmtpClientAuthenticationDisabled"
        ]
        is False
    )
    legacy = exo.sandbox.store.find(st.APPLICATION, displayName="legacy-mailer")
    roles = exo.sandbox.ctx.tokens.issue(legacy["appId"], "https://outlook.office365.com")
    import jwt

    assert jwt.decode(roles, options={"verify_signature": False})["roles"] == ["SMTP.SendAsApp"]


def test_bad_seed_is_a_usage_error_naming_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("tenant: [unclosed\n")
    with pytest.raises(UsageError, match="bad.yaml"):
        apply_seed(st.Store.open(tmp_path), bad)
    incomplete = tmp_path / "incomplete.yaml"
    incomplete.write_text(
        "extends: " + str(SEEDS_DIR / "default.yaml") + "\napplications:\n  x: {roles: [No.Such]}\n"
    )
    store = st.Store.open(tmp_path / "b")
    with pytest.raises(UsageError, match="incomplete.yaml"):
        apply_seed(store, incomplete)
    assert store.count(st.USER) == 0  # all or nothing


def _trace(store: st.Store, n: int, minutes_ago: int, recipient: str, status: str = "delivered") -> None:
    received = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=minutes_ago)).strftime("%Y-%m-%dT%H:%M:%SZ")
    store.insert(
        st.MESSAGE_TRACE,
        {
            "id": f"t{n}",
            "senderAddress": "erp@contoso.com",
            "recipientAddress": recipient,
            "messageId": f"<m{n}@contoso.com>",
            "receivedDateTime": received,
            "subject": f"Invoice {n}",
            "size": 1000 + n,
            "fromIP": "203.0.113.5",
            "toIP": "",
            "status": status,
        },
    )


def test_message_trace_v2_filters_orders_and_limits(exo) -> None:
    store = exo.sandbox.store
    _trace(store, 1, 30, "a@fabrikam.com")
    _trace(store, 2, 10, "b@fabrikam.com", status="failed")
    _trace(store, 3, 60 * 24 * 3, "c@fabrikam.com")  # older than the default 48 h
    rows = exo.ok("Get-MessageTraceV2")
    assert [r["MessageTraceId"] for r in rows] == ["t2", "t1"]
    assert rows[0]["Status"] == "Failed" and rows[0]["Size"] == 1002
    assert [r["MessageTraceId"] for r in exo.ok("Get-MessageTraceV2", {"Status": "Delivered"})] == ["t1"]
    body = exo.invoke("Get-MessageTraceV2", {"ResultSize": 1}).json()
    assert len(body["value"]) == 1 and body["@adminapi.warnings"] and "@odata.nextLink" not in body
    start = (dt.datetime.now(dt.UTC) - dt.timedelta(days=11)).isoformat()
    assert "10 days" in exo.fails("Get-MessageTraceV2", {"StartDate": start})[1]
