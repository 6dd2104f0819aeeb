"""Credentials on a declared OAuth sender's application, item by item: which one is the spec's, which are a
way in nobody declared (with what identifies them), which expire within 30 days, and what a failed read
or a sender without an application gives. Pure: the applications as Graph lists them, in a snapshot."""

from __future__ import annotations

import base64
import datetime as dt
import time
from dataclasses import replace
from typing import Any

import pytest
from audit_helpers import PROD_SPEC, snapshot

from o365relay.audit.compare_credentials import compare_credentials
from o365relay.audit.identities import Identity
from o365relay.audit.model import FieldDiff, Item
from o365relay.audit.snapshot import Read
from o365relay.sandbox.tokens import certificate_thumbprint
from o365relay.spec.loader import load_spec
from o365relay.spec.model import Credential, RelaySpec, ServiceAccount

PROD = load_spec(PROD_SPEC)  # erp-mailer federated, monitoring-alerts certificate, scanner-floor3 a mailbox
GITHUB = "https://token.actions.githubusercontent.com"
ERP_SUBJECT = "repo:contoso/erp:environment:prod"
THUMBPRINT = certificate_thumbprint((PROD_SPEC.parent / "certs" / "monitoring-alerts.pem").read_text())
TODAY = dt.date(2027, 1, 1)
UNDECLARED = "a credential the spec does not declare, on an application holding SMTP.SendAsApp"
APPS = "applications of the SMTP.SendAsApp holders"


def fic(name: str, issuer: str = GITHUB, subject: str = ERP_SUBJECT) -> dict[str, Any]:
    return {"id": f"id-{name}", "name": name, "issuer": issuer, "subject": subject,
            "audiences": ["api://AzureADTokenExchange"], "description": None}


def secret(key_id: str, display_name: str | None, ends: str | None) -> dict[str, Any]:
    return {"keyId": key_id, "displayName": display_name, "hint": "Q~8", "endDateTime": ends,
            "startDateTime": "2026-01-01T00:00:00Z", "secretText": None}


def key(key_id: str, thumbprint: str | None, ends: str | None = "2028-01-01T00:00:00Z") -> dict[str, Any]:
    return {"keyId": key_id, "displayName": "CN=alerts", "customKeyIdentifier": thumbprint, "endDateTime": ends,
            "type": "AsymmetricX509Cert", "usage": "Verify"}


def app(**credentials: list[dict[str, Any]]) -> dict[str, Any]:
    return {"id": "app-object", "appId": "app-id", **credentials}


def sender(spec: RelaySpec, name: str, principal: str | None = "sp") -> dict[str, Identity]:
    holder = {"principalId": principal} if principal else None
    return {name: Identity(spec.service_accounts[name], (), holder=holder)}


def audit(spec: RelaySpec, identities: dict[str, Identity], apps: dict[str, Any],
          today: dt.date | None = TODAY) -> list[Item]:
    return compare_credentials(spec, identities, snapshot(applications=Read(APPS, apps)), today=today)


def secret_sender(name: str = "relay-app") -> RelaySpec:
    """The example spec plus an application sender that signs in with a client secret the stack makes."""
    account = ServiceAccount(name, "application", "relay@contoso.com", credential=Credential("secret"))
    return replace(PROD, service_accounts={**PROD.service_accounts, name: account})


def unexpected(label: str, evidence: dict[str, Any]) -> Item:
    return Item("credential", label, "unexpected", evidence=evidence, reason=UNDECLARED)


def test_every_credential_but_the_declared_trust_is_unexpected_with_what_identifies_it() -> None:
    mallory = "repo:mallory/tools:ref:refs/heads/main"
    tenant = app(fics=[fic("o365-relay-erp-mailer"), fic("ci-helper", subject=mallory),
                       fic("other-idp", issuer="https://idp.example.org")],
                 passwordCredentials=[secret("s1", "temp", "2027-01-10T00:00:00Z")],
                 keyCredentials=[key("k1", THUMBPRINT)])
    assert audit(PROD, sender(PROD, "erp-mailer"), {"sp": tenant}) == [
        unexpected("erp-mailer: federated ci-helper", {
            "kind": "federated", "id": "ci-helper", "issuer": GITHUB, "subject": mallory,
            "audiences": ["api://AzureADTokenExchange"]}),
        unexpected("erp-mailer: federated other-idp", {
            "kind": "federated", "id": "other-idp", "issuer": "https://idp.example.org", "subject": ERP_SUBJECT,
            "audiences": ["api://AzureADTokenExchange"]}),
        unexpected("erp-mailer: secret s1", {
            "kind": "secret", "id": "s1", "displayName": "temp", "hint": "Q~8", "endDateTime": "2027-01-10T00:00:00Z"}),
        unexpected("erp-mailer: certificate k1", {
            "kind": "certificate", "id": "k1", "displayName": "CN=alerts", "thumbprint": THUMBPRINT,
            "endDateTime": "2028-01-01T00:00:00Z"}),
    ]


@pytest.mark.parametrize(("declared", "found"), [
    (GITHUB, GITHUB + "/"), (GITHUB + "/", GITHUB), (GITHUB, "HTTPS://Token.Actions.GitHubUserContent.com/")])
def test_the_declared_trust_matches_its_issuer_whatever_its_case_or_trailing_slash(declared: str, found: str) -> None:
    account = PROD.service_accounts["erp-mailer"]
    spec = replace(PROD, service_accounts={"erp-mailer": replace(account, credential=Credential(
        "federated", issuer=declared, subject=ERP_SUBJECT))})
    assert audit(spec, sender(spec, "erp-mailer"), {"sp": app(fics=[fic("o365-relay-erp-mailer", issuer=found)])}) == []


@pytest.mark.parametrize("form", ["upper-case hex", "lower-case hex", "base64"])
def test_the_declared_certificate_is_known_by_its_thumbprint_in_any_form_graph_gives(form: str) -> None:
    thumbprint = {"upper-case hex": THUMBPRINT, "lower-case hex": THUMBPRINT.lower(),
                  "base64": base64.b64encode(bytes.fromhex(THUMBPRINT)).decode()}[form]
    other = "0" * 40
    tenant = app(keyCredentials=[key("declared", thumbprint), key("other", other), key("bare", None)])
    assert [i.name for i in audit(PROD, sender(PROD, "monitoring-alerts"), {"sp": tenant})] == [
        "monitoring-alerts: certificate other", "monitoring-alerts: certificate bare"]


def test_a_declared_credential_is_drift_from_30_days_before_it_expires() -> None:
    declared = key("k1", THUMBPRINT, ends="2027-01-31T12:00:00Z")  # TODAY + 30 days
    drift = Item("credential", "monitoring-alerts: certificate k1", "drift",
                 diffs=(FieldDiff("endDateTime", "after 2027-01-31", "2027-01-31"),),
                 reason="expires within 30 days: renew it (`pulumi up`)",
                 evidence={"kind": "certificate", "id": "k1", "displayName": "CN=alerts", "thumbprint": THUMBPRINT,
                           "endDateTime": "2027-01-31T12:00:00Z"},
                 spec_path="spec.serviceAccounts.monitoring-alerts.credential")
    identities = sender(PROD, "monitoring-alerts")
    assert audit(PROD, identities, {"sp": app(keyCredentials=[declared])}) == [drift]
    assert audit(PROD, identities, {"sp": app(keyCredentials=[declared])}, today=TODAY - dt.timedelta(days=1)) == []
    expired = key("k2", THUMBPRINT, ends="2026-12-01T00:00:00Z")
    [found] = audit(PROD, identities, {"sp": app(keyCredentials=[expired])})
    assert (found.status, found.diffs) == ("drift", (FieldDiff("endDateTime", "after 2027-01-31", "2026-12-01"),))


@pytest.mark.parametrize("ends", [None, "", "in a year"])
def test_a_declared_credential_without_a_readable_end_date_is_no_finding(ends: str | None) -> None:
    tenant = app(keyCredentials=[key("k1", THUMBPRINT, ends=ends)])
    assert audit(PROD, sender(PROD, "monitoring-alerts"), {"sp": tenant}) == []


# At any hour, the local date in one of these zones (UTC+14, UTC-12) is not the date in UTC.
@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Etc/GMT+12"])
def test_the_expiry_window_counts_from_the_date_in_utc_whatever_the_machines_zone(zone: str, monkeypatch) -> None:
    today = dt.datetime.now(dt.UTC).date()
    ends = today + dt.timedelta(days=30)
    tenant = app(keyCredentials=[key("k1", THUMBPRINT, f"{ends}T00:00:00Z")])
    monkeypatch.setenv("TZ", zone)
    time.tzset()
    try:
        [found] = audit(PROD, sender(PROD, "monitoring-alerts"), {"sp": tenant}, today=None)
    finally:
        monkeypatch.undo()
        time.tzset()
    utc_days = {today, dt.datetime.now(dt.UTC).date()}  # two only if the test ran across midnight UTC
    assert found.diffs[0].desired in {f"after {day + dt.timedelta(days=30)}" for day in utc_days}


def test_the_stacks_secret_is_the_one_it_named_even_when_another_lasts_longer() -> None:
    spec = secret_sender()
    tenant = app(passwordCredentials=[secret("other", "temp", "2028-06-01T00:00:00Z"),
                                      secret("stack", "o365-relay relay-app", "2027-06-01T00:00:00Z")])
    assert [i.name for i in audit(spec, sender(spec, "relay-app"), {"sp": tenant})] == ["relay-app: secret other"]


def test_on_an_adopted_application_the_longest_lasting_dated_secret_is_the_stacks() -> None:
    """No secret carries the stack's name: the one that lasts longest is the stack's; the stack always sets an
    end date, so a secret without one (Graph's endDateTime is optional) is never it."""
    spec = secret_sender()
    tenant = app(passwordCredentials=[secret("undated", None, None), secret("mid", None, "2027-06-01T00:00:00Z"),
                                      secret("longest", "adopted", "2028-06-01T00:00:00Z"),
                                      secret("short", None, "2027-03-01T00:00:00Z")])
    assert [i.name for i in audit(spec, sender(spec, "relay-app"), {"sp": tenant})] == [
        "relay-app: secret undated", "relay-app: secret mid", "relay-app: secret short"]


def test_a_federated_credential_named_like_the_stacks_secret_is_still_unexpected() -> None:
    spec = secret_sender()
    tenant = app(fics=[fic("stack-key-id")], passwordCredentials=[secret("stack-key-id", "o365-relay relay-app",
                                                                         "2028-01-01T00:00:00Z")])
    assert [(i.name, i.status) for i in audit(spec, sender(spec, "relay-app"), {"sp": tenant})] == [
        ("relay-app: federated stack-key-id", "unexpected")]


def test_senders_without_an_application_to_look_at_are_skipped_and_the_rest_still_compared() -> None:
    spec = secret_sender()
    identities = {"scanner-floor3": Identity(spec.service_accounts["scanner-floor3"], ()),  # a mailbox sender
                  **sender(spec, "erp-mailer", principal=None),  # no SMTP.SendAsApp holder found
                  **sender(spec, "monitoring-alerts", principal="sp-gone"),  # its application not found
                  **sender(spec, "relay-app")}
    tenant = app(passwordCredentials=[secret("s1", "o365-relay relay-app", "2028-01-01T00:00:00Z"),
                                      secret("s2", None, "2027-02-01T00:00:00Z")])
    assert [i.name for i in audit(spec, identities, {"sp": tenant})] == ["relay-app: secret s2"]


def test_a_failed_read_of_the_applications_is_unknown_for_every_application_sender() -> None:
    identities = {**sender(PROD, "scanner-floor3", principal=None), **sender(PROD, "erp-mailer"),
                  **sender(PROD, "monitoring-alerts")}
    failed = snapshot(applications=Read(APPS, error="503 Service Unavailable"))
    assert compare_credentials(PROD, identities, failed, today=TODAY) == [
        Item("credential", f"{name}: credentials", "unknown", reason=f"{APPS}: 503 Service Unavailable",
             spec_path=f"spec.serviceAccounts.{name}.credential")
        for name in ("erp-mailer", "monitoring-alerts")]
