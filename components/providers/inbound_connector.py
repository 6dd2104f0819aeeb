"""exchange:InboundConnector: the OnPremises connector that lets devices relay by IP or certificate."""

from __future__ import annotations

import pulumi
from pulumi.dynamic import CheckFailure

from components.providers import exo
from components.providers.base import Props, TenantResource
from components.providers.connector import ConnectorProvider
from components.providers.session import TenantSession
from o365relay import exchange_values as xv
from o365relay.errors import UsageError
from o365relay.kinds import accepted_domain
from o365relay.kinds.inbound_connector import INBOUND_CONNECTOR


class InboundConnectorProvider(ConnectorProvider):
    descriptor = INBOUND_CONNECTOR

    def validate(self, props: Props) -> list[CheckFailure]:
        failures = []
        if not props.get("sender_ips") and not props.get("tls_sender_certificate_name"):
            failures.append(CheckFailure("sender_ips", "a relay connector needs sender_ips or "
                                         "tls_sender_certificate_name to recognise its devices"))
        if not props.get("sender_domains"):
            failures.append(CheckFailure("sender_domains", "sender_domains must not be empty (use ['*'])"))
        return failures

    async def create_object(self, session: TenantSession, props: Props) -> Props:
        await _certificate_in_accepted_domain(session, props)
        return await super().create_object(session, props)

    async def update_object(self, session: TenantSession, olds: Props, news: Props) -> Props:
        await _certificate_in_accepted_domain(session, news)
        return await super().update_object(session, olds, news)


async def _certificate_in_accepted_domain(session: TenantSession, props: Props) -> None:
    """Exchange matches a connector's certificate only if its name is in one of the tenant's accepted
    domains (the certificate's CN/SAN must be a domain registered in Microsoft 365)."""
    name = xv.lower(props.get("tls_sender_certificate_name")).removeprefix("*.")
    if not name:
        return
    accepted = accepted_domain.domains(await exo.invoke(session, "Get-AcceptedDomain"))
    if not any(name == d or name.endswith("." + d) for d in accepted):
        raise UsageError(f"connector {props.get('name')}: certificate name {name} is in none of the tenant's "
                         f"accepted domains ({', '.join(accepted)}); use a name under one of them, or add and "
                         "verify its domain in Microsoft 365 first")


class InboundConnector(TenantResource, module="exchange", name="InboundConnector"):
    """An Exchange Online inbound connector (``pulumi-python:dynamic/exchange:InboundConnector``)."""

    guid: pulumi.Output[str]

    provider_class = InboundConnectorProvider
    computed_outputs = ("guid",)
