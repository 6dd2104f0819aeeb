"""The inbound connector (New/Set/Get/Remove-InboundConnector) as the relay declares it: an
OnPremises connector that recognises devices by sender IP or TLS certificate name."""

from __future__ import annotations

from o365relay import exchange_values as xv
from o365relay.kinds.base import Field, Kind
from o365relay.spec.addresses import check_domain, sender_ip_problem

RELAY_TYPE = "OnPremises"  # only OnPremises connectors may relay to the internet


def inbound_fields(connector_type: str, *own: Field) -> tuple[Field, ...]:
    """The fields every inbound connector has, of ``connector_type``: one declaration for the relay's and
    the partner's. A type's ``own`` fields come after the ones that recognise the sender."""
    return (
        Field("name", str, "Name", spec="name", replace=True, norm=xv.lower),
        Field("connector_type", str, "ConnectorType", fixed=connector_type, choices=("OnPremises", "Partner")),
        Field("sender_ips", list, "SenderIPAddresses", spec="sender_ips", norm=xv.ip_ranges,
              item_check=sender_ip_problem),
        Field("sender_domains", list, "SenderDomains", spec="sender_domains", norm=xv.sender_domains,
              item_check=check_domain, read_normalised=True),
        Field("tls_sender_certificate_name", str, "TlsSenderCertificateName", spec="certificate_name",
              required=False, norm=xv.optional_lower, item_check=check_domain),
        *own,
        Field("require_tls", bool, "RequireTls", spec="require_tls", norm=xv.boolean),
        Field("enabled", bool, "Enabled", spec="enabled", norm=xv.boolean),
        Field("comment", str, "Comment", spec="comment", required=False, unset=""),
    )


INBOUND_CONNECTOR = Kind(
    name="inbound connector",
    noun="InboundConnector",
    identity="name",
    fields=inbound_fields(RELAY_TYPE),
    outputs=(("guid", "Guid"),),
    extra_evidence=("WhenChangedUTC",),
)

def is_relay(row: dict[str, object]) -> bool:
    """Whether a Get-InboundConnector row is a relay (OnPremises) connector, the only type the spec declares."""
    return INBOUND_CONNECTOR.value(row, "connector_type") == RELAY_TYPE
