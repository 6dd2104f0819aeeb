"""Partner inbound connectors at the MX endpoint: which one scopes a message, and whether its source matches.

Exchange Online's rules (New-InboundConnector, ``ConnectorType Partner``), as the sandbox applies them:

- An enabled Partner connector *scopes* a message whose sender domain is in its ``SenderDomains`` and,
  when ``AssociatedAcceptedDomains`` is set, whose recipient is in one of those accepted domains.
- For mail it scopes: ``RequireTls`` refuses mail not sent over TLS; ``RestrictDomainsToIPAddresses``
  refuses mail whose source IP is outside ``SenderIPAddresses``; ``RestrictDomainsToCertificate``
  refuses mail whose TLS certificate's subject does not match ``TlsSenderCertificateName`` (5.7.51).
- A message that matches a scoping connector on its source IP or its certificate is *attributed* to it,
  so ``RejectDirectSend`` spares it (only connectors that match on sender IP or certificate count,
  Set-OrganizationConfig). A connector with neither restriction nor match refuses nothing and attributes
  nothing: the message is direct send.
- Partner connectors never relay: recipients outside the tenant's domains still get 5.7.64.

The certificate names are those of a client certificate the MX endpoint verified during STARTTLS
(the sandbox trusts its own CA, ``relayctl sandbox partner-cert`` issues one; Exchange trusts public CAs).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Any

from o365relay.sandbox import smtp_replies as replies
from o365relay.sandbox import store as st


class PartnerRefusal(Exception):
    """A Partner connector scopes the message and its source does not meet the connector's terms."""

    def __init__(self, reply: str):
        self.reply = reply
        super().__init__(reply)


def attributing_partner(
    store: st.Store, ip: str, sender: str, recipient: str, tls: bool, cert_names: Iterable[str]
) -> st.Doc | None:
    """The Partner connector this message is attributed to, None when none is; :class:`PartnerRefusal`
    when a connector scopes it and refuses it (and no other scoping connector accepts it)."""
    names = tuple(n.lower() for n in cert_names)
    refusal: str | None = None
    for connector in _scoping(store, sender, recipient):
        reply = _refusal(connector, ip, tls, names)
        if reply is None and (_ip_matches(connector, ip) or _cert_matches(connector, names)):
            return connector
        refusal = refusal or reply
    if refusal is not None:
        raise PartnerRefusal(refusal)
    return None


def _scoping(store: st.Store, sender: str, recipient: str) -> list[st.Doc]:
    sender_domain, recipient_domain = _domain(sender), _domain(recipient)
    return [
        c for c in store.list(st.INBOUND_CONNECTOR)
        if c.get("ConnectorType") == "Partner" and c.get("Enabled", True)
        and any(domain_matches(sender_domain, entry) for entry in c.get("SenderDomains", []))
        and (not c.get("AssociatedAcceptedDomains")
             or recipient_domain in {str(d).lower() for d in c["AssociatedAcceptedDomains"]})
    ]


def _refusal(connector: st.Doc, ip: str, tls: bool, cert_names: tuple[str, ...]) -> str | None:
    if connector.get("RequireTls", True) and not tls:
        return replies.CONNECTOR_NEEDS_TLS
    if connector.get("RestrictDomainsToIPAddresses") and not _ip_matches(connector, ip):
        return replies.PARTNER_RESTRICTED
    if connector.get("RestrictDomainsToCertificate") and not _cert_matches(connector, cert_names):
        return replies.PARTNER_RESTRICTED
    return None


def _ip_matches(connector: st.Doc, ip: str) -> bool:
    try:
        address = ipaddress.IPv4Address(ip)
    except ValueError:
        return False
    return any(ip_in(address, entry) for entry in connector.get("SenderIPAddresses", []))


def _cert_matches(connector: st.Doc, cert_names: tuple[str, ...]) -> bool:
    wanted = str(connector.get("TlsSenderCertificateName") or "").lower()
    wildcard = wanted.startswith("*.")
    return bool(wanted) and any(name == wanted or (wildcard and name.endswith(wanted[1:])) for name in cert_names)


def ip_in(address: ipaddress.IPv4Address, entry: str) -> bool:
    """Whether ``address`` is in a connector's ``SenderIPAddresses`` entry (an IPv4 or a CIDR range)."""
    try:
        return address in ipaddress.IPv4Network(str(entry), strict=False)
    except ValueError:
        return False


def domain_matches(domain: str, entry: Any) -> bool:
    """A SenderDomains entry (``smtp:*;1`` / ``*.contoso.com`` / ``contoso.com``) against a sender's domain;
    ``*.contoso.com`` is contoso.com itself and all its subdomains, as New-InboundConnector documents."""
    pattern = str(entry).lower()
    if pattern.startswith("smtp:"):
        pattern = pattern[5:]
    pattern = pattern.split(";")[0]
    if pattern == "*":
        return True
    if pattern.startswith("*."):
        return domain == pattern[2:] or domain.endswith(pattern[1:])
    return domain == pattern


def certificate_names(peercert: dict[str, Any] | None) -> tuple[str, ...]:
    """Subject common names and DNS subject alternative names of a verified peer certificate."""
    if not peercert:
        return ()
    names = [value for rdn in peercert.get("subject", ()) for key, value in rdn if key == "commonName"]
    names += [value for kind, value in peercert.get("subjectAltName", ()) if kind == "DNS"]
    return tuple(dict.fromkeys(names))


def _domain(address: str) -> str:
    return address.rpartition("@")[2].lower()
