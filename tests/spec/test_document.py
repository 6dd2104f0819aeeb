"""to_document is the canonical short form, and spec_from_document(to_document(s)) gives s back."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from o365relay.errors import SpecError
from o365relay.spec.document import to_document
from o365relay.spec.loader import load_spec, load_text, spec_from_document
from o365relay.spec.yamlsource import parse_source

ROOT = Path(__file__).resolve().parents[2]

# Every field set to something other than its default, so every field makes the round trip.
FULL = """version: 1
tenant: {id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a, initialDomain: contoso.onmicrosoft.com,
         smtpAuth: enabled, rejectDirectSend: false}
domains:
  mail.contoso.com:
    spf: {include: [_spf.salesforce.com], ip4: [198.51.100.0/24], all: ~all}
    dkim: {enabled: false, keySize: 1024}
    dmarc: {policy: quarantine, pct: 25, rua: [mailto:a@contoso.com], ruf: [mailto:f@contoso.com]}
    dns: {backend: azure, resourceGroup: rg-dns, zone: contoso.com}
serviceAccounts:
  app:
    kind: application
    mailbox: app@mail.contoso.com
    description: an app
    credential: {type: federated, issuer: https://issuer.example, subject: s, audiences: [api://x]}
  cert:
    kind: application
    mailbox: cert@contoso.onmicrosoft.com
    credential: {type: certificate, certificateFile: certs/cert.pem}
  secret:
    kind: application
    mailbox: secret@mail.contoso.com
    credential: {type: secret, expiresInDays: 90}
  scanner:
    kind: mailbox
    mailbox: scanner@mail.contoso.com
    create: {license: EXCHANGESTANDARD, usageLocation: DE, displayName: Scanner}
connectors:
  dc1:
    senderIPs: [203.0.113.0/28]
    certificateName: relay.contoso.com
    senderDomains: [mail.contoso.com]
    sendsFor: [mail.contoso.com]
    requireTls: false
    enabled: false
    comment: c
sendAs:
  - {trustee: app, mailbox: shared@mail.contoso.com}
waivers:
  - {rule: no-basic-smtp-auth, target: serviceAccounts.scanner, reason: r, expires: 2020-01-31}
"""


@pytest.mark.parametrize("name", ["example", "full"])
def test_round_trip_is_identity(name: str) -> None:
    spec = load_spec(ROOT / "relay.prod.yaml") if name == "example" else load_text(FULL, "full.yaml")
    document = to_document(spec)
    assert json.loads(json.dumps(document)) == document  # plain JSON, nothing else
    assert spec_from_document(document, spec.source) == spec


def test_document_is_the_short_form_people_write() -> None:
    """With defaults omitted, the document of a spec is exactly what its YAML said."""
    assert to_document(load_text(FULL)) == parse_source(FULL).data
    tenant = to_document(load_spec(ROOT / "relay.prod.yaml"))["tenant"]
    assert tenant == {"id": "7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a",
                      "initialDomain": "contoso.onmicrosoft.com"}  # defaults written out in YAML are dropped


def test_model_values_are_typed() -> None:
    spec = load_text(FULL)
    assert spec.waivers[0].expires == date(2020, 1, 31)  # an expired waiver is lint's business
    assert spec.connectors["dc1"].sender_ips == ("203.0.113.0/28",)
    assert spec.service_accounts["app"].credential.audiences == ("api://x",)  # type: ignore[union-attr]
    assert spec.domains["mail.contoso.com"].dkim.key_size == 1024


def test_spec_from_document_reports_problems_without_positions() -> None:
    document = to_document(load_spec(ROOT / "relay.prod.yaml"))
    document["sendAs"][0]["trustee"] = "nobody"
    with pytest.raises(SpecError) as caught:
        spec_from_document(document, "stack-config")
    assert [str(p) for p in caught.value.problems] == [
        "stack-config:1:1: spec.sendAs[0].trustee: 'nobody' is not a declared service account; "
        "declared: erp-mailer, monitoring-alerts, scanner-floor3"]


def test_spec_from_document_refuses_a_non_mapping() -> None:
    with pytest.raises(SpecError) as caught:
        spec_from_document(["version", 1])  # type: ignore[arg-type]
    assert str(caught.value.problems[0]) == "<document>:1:1: spec: the spec must be a mapping, got list"


STAGED = """version: 1
tenant:
  id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a
  initialDomain: contoso.onmicrosoft.com
  smtpAuth: {stage: observe, evidenceDays: 30}
  rejectDirectSend: {stage: enforce}
domains:
  contoso.com:
    mtaSts: {mode: enforce, maxAge: 86400}
    tlsRpt: {rua: [mailto:tls@contoso.com]}
serviceAccounts:
  scanner:
    kind: mailbox
    mailbox: scanner@contoso.com
    create: {license: EXCHANGESTANDARD, usageLocation: DE}
"""


def test_rollouts_mail_policies_and_names_become_typed_values() -> None:
    from o365relay.spec.model import MailboxCreation, MtaSts, Rollout, TlsRpt

    spec = load_text(STAGED)
    assert spec.tenant.smtp_auth == Rollout("observe", evidence_days=30)
    assert spec.tenant.reject_direct_send == Rollout("enforce")
    domain = spec.domains["contoso.com"]
    assert (domain.name, domain.mta_sts, domain.tls_rpt) == (
        "contoso.com", MtaSts(mode="enforce", max_age=86400), TlsRpt(rua=("mailto:tls@contoso.com",)))
    scanner = spec.service_accounts["scanner"]
    assert scanner.name == "scanner"
    assert isinstance(scanner.create, MailboxCreation) and scanner.create.usage_location == "DE"
    assert spec_from_document(to_document(spec), spec.source) == spec


def test_a_spec_with_only_outbound_connectors_writes_them_under_connectors() -> None:
    text = ("version: 1\ntenant: {id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a, initialDomain: contoso.onmicrosoft.com}\n"
            "connectors:\n  out:\n    direction: outbound\n    recipientDomains: [fabrikam.com]\n"
            "    useMxRecord: true\n")
    spec = load_text(text)
    assert to_document(spec)["connectors"] == parse_source(text).data["connectors"]
    assert spec_from_document(to_document(spec), spec.source) == spec
