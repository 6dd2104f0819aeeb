"""certificateFile: one parsed public certificate from inside the project, never a private key."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from o365relay.errors import SpecError, UsageError
from o365relay.spec.certificate import read_public_certificate
from o365relay.spec.loader import load_spec

ROOT = Path(__file__).resolve().parents[2]
FIELD = "spec.serviceAccounts.monitoring-alerts.credential.certificateFile"


def _certificate(days: int) -> tuple[bytes, bytes]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "alerts.contoso.com")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=400))
            .not_valid_after(now + dt.timedelta(days=days)).sign(key, hashes.SHA256()))
    pem_key = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return cert.public_bytes(serialization.Encoding.PEM), pem_key


def _project(tmp_path: Path, content: bytes, file: str = "certs/monitoring-alerts.pem") -> Path:
    spec = tmp_path / "repo" / "relay.prod.yaml"
    (spec.parent / "certs").mkdir(parents=True)
    spec.write_text((ROOT / "relay.prod.yaml").read_text().replace("certs/monitoring-alerts.pem", file))
    target = (spec.parent / file)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)
    return spec


def _messages(spec: Path) -> list[str]:
    with pytest.raises(SpecError) as caught:
        load_spec(spec)
    return [p.message for p in caught.value.problems if p.path == FIELD]


def test_the_example_certificate_is_accepted():
    assert load_spec(ROOT / "relay.prod.yaml").service_accounts["monitoring-alerts"]


def test_a_bundle_with_the_private_key_is_refused_without_echoing_it(tmp_path):
    cert, key = _certificate(365)
    [message] = _messages(_project(tmp_path, cert + key))
    assert "PRIVATE KEY" in message and "only the public certificate" in message
    assert key.decode().splitlines()[1] not in message


def test_a_key_alone_or_garbage_is_refused(tmp_path):
    _, key = _certificate(365)
    assert "PRIVATE KEY" in _messages(_project(tmp_path / "a", key))[0]
    junk = b"-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n"
    assert "not a PEM X.509 certificate" in _messages(_project(tmp_path / "b", junk))[0]


def test_a_path_outside_the_project_is_refused(tmp_path):
    cert, _ = _certificate(365)
    outside = tmp_path / "elsewhere.pem"
    outside.write_bytes(cert)
    spec = _project(tmp_path, cert)
    spec.write_text(spec.read_text().replace("certs/monitoring-alerts.pem", "../elsewhere.pem"))
    assert "outside the spec's folder" in _messages(spec)[0]


def test_an_expired_certificate_is_reported_with_its_date(tmp_path):
    cert, _ = _certificate(-2)
    [message] = _messages(_project(tmp_path, cert))
    expired = (dt.datetime.now(dt.UTC) - dt.timedelta(days=2)).strftime("%Y-%m-%d")
    assert "expired on" in message and expired in message


def _refusal(spec_dir: Path, file: str) -> str:
    with pytest.raises(UsageError) as caught:
        read_public_certificate(spec_dir, file)
    return str(caught.value)


def test_the_certificate_is_returned_re_encoded_with_its_subject_and_expiry(tmp_path):
    cert, _ = _certificate(30)
    (tmp_path / "alerts.pem").write_bytes(b"comment before the block\n" + cert)
    read = read_public_certificate(tmp_path, "alerts.pem")
    assert read.pem == cert.decode("ascii")
    assert read.subject == "CN=alerts.contoso.com"
    assert read.not_after == x509.load_pem_x509_certificate(cert).not_valid_after_utc


def test_the_refusals_say_exactly_what_is_wrong(tmp_path):
    cert, key = _certificate(30)
    (tmp_path / "folder.pem").mkdir()
    (tmp_path / "two.pem").write_bytes(cert + _certificate(30)[0])
    (tmp_path / "bundle.pem").write_bytes(cert + key + b"-----BEGIN X509 CRL-----\n")
    root = tmp_path.resolve()
    assert _refusal(tmp_path, "../x.pem") == (f"certificateFile ../x.pem is outside the spec's folder {root}; "
                                              "keep the public certificate beside the spec")
    assert _refusal(tmp_path, "folder.pem") == "certificateFile folder.pem: cannot read it (Is a directory)"
    assert _refusal(tmp_path, "two.pem") == ("certificateFile two.pem holds 2 certificates; "
                                             "give the sender's own certificate only")
    assert _refusal(tmp_path, "bundle.pem") == ("certificateFile bundle.pem holds PRIVATE KEY, X509 CRL: only the "
                                                "public certificate belongs here; keep the private key on the device")


def test_a_binary_file_is_refused_as_not_pem(tmp_path):
    cert, _ = _certificate(30)
    der = x509.load_pem_x509_certificate(cert).public_bytes(serialization.Encoding.DER)
    assert any(byte > 0x7F for byte in der)
    (tmp_path / "alerts.der").write_bytes(der)
    assert _refusal(tmp_path, "alerts.der") == "certificateFile alerts.der is not a PEM X.509 certificate"


TWO_SENDERS = """version: 1
tenant: {id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a, initialDomain: contoso.onmicrosoft.com}
domains:
  contoso.com: {}
serviceAccounts:
  alerts:
    kind: application
    mailbox: alerts@contoso.com
    credential: {type: certificate, certificateFile: alerts.pem}
  backup:
    kind: application
    mailbox: backup@contoso.com
    credential: {type: certificate, certificateFile: backup.pem}
"""


def test_every_senders_certificate_file_is_checked(tmp_path):
    spec = tmp_path / "relay.yaml"
    spec.write_text(TWO_SENDERS)
    with pytest.raises(SpecError) as caught:
        load_spec(spec)
    assert [(p.path, p.message) for p in caught.value.problems] == [
        ("spec.serviceAccounts.alerts.credential.certificateFile",
         "certificateFile alerts.pem: cannot read it (No such file or directory)"),
        ("spec.serviceAccounts.backup.credential.certificateFile",
         "certificateFile backup.pem: cannot read it (No such file or directory)")]


def test_a_certificate_is_expired_from_its_last_valid_second(tmp_path, monkeypatch):
    cert, _ = _certificate(30)
    not_after = x509.load_pem_x509_certificate(cert).not_valid_after_utc

    class Frozen(dt.datetime):
        @classmethod
        def now(cls, tz: dt.tzinfo | None = None) -> Frozen:  # type: ignore[override]
            return cls.fromtimestamp(not_after.timestamp(), tz)

    monkeypatch.setattr(dt, "datetime", Frozen)
    [message] = _messages(_project(tmp_path, cert))
    assert message == f"certificate CN=alerts.contoso.com expired on {not_after:%Y-%m-%d}; give the device a new one"


@pytest.mark.parametrize("document", ["- a list\n- not a mapping\n", TWO_SENDERS.replace("    kind: application\n"
                                      "    mailbox: backup@contoso.com\n    credential: {type: certificate, "
                                      "certificateFile: backup.pem}\n", "    5\n")])
def test_a_spec_of_the_wrong_shape_is_reported_not_a_crash(tmp_path, document):
    spec = tmp_path / "relay.yaml"
    spec.write_text(document)
    (tmp_path / "alerts.pem").write_bytes(_certificate(30)[0])
    with pytest.raises(SpecError) as caught:
        load_spec(spec)
    assert caught.value.problems
    assert all(p.file == str(spec) for p in caught.value.problems)
