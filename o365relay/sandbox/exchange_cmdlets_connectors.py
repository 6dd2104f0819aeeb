"""Get/New/Set/Remove-InboundConnector and -OutboundConnector, from Microsoft's cmdlet reference:
https://learn.microsoft.com/powershell/module/exchangepowershell/new-inboundconnector and
https://learn.microsoft.com/powershell/module/exchangepowershell/new-outboundconnector.

Both kinds share the same four verbs (one factory registers them), and differ in parameters,
validation and output shape. Rules reproduced: names unique across the kind; inbound SenderIPAddresses
IPv4 only with masks /24 to /32; SenderDomains mandatory on New and returned as ``smtp:<domain>;1``;
``Get-InboundConnector`` with an unknown Identity returns every connector (documented caution);
outbound SmartHosts needed when UseMXRecord is false and each an FQDN, IP or CIDR; RecipientDomains
domains with at most a leading wildcard; TlsDomain only with DomainValidation;
SenderRewritingEnabled only on OnPremises; RestrictDomainsToIPAddresses needs SenderIPAddresses and
RestrictDomainsToCertificate a TlsSenderCertificateName; AssociatedAcceptedDomains must be accepted
domains (documented). Validation texts are [sandbox wording] unless noted.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from typing import Any

from o365relay.sandbox import store as st
from o365relay.sandbox.exchange_cmdlets import (
    Call,
    Doc,
    already_exists,
    as_bool,
    cmdlet,
    find_one,
    invalid,
    multi_value,
    not_found,
    result_size,
)
from o365relay.sandbox.exchange_objects import (
    exo_now,
    new_inbound_connector,
    new_outbound_connector,
    sender_domain_entry,
)

INBOUND_BOOLS = (
    "CloudServicesMailEnabled",
    "EFSkipLastIP",
    "EFTestMode",
    "Enabled",
    "RequireTls",
    "RestrictDomainsToCertificate",
    "RestrictDomainsToIPAddresses",
    "TreatMessagesAsInternal",
)
INBOUND_MULTI = (
    "AssociatedAcceptedDomains",
    "ClientHostNames",
    "EFSkipIPs",
    "EFSkipMailGateway",
    "EFUsers",
    "ScanAndDropRecipients",
    "SenderDomains",
    "SenderIPAddresses",
    "TrustedOrganizations",
)
INBOUND_TEXT = ("Comment", "ConnectorSource", "ConnectorType", "TlsSenderCertificateName")

OUTBOUND_BOOLS = (
    "AllAcceptedDomains",
    "CloudServicesMailEnabled",
    "Enabled",
    "IsTransportRuleScoped",
    "RouteAllMessagesViaOnPremises",
    "SenderRewritingEnabled",
    "TestMode",
    "UseMXRecord",
)
OUTBOUND_MULTI = ("RecipientDomains", "SmartHosts", "ValidationRecipients")
OUTBOUND_TEXT = (
    "Comment",
    "ConnectorSource",
    "ConnectorType",
    "LinkForModifiedConnector",
    "MtaStsMode",
    "SmtpDaneMode",
    "TlsDomain",
    "TlsSettings",
)

_DOMAIN = re.compile(r"^(\*|(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63})\Z", re.IGNORECASE)


def _apply(
    call: Call, doc: Doc, bools: tuple[str, ...], multi: tuple[str, ...], text: tuple[str, ...]
) -> Doc:
    """Merge the call's parameters into a connector document (Name included on Set)."""
    for name in bools:
        if call.has(name):
            doc[name] = as_bool(call, name)
    for name in multi:
        if call.has(name):
            doc[name] = multi_value(doc.get(name, []), call.get(name))
    for name in (*text, "Name"):
        if call.has(name):
            doc[name] = call.get(name)
    return doc


def _check_connector_type(doc: Doc) -> None:
    if doc["ConnectorType"] not in ("Partner", "OnPremises"):
        raise invalid(
            f'Cannot convert value "{doc["ConnectorType"]}" to type ConnectorType. Valid values '
            "are: Partner, OnPremises."
        )


def _validate_inbound(doc: Doc, store: st.Store) -> None:
    _check_connector_type(doc)
    _validate_partner_terms(doc, store)
    for value in doc["SenderIPAddresses"]:
        try:
            network = ipaddress.ip_network(str(value), strict=False)
        except ValueError:
            raise invalid(
                f'"{value}" is not a valid IP address or CIDR range for SenderIPAddresses.'
            ) from None
        if network.version != 4 or network.prefixlen < 24:
            raise invalid(
                f'The value "{value}" of SenderIPAddresses isn\'t supported. Only IPv4 addresses '
                "and IPv4 CIDR ranges with a subnet mask from /24 to /32 are allowed; IPv6 isn't "
                "supported."
            )
    domains = [d.removeprefix("smtp:").split(";")[0] for d in doc["SenderDomains"]]
    if not domains:
        raise invalid("SenderDomains can't be empty. Specify at least one domain, or * for all domains.")
    for domain in domains:
        if not _DOMAIN.match(domain):
            raise invalid(
                f'"{domain}" is not a valid SMTP domain for SenderDomains (a wildcard is allowed '
                "only as the first label, like *.contoso.com)."
            )
    doc["SenderDomains"] = [sender_domain_entry(d) for d in domains]
    if doc["TreatMessagesAsInternal"] and (
        doc["ConnectorType"] != "OnPremises" or doc["CloudServicesMailEnabled"]
    ):
        raise invalid(
            "TreatMessagesAsInternal can be $true only on an OnPremises connector without "
            "CloudServicesMailEnabled."
        )


def _validate_partner_terms(doc: Doc, store: st.Store) -> None:
    """A restriction needs what it restricts to; associated domains must be the tenant's accepted domains."""
    if doc["RestrictDomainsToIPAddresses"] and not doc["SenderIPAddresses"]:
        raise invalid("RestrictDomainsToIPAddresses can be $true only when SenderIPAddresses is set.")
    if doc["RestrictDomainsToCertificate"] and not doc["TlsSenderCertificateName"]:
        raise invalid("RestrictDomainsToCertificate can be $true only when TlsSenderCertificateName is set.")
    accepted = {str(d["id"]).lower() for d in store.list(st.DOMAIN)}
    for domain in doc["AssociatedAcceptedDomains"]:
        if str(domain).lower() not in accepted:
            raise invalid(
                f'"{domain}" in AssociatedAcceptedDomains isn\'t an accepted domain in this organization.'
            )


def _smart_host_ok(value: str) -> bool:
    """A smart host is an FQDN (an A or MX record), a single IP address or a CIDR range."""
    try:
        ipaddress.ip_network(value, strict=False)
        return True
    except ValueError:
        return bool(_DOMAIN.match(value)) and not value.startswith("*")


def _validate_outbound(doc: Doc, store: st.Store) -> None:
    _check_connector_type(doc)
    if not doc["UseMXRecord"] and not doc["SmartHosts"]:
        raise invalid("SmartHosts must be specified when UseMXRecord is $false.")
    for host in doc["SmartHosts"]:
        if not _smart_host_ok(str(host)):
            raise invalid(f'"{host}" is not a valid SmartHost (an FQDN, an IP address or a CIDR range).')
    for domain in doc["RecipientDomains"]:
        if not _DOMAIN.match(str(domain)):
            raise invalid(
                f'"{domain}" is not a valid SMTP domain for RecipientDomains (a wildcard is allowed '
                "only as the first label, like *.contoso.com)."
            )
    if doc["TlsSettings"] not in (None, "EncryptionOnly", "CertificateValidation", "DomainValidation"):
        raise invalid(f'Cannot convert value "{doc["TlsSettings"]}" to type TlsAuthLevel.')
    if doc["TlsDomain"] and doc["TlsSettings"] != "DomainValidation":
        raise invalid("TlsDomain can be set only when TlsSettings is DomainValidation.")
    if doc["SenderRewritingEnabled"] and doc["ConnectorType"] != "OnPremises":
        raise invalid("SenderRewritingEnabled can be set only on connectors of type OnPremises.")


def _register(
    noun: str,
    kind: str,
    fields: tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]],
    build: Callable[[str, dict[str, Any], str], Doc],
    validate: Callable[[Doc, st.Store], None],
    required_on_new: tuple[str, ...],
    unknown_identity_returns_all: bool,
) -> None:
    """Register Get/New/Set/Remove-<noun> over one store kind."""
    accepted = tuple(name for group in fields for name in group)

    def lookup(call: Call, identity: Any) -> Doc:
        doc = find_one(call.store, kind, identity, "Name")
        if doc is None:
            raise not_found(identity)
        return doc

    def unique(call: Call, name: str, guid: str) -> None:
        other = find_one(call.store, kind, name, "Name")
        if other is not None and other["Guid"] != guid:
            raise already_exists(name)

    @cmdlet(f"Get-{noun}", params=("Identity", "ResultSize"), reads=True)
    def get(call: Call) -> list[Doc]:
        if call.get("Identity") is not None:
            match = find_one(call.store, kind, call.get("Identity"), "Name")
            if match is not None:
                return [match]
            if not unknown_identity_returns_all:
                raise not_found(call.get("Identity"))
        return result_size(call, call.store.list(kind))

    @cmdlet(f"New-{noun}", params=accepted, required=("Name", *required_on_new))
    def new(call: Call) -> list[Doc]:
        guid = st.new_id()
        unique(call, str(call.get("Name")), guid)
        doc = _apply(call, build(str(call.get("Name")), {}, guid), *fields)
        validate(doc, call.store)
        return [call.store.insert(kind, doc)]

    @cmdlet(f"Set-{noun}", params=(*accepted, "Name"), required=("Identity",))
    def set_(call: Call) -> list[Doc]:
        doc = _apply(call, lookup(call, call.get("Identity")), *fields)
        unique(call, doc["Name"], doc["Guid"])
        validate(doc, call.store)
        doc.update({"Identity": doc["Name"], "WhenChangedUTC": exo_now()})
        call.store.put(kind, doc)
        return []

    @cmdlet(f"Remove-{noun}", required=("Identity",))
    def remove(call: Call) -> list[Doc]:
        call.store.delete(kind, lookup(call, call.get("Identity"))["id"])
        return []


_register(
    "InboundConnector",
    st.INBOUND_CONNECTOR,
    (INBOUND_BOOLS, INBOUND_MULTI, INBOUND_TEXT),
    new_inbound_connector,
    _validate_inbound,
    ("SenderDomains",),
    unknown_identity_returns_all=True,
)
_register(
    "OutboundConnector",
    st.OUTBOUND_CONNECTOR,
    (OUTBOUND_BOOLS, OUTBOUND_MULTI, OUTBOUND_TEXT),
    new_outbound_connector,
    _validate_outbound,
    (),
    unknown_identity_returns_all=False,
)
