"""The partner connector: the same InboundConnector noun as the relay's, of type Partner, for a SaaS platform
that sends as the tenant's domains. Its sender IPs and certificate name restrict the sender domains to the
partner (the restrictions are derived from them being given). Microsoft's reference: New-InboundConnector
(RestrictDomainsToIPAddresses, RestrictDomainsToCertificate, AssociatedAcceptedDomains, RequireTls: Partner
type connectors only)."""

from __future__ import annotations

from typing import Any

from o365relay import exchange_values as xv
from o365relay.kinds.base import Field, Kind
from o365relay.kinds.inbound_connector import inbound_fields
from o365relay.spec.addresses import check_domain

PARTNER_TYPE = "Partner"

PARTNER_CONNECTOR = Kind(
    name="partner connector",
    noun="InboundConnector",
    identity="name",
    fields=inbound_fields(
        PARTNER_TYPE,
        Field("restrict_domains_to_ip_addresses", bool, "RestrictDomainsToIPAddresses", spec="restricted_to_ips",
              norm=xv.boolean),
        Field("restrict_domains_to_certificate", bool, "RestrictDomainsToCertificate",
              spec="restricted_to_certificate", norm=xv.boolean),
        Field("associated_accepted_domains", list, "AssociatedAcceptedDomains", spec="accepted_domains",
              norm=xv.sender_domains, item_check=check_domain),
    ),
    outputs=(("guid", "Guid"),),
    extra_evidence=("WhenChangedUTC",),
)

# Spec attributes the descriptor reads that the spec derives rather than declares (an export leaves them out).
DERIVED = ("restricted_to_ips", "restricted_to_certificate")


def is_partner(row: dict[str, Any]) -> bool:
    """Whether a Get-InboundConnector row is a Partner connector."""
    return PARTNER_CONNECTOR.value(row, "connector_type") == PARTNER_TYPE
