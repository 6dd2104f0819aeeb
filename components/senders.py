"""What a device owner types into a printer, scanner or app, per sender. Never holds a secret.

Client submission (service accounts) goes to smtp.office365.com:587 with STARTTLS; a relay
connector is reached on port 25 of the sender domain's MX endpoint, which the tenant assigns
(``mailExchange`` of the domain's serviceConfigurationRecords; ``relayctl dns`` shows it).
"""

from __future__ import annotations

from typing import Any

import pulumi

from o365relay.spec.model import Connector, RelaySpec, ServiceAccount

SUBMISSION_HOST = "smtp.office365.com"
SUBMISSION_PORT = 587
RELAY_PORT = 25
EXCHANGE_SCOPE = "https://outlook.office365.com/.default"


def from_addresses(spec: RelaySpec, account: ServiceAccount) -> list[str]:
    """The account's own mailbox, then every mailbox it may send as."""
    granted = [g.mailbox for g in spec.send_as if g.trustee == account.name and g.mailbox != account.mailbox]
    return [account.mailbox, *dict.fromkeys(granted)]


def account_settings(spec: RelaySpec, account: ServiceAccount,
                     client_id: pulumi.Input[str | None]) -> dict[str, Any]:
    settings: dict[str, Any] = {
        "method": "SMTP client submission",
        "host": SUBMISSION_HOST,
        "port": SUBMISSION_PORT,
        "tls": "STARTTLS, TLS 1.2 or later",
        "username": account.mailbox,
        "fromAddresses": from_addresses(spec, account),
    }
    if account.kind == "application":
        credential = account.credential.type if account.credential else "federated"
        settings.update({
            "auth": "XOAUTH2 (OAuth 2.0 client credentials)",
            "tenantId": spec.tenant.id,
            "clientId": client_id,
            "tokenScope": EXCHANGE_SCOPE,
            "credential": {"federated": "federated identity (no secret to store)",
                           "certificate": "certificate (private key stays on the device)",
                           "secret": "client secret (pulumi stack output --show-secrets secrets)"}[credential],
        })
    else:
        settings.update({"auth": "LOGIN (basic authentication: retire it before Microsoft does)",
                         "password": "the mailbox password" + (
                             " (initial one: pulumi stack output --show-secrets secrets)"
                             if account.create else "")})
    return settings


def connector_settings(spec: RelaySpec, connector: Connector) -> dict[str, Any]:
    domains = list(connector.sends_for or spec.domains)
    recognised = (f"sender IP {', '.join(connector.sender_ips)}" if connector.sender_ips
                  else f"TLS certificate {connector.certificate_name}")
    return {
        "method": "SMTP relay through a connector",
        "host": "the MX endpoint of the From domain (mailExchange in the tenant's domain records; "
                "relayctl dns shows it)",
        "port": RELAY_PORT,
        "tls": "STARTTLS required" if connector.require_tls else "STARTTLS when offered",
        "auth": f"none: the connector recognises the {recognised}",
        "fromAddresses": [f"*@{d}" for d in domains],
    }
