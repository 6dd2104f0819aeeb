"""The example stack (relay.prod.yaml) rendered under Pulumi's mock runtime: every resource, its
inputs, parent and dependencies, as the engine would receive them."""

from __future__ import annotations

from pathlib import Path

import pulumi_mocks as pm
import pytest

from components import program
from o365relay.spec.document import to_document
from o365relay.spec.loader import load_spec

DYN = "pulumi-python:dynamic/"

# (type, name, parent name) of every resource the example stack declares.
EXPECTED = {
    ("o365relay:index:RelayStack", "relay", "o365-relay-test"),
    (DYN + "exchange:OrgSmtpAuth", "org-smtp-auth", "relay"),
    (DYN + "exchange:RejectDirectSend", "reject-direct-send", "relay"),
    ("o365relay:exchange:RelayConnector", "dc1-relay", "relay"),
    (DYN + "exchange:InboundConnector", "dc1-relay-connector", "dc1-relay"),
    *((t, f"{acct}-{suffix}", acct) for acct in ("erp-mailer", "monitoring-alerts") for t, suffix in (
        ("azuread:index/application:Application", "app"),
        ("azuread:index/servicePrincipal:ServicePrincipal", "sp"),
        ("azuread:index/appRoleAssignment:AppRoleAssignment", "smtp-sendasapp"),
        (DYN + "exchange:ServicePrincipal", "exchange-sp"),
        (DYN + "exchange:FullAccessGrant", "fullaccess"))),
    ("o365relay:identity:SmtpServiceAccount", "erp-mailer", "relay"),
    ("o365relay:identity:SmtpServiceAccount", "monitoring-alerts", "relay"),
    ("o365relay:identity:SmtpServiceAccount", "scanner-floor3", "relay"),
    ("azuread:index/applicationFederatedIdentityCredential:ApplicationFederatedIdentityCredential",
     "erp-mailer-federated", "erp-mailer"),
    ("azuread:index/applicationCertificate:ApplicationCertificate", "monitoring-alerts-certificate",
     "monitoring-alerts"),
    # one SMTP AUTH exception per mailbox, named by the mailbox: renaming a sender's key changes nothing
    *((DYN + "exchange:MailboxSmtpAuth", f"{mailbox}-smtp-auth", "relay")
      for mailbox in ("erp@contoso.com", "alerts@notify.contoso.com", "scanner3@contoso.com")),
    ("o365relay:exchange:SendAs", "erp-mailer-sendas", "relay"),
    ("o365relay:exchange:SendAs", "monitoring-alerts-sendas", "relay"),
    (DYN + "exchange:SendAsGrant", "erp-mailer-sendas-invoices@contoso.com", "erp-mailer-sendas"),
    (DYN + "exchange:SendAsGrant", "erp-mailer-sendas-purchasing@contoso.com", "erp-mailer-sendas"),
    (DYN + "exchange:SendAsGrant", "monitoring-alerts-sendas-noc@notify.contoso.com", "monitoring-alerts-sendas"),
    (DYN + "exchange:SendAsGrant", "monitoring-alerts-sendas-oncall@notify.contoso.com", "monitoring-alerts-sendas"),
    *((t, f"{d}-{suffix}", d) for d in ("contoso.com", "notify.contoso.com") for t, suffix in (
        (DYN + "exchange:DkimSigningConfig", "dkim"),
        (DYN + "dns:RecordCheck", "selector1-cname"),
        (DYN + "dns:RecordCheck", "selector2-cname"),
        (DYN + "exchange:DkimSigningConfig", "dkim-signing"))),
    ("o365relay:dns:MailDomain", "contoso.com", "relay"),
    ("o365relay:dns:MailDomain", "notify.contoso.com", "relay"),
}


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> pm.RecordingMonitor:
    spec = pm.write_project(tmp_path_factory.mktemp("project"))
    return pm.render(program.run, pm.stack_config(spec))


def by_name(monitor: pm.RecordingMonitor, name: str) -> pm.Registration:
    (found,) = [r for r in monitor.registrations.values() if r.name == name]
    return found


def names(urns: list[str]) -> set[str]:
    return {urn.rsplit("::", 1)[-1] for urn in urns}


def inputs(reg: pm.Registration) -> dict:
    return {k: v for k, v in reg.inputs.items() if k != "__provider"}


def test_exactly_the_declared_resources_with_their_parents(example: pm.RecordingMonitor) -> None:
    got = {(r.type, r.name, r.parent.rsplit("::", 1)[-1]) for r in example.registrations.values()}
    assert got == EXPECTED


def test_relay_stack_carries_the_canonical_spec_document(example: pm.RecordingMonitor) -> None:
    assert by_name(example, "relay").inputs == {"spec": to_document(load_spec(pm.EXAMPLE_SPEC))}


def test_connector_inputs(example: pm.RecordingMonitor) -> None:
    assert inputs(by_name(example, "dc1-relay-connector")) == {
        "name": "dc1-relay", "connector_type": "OnPremises", "sender_ips": ["203.0.113.0/28", "198.51.100.25"],
        "sender_domains": ["*"], "require_tls": True, "enabled": True,
        "comment": "Ashburn datacenter NAT egress for printers and line-of-business servers"}


def test_org_switches_follow_the_tenant_section(example: pm.RecordingMonitor) -> None:
    assert inputs(by_name(example, "org-smtp-auth")) == {"enabled": False}
    assert inputs(by_name(example, "reject-direct-send")) == {"enabled": True}


def test_org_switches_wait_for_what_keeps_declared_devices_sending(example: pm.RecordingMonitor) -> None:
    # SMTP AUTH off and RejectDirectSend must not apply before the per-mailbox exceptions and the relay
    # connector exist (the end-to-end test proves the engine honours it with parallelism on)
    keep_working = {"dc1-relay-connector", "erp@contoso.com-smtp-auth", "alerts@notify.contoso.com-smtp-auth",
                    "scanner3@contoso.com-smtp-auth"}
    for switch in ("org-smtp-auth", "reject-direct-send"):
        assert names(by_name(example, switch).dependencies) >= keep_working


def test_application_sender_chain(example: pm.RecordingMonitor) -> None:
    app = by_name(example, "erp-mailer-app")
    sp = by_name(example, "erp-mailer-sp")
    assert sp.inputs["clientId"] == app.outputs["clientId"]
    role = by_name(example, "erp-mailer-smtp-sendasapp")
    assert role.inputs == {"appRoleId": pm.SMTP_SEND_AS_APP_ROLE, "principalObjectId": sp.outputs["objectId"],
                           "resourceObjectId": pm.EXCHANGE_ONLINE_SP_OBJECT_ID}
    fic = by_name(example, "erp-mailer-federated")
    assert fic.inputs["issuer"] == "https://token.actions.githubusercontent.com"
    assert fic.inputs["subject"] == "repo:contoso/erp:environment:prod"
    assert fic.inputs["audiences"] == ["api://AzureADTokenExchange"]
    assert fic.inputs["applicationId"] == app.outputs["id"]
    # Exchange registers the *enterprise app* (service principal) object id, not the app registration's.
    exo_sp = by_name(example, "erp-mailer-exchange-sp")
    assert inputs(exo_sp) == {"app_id": app.outputs["clientId"], "object_id": sp.outputs["objectId"],
                              "display_name": "o365-relay erp-mailer"}
    assert names(exo_sp.dependencies) == {"erp-mailer-app", "erp-mailer-sp"}
    full = by_name(example, "erp-mailer-fullaccess")
    assert inputs(full) == {"mailbox": "erp@contoso.com", "user": exo_sp.outputs["identity"],
                            "service_account": "erp-mailer"}
    assert names(full.dependencies) == {"erp-mailer-exchange-sp"}
    assert inputs(by_name(example, "erp@contoso.com-smtp-auth")) == {"mailbox": "erp@contoso.com", "enabled": True}


def test_the_deployer_owns_the_sender_apps_it_creates(example: pm.RecordingMonitor) -> None:
    """Without it the azuread provider drops its own ownership after create, and a deployer holding only
    Application.ReadWrite.OwnedBy is locked out of the app (its credential, later updates, destroy)."""
    for account in ("erp-mailer", "monitoring-alerts"):
        assert by_name(example, f"{account}-app").inputs["owners"] == [pm.DEPLOYER_OBJECT_ID]
        assert by_name(example, f"{account}-sp").inputs["owners"] == [pm.DEPLOYER_OBJECT_ID]


def test_certificate_credential_uploads_the_public_certificate(example: pm.RecordingMonitor) -> None:
    cert = by_name(example, "monitoring-alerts-certificate")
    value = pm.unwrap(cert.inputs["value"])
    assert value.startswith("-----BEGIN CERTIFICATE-----") and "PRIVATE KEY" not in value
    assert cert.inputs["type"] == "AsymmetricX509Cert" and cert.inputs["encoding"] == "pem"


def test_send_as_grants_go_to_the_exchange_identity(example: pm.RecordingMonitor) -> None:
    identity = by_name(example, "erp-mailer-exchange-sp").outputs["identity"]
    grant = by_name(example, "erp-mailer-sendas-invoices@contoso.com")
    assert inputs(grant) == {"mailbox": "invoices@contoso.com", "trustee": identity, "service_account": "erp-mailer"}
    assert names(grant.dependencies) == {"erp-mailer-exchange-sp"}


def test_dkim_signing_waits_for_its_cname_records(example: pm.RecordingMonitor) -> None:
    for domain in ("contoso.com", "notify.contoso.com"):
        config = by_name(example, f"{domain}-dkim")
        assert inputs(config) == {"domain": domain, "key_size": 2048}  # created without switching signing on
        for i in (1, 2):
            check = by_name(example, f"{domain}-selector{i}-cname")
            # the target is the config's output (what the tenant reports), never computed here
            assert inputs(check) == {"fqdn": f"selector{i}._domainkey.{domain}", "type": "CNAME",
                                     "value": config.outputs[f"selector{i}_cname"]}
            assert names(check.dependencies) == {f"{domain}-dkim"}
        signing = by_name(example, f"{domain}-dkim-signing")
        assert inputs(signing) == {"domain": domain, "key_size": 2048, "enabled": True}
        assert names(signing.dependencies) == {f"{domain}-selector1-cname", f"{domain}-selector2-cname"}


def test_spf_carries_the_connector_ips(example: pm.RecordingMonitor) -> None:
    records = example.exports["dnsRecords"]
    spf = {d: next(r["value"] for r in rs if r["type"] == "TXT" and r["name"] == "@") for d, rs in records.items()}
    assert spf["contoso.com"] == ("v=spf1 ip4:203.0.113.0/28 ip4:198.51.100.25 include:spf.protection.outlook.com "
                                  "include:_spf.salesforce.com -all")
    assert spf["notify.contoso.com"] == ("v=spf1 ip4:203.0.113.0/28 ip4:198.51.100.25 "
                                         "include:spf.protection.outlook.com -all")


def test_zone_snippet_lists_every_record(example: pm.RecordingMonitor) -> None:
    zone = example.exports["zoneFiles"]["notify.contoso.com"]
    assert "$ORIGIN notify.contoso.com." in zone
    assert "_dmarc\t3600\tIN\tTXT\t\"v=DMARC1; p=quarantine; pct=50; rua=mailto:dmarc-reports@contoso.com\"" in zone
    assert ("selector1._domainkey\t3600\tIN\tCNAME\t"
            f"{pm.dkim_cname('notify.contoso.com', 1)}.") in zone


def test_device_settings_per_sender(example: pm.RecordingMonitor) -> None:
    senders = example.exports["senders"]
    assert set(senders) == {"dc1-relay", "erp-mailer", "monitoring-alerts", "scanner-floor3"}
    erp = senders["erp-mailer"]
    assert (erp["host"], erp["port"], erp["username"]) == ("smtp.office365.com", 587, "erp@contoso.com")
    assert erp["auth"].startswith("XOAUTH2")
    assert erp["clientId"] == by_name(example, "erp-mailer-app").outputs["clientId"]
    assert erp["fromAddresses"] == ["erp@contoso.com", "invoices@contoso.com", "purchasing@contoso.com"]
    assert senders["scanner-floor3"]["auth"].startswith("LOGIN")
    relay = senders["dc1-relay"]
    assert relay["port"] == 25 and "203.0.113.0/28" in relay["auth"]
    assert relay["fromAddresses"] == ["*@contoso.com", "*@notify.contoso.com"]
    assert "senders" not in example.secret_exports


def test_dynamic_provider_blobs_are_small_references(example: pm.RecordingMonitor) -> None:
    for reg in example.registrations.values():
        if reg.type.startswith(DYN):
            blob = reg.inputs["__provider"]
            assert isinstance(blob, str), "blob must not be secret-wrapped (it holds no secret)"
            assert len(blob) < 400, (reg.name, len(blob))  # pickled by reference, not by value


def test_preview_renders_with_unknown_outputs(tmp_path: Path) -> None:
    spec = pm.write_project(tmp_path)
    monitor = pm.render(program.run, pm.stack_config(spec), preview=True)
    assert {(r.type, r.name, r.parent.rsplit("::", 1)[-1]) for r in monitor.registrations.values()} == EXPECTED
