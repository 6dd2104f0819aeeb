"""Name the one cause among several that Exchange words alike."""

from __future__ import annotations

from o365relay.smtp.explain import Diagnosis, by_key, explain
from o365relay.spec.model import Connector, PartnerConnector
from o365relay.tenant.settings import Endpoints

NOT_RECOGNISED = ("5.7.64", "5.7.68")  # no connector matched the sending IP: tenant attribution failed
PARTNER_MISSED = ("5.7.51", "5.7.68")  # a partner connector refused the source, or none attributed it


async def diagnose_oauth(endpoints: Endpoints, token: str, client_id: str, reply: str) -> Diagnosis:
    """Exchange answers 535 5.7.3 for a token without SMTP.SendAsApp, an app not registered as an
    Exchange service principal, and a missing FullAccess alike: check which applies."""
    from o365relay.kinds.service_principal import SERVICE_PRINCIPAL
    from o365relay.smtp.xoauth2 import token_roles
    from o365relay.tenant.exchange import ExchangeClient

    if "SMTP.SendAsApp" not in token_roles(token):
        key = "auth-no-role"
    else:
        async with ExchangeClient(endpoints) as exo:
            sps = await exo.invoke(f"Get-{SERVICE_PRINCIPAL.noun}")
        registered = any(SERVICE_PRINCIPAL.app_id_of(sp) == client_id.lower() for sp in sps)
        key = "auth-no-fullaccess" if registered else "auth-no-service-principal"
    generic = explain(reply)
    return Diagnosis(reply, "5.7.3", by_key(key), tuple(e for e in (generic.explanation,) if e))


def not_recognised(connector: Connector, sending_ip: str | None) -> str:
    """What 5.7.64/5.7.68 means for a connector test: Exchange matched no connector to the IP the
    message came from, so that IP is missing from the connector's senderIPs."""
    listed = ", ".join(connector.sender_ips) or "none"
    where = f"connectors.{connector.name}.senderIPs ({listed})"
    if sending_ip:
        return (f"the message came from {sending_ip}, which {where} does not cover: add {sending_ip} to "
                f"senderIPs (or send from a listed address), then apply")
    return (f"Exchange matched no connector to this host's public IP: {where}; add the address this host's "
            f"mail leaves from (after NAT), then apply")


def partner_missed(partner: PartnerConnector, sending_ip: str | None, cert_names: tuple[str, ...] | None) -> str:
    """Why a partner test was refused or went in as direct send, from the spec's partner connector: the
    IP it came from, the certificate it presented (None: none given), against what the connector pins."""
    import ipaddress

    where = f"connectors.{partner.name}"
    if not partner.sender_ips and not partner.certificate_name:
        return (f"partner connector {partner.name} names neither senderIPs nor certificateName, so Exchange "
                "attributes no mail to it (lint: partner-restricted): pin it to the partner's IPs or certificate")
    reasons = []
    if partner.sender_ips and sending_ip:
        address = ipaddress.IPv4Address(sending_ip)
        if not any(address in ipaddress.IPv4Network(r, strict=False) for r in partner.sender_ips):
            reasons.append(f"it came from {sending_ip}, which {where}.senderIPs ({', '.join(partner.sender_ips)}) "
                           "does not list")
    if partner.certificate_name:
        wanted = partner.certificate_name
        if not cert_names:
            reasons.append(f"it presented no certificate, and {where}.certificateName wants {wanted} "
                           "(give the partner's with --client-cert and --client-key)")
        elif not any(_name_matches(n, wanted) for n in cert_names):
            reasons.append(f"its certificate names {', '.join(cert_names)}, not {wanted}")
    if not reasons:
        return f"partner connector {partner.name} as the spec declares it would take this source: apply the spec"
    return ("; ".join(reasons) + ": mail from anywhere else is refused, as it should be; if the partner changed "
            "its addresses or certificate, update the spec from its published list and apply")


def certificate_names(cert_file: str) -> tuple[str, ...]:
    """The subject common name and DNS alternative names of a PEM certificate file."""
    import contextlib
    from pathlib import Path

    from cryptography import x509
    from cryptography.x509.oid import NameOID

    cert = x509.load_pem_x509_certificate(Path(cert_file).read_bytes())
    names = [str(a.value) for a in cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)]
    with contextlib.suppress(x509.ExtensionNotFound):
        names += cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(
            x509.DNSName)
    return tuple(dict.fromkeys(n.lower() for n in names))


def _name_matches(name: str, wanted: str) -> bool:
    """A certificate name against ``TlsSenderCertificateName`` (``*.x`` takes x's subdomains)."""
    wanted = wanted.lower()
    return name == wanted or (wanted.startswith("*.") and name.endswith(wanted[1:]))
