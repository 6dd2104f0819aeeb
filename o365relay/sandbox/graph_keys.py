"""Certificate credentials written through ``keyCredentials`` on an application update.

Why its own module: Graph never returns a certificate's ``key`` on a plain GET (it is ``null``), so
a client that adds a certificate reads the list, appends the new one and PATCHes the whole list back
with ``key: null`` on the existing entries (the azuread provider's ApplicationCertificate does
exactly that). Graph keeps an entry named by a known ``keyId`` as it is, takes a new entry only with
its ``key``, and drops entries the list no longer names. ``key`` is the base64 of the certificate:
of its DER bytes, or of its PEM text (what the azuread provider sends for ``encoding = "pem"``).
When the writer gives no start or end date, the certificate's own validity is used.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from o365relay.sandbox.graph_http import bad_request
from o365relay.sandbox.tokens import certificate_thumbprint

KEY_TYPES = ("AsymmetricX509Cert", "X509CertAndPassword")
KEY_USAGES = ("Verify", "Sign")
_INVALID = "Invalid value specified for property 'keyCredentials' of resource 'Application'."


def merge_key_credentials(current: list[dict[str, Any]], wanted: Any) -> list[dict[str, Any]]:
    """The stored list after a PATCH that sets ``keyCredentials`` to ``wanted``."""
    if not isinstance(wanted, list) or not all(isinstance(w, dict) for w in wanted):
        raise bad_request(_INVALID)
    known = {str(c["keyId"]).lower(): c for c in current}
    merged = []
    for entry in wanted:
        key_id = str(entry.get("keyId") or uuid.uuid4())
        if entry.get("key"):
            merged.append(_new_credential(key_id, entry))
        elif key_id.lower() in known:
            merged.append(known[key_id.lower()])
        else:
            raise bad_request(_INVALID)
    if len({c["keyId"].lower() for c in merged}) != len(merged):
        raise bad_request(_INVALID)
    return merged


def key_view(credential: dict[str, Any]) -> dict[str, Any]:
    """A stored credential as GET returns it: every property, ``key`` null."""
    return {"customKeyIdentifier": None, "displayName": None, "endDateTime": None, "startDateTime": None,
            **credential, "key": None}


def _new_credential(key_id: str, entry: dict[str, Any]) -> dict[str, Any]:
    if entry.get("type", "AsymmetricX509Cert") not in KEY_TYPES or entry.get("usage", "Verify") not in KEY_USAGES:
        raise bad_request(_INVALID)
    cert = _certificate(str(entry["key"]))
    pem = cert.public_bytes(Encoding.PEM).decode()
    return {
        "keyId": key_id, "type": entry.get("type", "AsymmetricX509Cert"), "usage": entry.get("usage", "Verify"),
        "displayName": entry.get("displayName") or cert.subject.rfc4514_string(),
        "customKeyIdentifier": certificate_thumbprint(pem),
        "startDateTime": entry.get("startDateTime") or _iso(cert.not_valid_before_utc),
        "endDateTime": entry.get("endDateTime") or _iso(cert.not_valid_after_utc),
        "xCertificatePem": pem,
    }


def _certificate(key: str) -> x509.Certificate:
    try:
        raw = base64.b64decode(key, validate=True)
        if raw.lstrip().startswith(b"-----BEGIN"):
            return x509.load_pem_x509_certificate(raw)
        return x509.load_der_x509_certificate(raw)
    except (binascii.Error, ValueError):
        raise bad_request(_INVALID) from None


def _iso(moment: Any) -> str:
    return str(moment.strftime("%Y-%m-%dT%H:%M:%SZ"))
