"""The outbound connector (New/Set/Get/Remove-OutboundConnector): a route from Exchange Online to
partners or smart hosts, with its TLS."""

from __future__ import annotations

from o365relay import exchange_values as xv
from o365relay.kinds.base import Field, Kind
from o365relay.spec.addresses import check_domain, check_smart_host

# Partner: mail leaves for other organisations. (OnPremises is the hybrid form, which would also let
# the connector rewrite senders and treat mail as internal: nothing this spec asks for.)
ROUTE_TYPE = "Partner"
TLS_SETTINGS = ("EncryptionOnly", "CertificateValidation", "DomainValidation")

OUTBOUND_CONNECTOR = Kind(
    name="outbound connector",
    noun="OutboundConnector",
    identity="name",
    fields=(
        Field("name", str, "Name", spec="name", replace=True, norm=xv.lower),
        Field("connector_type", str, "ConnectorType", fixed=ROUTE_TYPE, choices=("Partner", "OnPremises")),
        Field("recipient_domains", list, "RecipientDomains", spec="recipient_domains", norm=xv.sender_domains,
              item_check=check_domain),
        Field("is_transport_rule_scoped", bool, "IsTransportRuleScoped", spec="transport_rule_scoped",
              norm=xv.boolean),
        Field("smart_hosts", list, "SmartHosts", spec="smart_hosts", norm=xv.smart_hosts,
              item_check=check_smart_host),
        Field("use_mx_record", bool, "UseMXRecord", spec="use_mx_record", norm=xv.boolean),
        Field("tls_settings", str, "TlsSettings", spec="tls", required=False, norm=xv.optional_text,
              choices=TLS_SETTINGS),
        Field("tls_domain", str, "TlsDomain", spec="tls_domain", required=False, norm=xv.optional_lower,
              item_check=check_domain),
        Field("enabled", bool, "Enabled", spec="enabled", norm=xv.boolean),
        Field("comment", str, "Comment", spec="comment", required=False, unset=""),
    ),
    outputs=(("guid", "Guid"),),
    extra_evidence=("WhenChangedUTC",),
)
