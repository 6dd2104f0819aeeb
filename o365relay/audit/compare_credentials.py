"""What lets someone sign in as, or read, a declared OAuth sender besides what the spec declares.

An application holding ``SMTP.SendAsApp`` sends mail as its mailbox: a federated credential trusting
another repository, or one more client secret or certificate on it, is a way in that the nightly audit
must show. Every credential on a declared sender's application that the spec does not declare is
``unexpected`` (kind, subject/issuer or key id, expiry); a declared one that expires within
:data:`NEAR_EXPIRY_DAYS` is ``drift``. (Who else holds rights on a sender's mailbox:
:mod:`o365relay.audit.compare_sender_access`.)
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes

from o365relay import exchange_values as xv
from o365relay.audit.common import unknown_item
from o365relay.audit.identities import Identity
from o365relay.audit.model import FieldDiff, Item
from o365relay.audit.snapshot import Row, Snapshot
from o365relay.errors import UsageError
from o365relay.naming import application_display_name
from o365relay.spec.certificate import read_public_certificate
from o365relay.spec.model import Credential, RelaySpec

NEAR_EXPIRY_DAYS = 30


def compare_credentials(spec: RelaySpec, identities: dict[str, Identity], snap: Snapshot,
                        today: date | None = None) -> list[Item]:
    day = today or datetime.now(UTC).date()
    items: list[Item] = []
    for name, ident in identities.items():
        if ident.account.kind != "application" or ident.holder is None:
            continue  # no application found: compare_applications already says missing or unknown
        path = f"spec.serviceAccounts.{name}.credential"
        failed = unknown_item("credential", f"{name}: credentials", [snap.applications], path)
        if failed:
            items.append(failed)
            continue
        app = (snap.applications.value or {}).get(str(ident.holder.get("principalId")))
        if app is None:
            continue
        declared = _declared_thumbprints(spec, ident.account.credential)
        credentials = list(_credentials(app))
        stack_secret = _stack_secret(credentials, name)
        for credential in credentials:
            label = f"{name}: {credential['kind']} {credential['id']}"
            expires = _date(credential.get("endDateTime"))
            if not _is_declared(credential, ident.account.credential, stack_secret, declared):
                items.append(Item("credential", label, "unexpected", evidence=credential,
                                  reason="a credential the spec does not declare, on an application holding "
                                         "SMTP.SendAsApp"))
            elif expires is not None and expires <= day + timedelta(days=NEAR_EXPIRY_DAYS):
                items.append(Item("credential", label, "drift", spec_path=path, evidence=credential,
                                  diffs=(FieldDiff("endDateTime", f"after {day + timedelta(days=NEAR_EXPIRY_DAYS)}",
                                                   expires.isoformat()),),
                                  reason=f"expires within {NEAR_EXPIRY_DAYS} days: renew it (`pulumi up`)"))
    return items


def _credentials(app: Row) -> Iterator[dict[str, Any]]:
    """Every credential of an application, in one shape: kind, id, and what identifies it."""
    for fic in app.get("fics") or []:
        # a federated credential's name is required and unique on its application (Graph)
        yield {"kind": "federated", "id": fic.get("name"), "issuer": fic.get("issuer"),
               "subject": fic.get("subject"), "audiences": fic.get("audiences")}
    for secret in app.get("passwordCredentials") or []:
        yield {"kind": "secret", "id": secret.get("keyId"), "displayName": secret.get("displayName"),
               "hint": secret.get("hint"), "endDateTime": secret.get("endDateTime")}
    for key in app.get("keyCredentials") or []:
        yield {"kind": "certificate", "id": key.get("keyId"), "displayName": key.get("displayName"),
               "thumbprint": key.get("customKeyIdentifier"), "endDateTime": key.get("endDateTime")}


def _stack_secret(credentials: list[dict[str, Any]], account: str) -> Any:
    """The key id of the one secret a ``type: secret`` spec declares: the one the stack names, else (an
    adopted application) the one that lasts longest. Every other secret is undeclared."""
    secrets = [c for c in credentials if c["kind"] == "secret"]
    named = [c for c in secrets if c.get("displayName") == application_display_name(account)]
    ranked = sorted(named or secrets, key=lambda c: str(c.get("endDateTime") or ""), reverse=True)
    return ranked[0]["id"] if ranked else None


def _is_declared(found: dict[str, Any], declared: Credential | None, stack_secret: Any,
                 thumbprints: frozenset[str]) -> bool:
    if declared is None or found["kind"] != declared.type:
        return False
    if declared.type == "federated":
        return (xv.lower(found.get("issuer")).rstrip("/") == xv.lower(declared.issuer).rstrip("/")
                and found.get("subject") == declared.subject)
    if declared.type == "secret":
        return found["id"] == stack_secret
    return found.get("thumbprint") in thumbprints


def _declared_thumbprints(spec: RelaySpec, declared: Credential | None) -> frozenset[str]:
    """The forms Graph may give the declared certificate's SHA-1 thumbprint in (hex, base64); none unless the
    credential names a certificate file (only a certificate credential may)."""
    if declared is None or not declared.certificate_file:
        return frozenset()
    try:
        pem = read_public_certificate(Path(spec.source).parent, declared.certificate_file).pem
    except UsageError:
        return frozenset()  # validation reports the file; every certificate on the app then shows
    digest = x509.load_pem_x509_certificate(pem.encode()).fingerprint(hashes.SHA1())  # noqa: S303
    return frozenset({digest.hex().upper(), digest.hex(), base64.b64encode(digest).decode()})


def _date(value: Any) -> date | None:
    """Graph's ``endDateTime`` (ISO 8601, ``Z`` for UTC) as a date; None when absent or unreadable."""
    try:
        return datetime.fromisoformat(value).date()
    except (TypeError, ValueError):
        return None
