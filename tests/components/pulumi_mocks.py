"""Render the Pulumi program with made-up provider outputs, for the program's tests.

The renderer and RecordingMonitor are in pulumi_render; TenantMocks'
outputs are what the real providers would return, shaped from the reference (azuread ids, the
Exchange SP identity, DKIM selector CNAMEs as the tenant reports them).
"""

from __future__ import annotations

import datetime
import hashlib
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pulumi
import pulumi_render
from pulumi.runtime import rpc
from pulumi_render import RecordingMonitor, Registration  # noqa: F401  (tests use pm.*)
from pulumi_values import strip_secrets as unwrap  # noqa: F401  (tests call pm.unwrap)

from components.providers.session import PROJECT  # noqa: F401  (tests use pm.PROJECT)

STACK = "test"
EXCHANGE_ONLINE_APP_ID = "00000002-0000-0ff1-ce00-000000000000"
SMTP_SEND_AS_APP_ROLE = "7b9e2e5b-7f5a-4f32-9f1d-5c4b1f0c3d2e"
EXCHANGE_ONLINE_SP_OBJECT_ID = "0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d"
DEPLOYER_OBJECT_ID = "5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9"  # the service principal running `pulumi up`


def stable_guid(*parts: str) -> str:
    return str(uuid.UUID(hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]))


def dkim_cname(domain: str, selector: int) -> str:
    """A classic-format selector target, as Get-DkimSigningConfig of the seed reports it."""
    return f"selector{selector}-{domain.replace('.', '-')}._domainkey.contoso.onmicrosoft.com"


class TenantMocks(pulumi.runtime.Mocks):
    """Outputs of each resource type as its provider would compute them."""

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict]:
        inputs = dict(args.inputs)
        typ, name = args.typ, args.name
        rid = stable_guid(typ, name)
        outs: dict[str, Any] = dict(inputs)
        if typ == "azuread:index/application:Application":
            outs.update(clientId=stable_guid("client", name), objectId=rid)
            rid = f"/applications/{rid}"  # the azuread provider's id form, what application_id takes
        elif typ == "azuread:index/servicePrincipal:ServicePrincipal":
            outs.update(objectId=rid)
            rid = f"/servicePrincipals/{rid}"
        elif typ == "azuread:index/user:User":
            outs.update(objectId=rid)
        elif typ == "azuread:index/applicationPassword:ApplicationPassword":
            outs.update(value=f"client-secret-of-{name}", keyId=rid)
        elif typ == "random:index/randomPassword:RandomPassword":
            outs.update(result=f"generated-{name}-Pw1!", id="none")
        elif typ == "pulumi-python:dynamic/exchange:ServicePrincipal":
            outs.update(identity=stable_guid("exo-sp", name))
            rid = str(inputs.get("app_id"))
        elif typ == "pulumi-python:dynamic/exchange:DkimSigningConfig":
            domain = str(inputs["domain"])
            outs.update(selector1_cname=dkim_cname(domain, 1), selector2_cname=dkim_cname(domain, 2),
                        status="Valid")
            rid = domain
        elif typ == "pulumi-python:dynamic/graph:LicenseAssignment":
            outs.update(sku_id=stable_guid("sku", str(inputs.get("sku_part_number"))))
        if args.custom:
            outs["id"] = rid
        return (rid if args.custom else None), outs

    def call(self, args: pulumi.runtime.MockCallArgs) -> dict:
        if args.token == "azuread:index/getServicePrincipal:getServicePrincipal":
            assert args.args.get("clientId") == EXCHANGE_ONLINE_APP_ID, args.args
            return {"clientId": EXCHANGE_ONLINE_APP_ID, "objectId": EXCHANGE_ONLINE_SP_OBJECT_ID,
                    "id": EXCHANGE_ONLINE_SP_OBJECT_ID, "displayName": "Office 365 Exchange Online",
                    "appRoleIds": {"SMTP.SendAsApp": SMTP_SEND_AS_APP_ROLE,
                                   "Exchange.ManageAsApp": "dc50a0fb-09a3-484d-be87-e023b12c6440"}}
        if args.token == "azuread:index/getClientConfig:getClientConfig":
            return {"clientId": stable_guid("deployer"), "objectId": DEPLOYER_OBJECT_ID,
                    "tenantId": "7a3f6c1e-0000-4000-8000-000000000001", "id": "clientConfigs/deployer"}
        raise AssertionError(f"unexpected invoke {args.token}")


def render(program: Callable[[], Any], config: dict[str, str], mocks: pulumi.runtime.Mocks | None = None,
           preview: bool = False, secret_keys: list[str] | None = None) -> RecordingMonitor:
    """The product's renderer, with TenantMocks' made-up outputs unless ``mocks`` is given."""
    return pulumi_render.render(program, config, mocks or TenantMocks(), stack=STACK, preview=preview,
                                 secret_keys=secret_keys)


def is_secret(value: Any) -> bool:
    return isinstance(value, dict) and value.get(rpc._special_sig_key) == rpc._special_secret_sig


EXAMPLE_SPEC = Path(__file__).resolve().parents[2] / "relay.prod.yaml"


def write_certificate(path: Path, common_name: str = "monitoring-alerts") -> None:
    """A self-signed public certificate (PEM), as a certificate credential's certificateFile holds."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now)
            .not_valid_after(now + datetime.timedelta(days=365)).sign(key, hashes.SHA256()))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def write_project(directory: Path, spec_text: str | None = None) -> Path:
    """A project folder holding the spec (the example by default) and the certificate it names."""
    spec = directory / "relay.test.yaml"
    spec.write_text(spec_text if spec_text is not None else EXAMPLE_SPEC.read_text())
    write_certificate(directory / "certs" / "monitoring-alerts.pem")
    return spec


def stack_config(spec: Path, **extra: str) -> dict[str, str]:
    return {"o365-relay:spec": str(spec), "o365-relay:tenantId": "7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a",
            **{f"o365-relay:{k}": v for k, v in extra.items()}}
