"""A sender's ``certificateFile``: the public certificate only, parsed, from inside the project.

The file's content is uploaded to the app registration and so lands in Pulumi state: a private key in
it (a PEM bundle, a PKCS#12 turned to PEM) would leak the device's key into state. So the file must
parse as exactly one X.509 certificate and hold nothing else, and its path must stay inside the
spec's folder (no ``../`` or absolute path out of the reviewed repository, no symlink out of it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from o365relay.errors import UsageError

_PEM_BLOCK = re.compile(r"-----BEGIN ([A-Z0-9 ]+)-----")


@dataclass(frozen=True)
class PublicCertificate:
    pem: str  # the certificate alone, re-encoded from the parsed object
    subject: str
    not_after: datetime  # UTC


def read_public_certificate(spec_dir: Path, certificate_file: str) -> PublicCertificate:
    """Parse ``certificate_file`` (relative to ``spec_dir``); UsageError says what is wrong, never the content."""
    root = spec_dir.resolve()
    path = (spec_dir / certificate_file).resolve()
    if not path.is_relative_to(root):
        raise UsageError(f"certificateFile {certificate_file} is outside the spec's folder {root}; keep the "
                         "public certificate beside the spec")
    try:
        data = path.read_bytes()
    except OSError as err:
        raise UsageError(f"certificateFile {certificate_file}: cannot read it ({err.strerror})") from None
    kinds = {m.group(1) for m in _PEM_BLOCK.finditer(data.decode("ascii", "replace"))}
    if kinds - {"CERTIFICATE"}:
        raise UsageError(f"certificateFile {certificate_file} holds {', '.join(sorted(kinds - {'CERTIFICATE'}))}"
                         ": only the public certificate belongs here; keep the private key on the device")
    try:
        certificates = x509.load_pem_x509_certificates(data)
    except ValueError:
        raise UsageError(f"certificateFile {certificate_file} is not a PEM X.509 certificate") from None
    if len(certificates) != 1:
        raise UsageError(f"certificateFile {certificate_file} holds {len(certificates)} certificates; "
                         "give the sender's own certificate only")
    [certificate] = certificates
    return PublicCertificate(certificate.public_bytes(Encoding.PEM).decode("ascii"),
                             certificate.subject.rfc4514_string(), certificate.not_valid_after_utc)
