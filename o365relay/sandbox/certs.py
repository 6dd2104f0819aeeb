"""The sandbox's own PKI: a CA, a TLS server certificate for 127.0.0.1/localhost, a token-signing key.

Generated with ``cryptography`` on first start into the state directory and reused after a restart,
so a client that trusts ``ca.pem`` once keeps trusting the sandbox. Files:

- ``ca.pem``: the CA certificate clients pass as ``verify=`` / ``RELAY_CA_FILE`` (never verify=False).
- ``server.pem`` / ``server-key.pem``: the HTTPS (and SMTP STARTTLS) certificate and key.
- ``token-key.pem``: the RSA key the token endpoint signs RS256 JWTs with; ``kid`` is its thumbprint.
- ``partner-certs/<name>.pem``: client certificates :func:`issue_client_certificate` made for partners.
- ``oidc-key.pem``: the key of the OIDC stand-in (the external identity provider of federated
  credentials, e.g. GitHub's): a different key, so its assertions are never access tokens.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CA_FILE = "ca.pem"
CA_KEY_FILE = "ca-key.pem"
SERVER_CERT_FILE = "server.pem"
SERVER_KEY_FILE = "server-key.pem"
TOKEN_KEY_FILE = "token-key.pem"
OIDC_KEY_FILE = "oidc-key.pem"
PARTNER_DIR = "partner-certs"

_VALIDITY = dt.timedelta(days=825)


@dataclass(frozen=True)
class SandboxPki:
    """Paths of the PKI files plus the loaded token-signing key."""

    ca_file: Path
    server_cert_file: Path
    server_key_file: Path
    token_key: rsa.RSAPrivateKey
    token_kid: str
    oidc_key: rsa.RSAPrivateKey


def ensure_pki(state_dir: Path) -> SandboxPki:
    """Load the PKI from ``state_dir``, creating whatever is missing (idempotent)."""
    state_dir = Path(state_dir)
    state_dir.mkdir(parents=True, exist_ok=True)
    ca_key = _load_or_create_key(state_dir / CA_KEY_FILE, lambda: ec.generate_private_key(ec.SECP256R1()))
    ca_path = state_dir / CA_FILE
    if not ca_path.exists():
        ca_path.write_bytes(_ca_certificate(ca_key).public_bytes(serialization.Encoding.PEM))
    ca_cert = x509.load_pem_x509_certificate(ca_path.read_bytes())
    server_key = _load_or_create_key(
        state_dir / SERVER_KEY_FILE, lambda: ec.generate_private_key(ec.SECP256R1())
    )
    server_path = state_dir / SERVER_CERT_FILE
    if not server_path.exists():
        cert = _server_certificate(server_key, ca_cert, ca_key)
        server_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    token_key, oidc_key = (
        _load_or_create_key(state_dir / name, lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048))
        for name in (TOKEN_KEY_FILE, OIDC_KEY_FILE)
    )
    assert isinstance(token_key, rsa.RSAPrivateKey) and isinstance(oidc_key, rsa.RSAPrivateKey)
    der = token_key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    kid = hashlib.sha256(der).hexdigest()[:32]
    return SandboxPki(ca_path, server_path, state_dir / SERVER_KEY_FILE, token_key, kid, oidc_key)


def _load_or_create_key(path: Path, create):  # type: ignore[no-untyped-def]
    if path.exists():
        return serialization.load_pem_private_key(path.read_bytes(), password=None)
    key = create()
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    path.chmod(0o600)
    return key


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "o365-relay sandbox"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _ca_certificate(key: ec.EllipticCurvePrivateKey) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC)
    name = _name("o365-relay sandbox CA")
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + _VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                crl_sign=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )


def _server_certificate(
    key: ec.EllipticCurvePrivateKey, ca_cert: x509.Certificate, ca_key: ec.EllipticCurvePrivateKey
) -> x509.Certificate:
    san = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    return _leaf(key, "localhost", san, ExtendedKeyUsageOID.SERVER_AUTH, ca_cert, ca_key)


def issue_client_certificate(state_dir: Path, name: str) -> tuple[Path, Path]:
    """A TLS client certificate for ``name`` signed by the sandbox CA (certificate and key files): what a
    partner's server presents to the MX endpoint so a Partner connector's ``TlsSenderCertificateName``
    can match it. Reissued on every call; the key file is readable by its owner only."""
    state_dir = Path(state_dir)
    ca_key = serialization.load_pem_private_key((state_dir / CA_KEY_FILE).read_bytes(), password=None)
    ca_cert = x509.load_pem_x509_certificate((state_dir / CA_FILE).read_bytes())
    assert isinstance(ca_key, ec.EllipticCurvePrivateKey)
    key = ec.generate_private_key(ec.SECP256R1())
    cert = _leaf(key, name, [x509.DNSName(name)], ExtendedKeyUsageOID.CLIENT_AUTH, ca_cert, ca_key)
    folder = state_dir / PARTNER_DIR
    folder.mkdir(exist_ok=True)
    cert_path, key_path = folder / f"{name}.pem", folder / f"{name}-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.touch(mode=0o600)
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


def _leaf(
    key: ec.EllipticCurvePrivateKey,
    common_name: str,
    san: list[x509.GeneralName],
    usage: x509.ObjectIdentifier,
    ca_cert: x509.Certificate,
    ca_key: ec.EllipticCurvePrivateKey,
) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + _VALIDITY)
        .add_extension(x509.SubjectAlternativeName(san), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
