"""Exchange objects in the shapes the cmdlets return (shared by the seed and the cmdlet handlers).

Shapes follow the live records in the reference notes (section 2): Get-InboundConnector,
Get-OutboundConnector, Get-DkimSigningConfig. Permission rows have no live capture [UNCONFIRMED];
they carry the documented output fields.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from o365relay.sandbox import store as st


def exo_now() -> str:
    """Exchange's timestamp format: seven fractional digits and a Z."""
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f0Z")


def sender_domain_entry(domain: str) -> str:
    """``contoso.com`` -> ``smtp:contoso.com;1`` (the address-space form Get-InboundConnector returns)."""
    domain = domain.strip()
    if domain.lower().startswith("smtp:"):
        domain = domain[5:]
    return f"smtp:{domain.split(';')[0]};1"


INBOUND_DEFAULTS: dict[str, Any] = {
    "Enabled": True,
    "ConnectorType": "Partner",
    "ConnectorSource": "AdminUI",
    "Comment": "",
    "SenderIPAddresses": [],
    "SenderDomains": [],
    "TrustedOrganizations": [],
    "ClientHostNames": [],
    "AssociatedAcceptedDomains": [],
    "RequireTls": True,
    "RestrictDomainsToIPAddresses": False,
    "RestrictDomainsToCertificate": False,
    "CloudServicesMailEnabled": False,
    "TreatMessagesAsInternal": False,
    "TlsSenderCertificateName": None,
    "EFTestMode": False,
    "ScanAndDropRecipients": [],
    "EFSkipLastIP": False,
    "EFSkipIPs": [],
    "EFSkipMailGateway": [],
    "EFUsers": [],
    "AdminDisplayName": "",
}

OUTBOUND_DEFAULTS: dict[str, Any] = {
    "Enabled": True,
    "UseMXRecord": True,
    "Comment": "",
    "ConnectorType": "Partner",
    "ConnectorSource": "AdminUI",
    "RecipientDomains": [],
    "SmartHosts": [],
    "TlsDomain": None,
    "TlsSettings": None,
    "IsTransportRuleScoped": False,
    "RouteAllMessagesViaOnPremises": False,
    "CloudServicesMailEnabled": False,
    "AllAcceptedDomains": False,
    "SenderRewritingEnabled": False,
    "MtaStsMode": "Opportunistic",
    "SmtpDaneMode": "Opportunistic",
    "TestMode": False,
    "ValidationRecipients": [],
    "IsValidated": False,
    "LastValidationTimestamp": None,
}


def _named_object(defaults: dict[str, Any], name: str, params: dict[str, Any], guid: str) -> st.Doc:
    now = exo_now()
    doc = {
        **defaults,
        **params,
        "Name": name,
        "Identity": name,
        "Guid": guid,
        "id": guid,
        "WhenCreatedUTC": now,
        "WhenChangedUTC": now,
        "IsValid": True,
    }
    return doc


def new_inbound_connector(name: str, params: dict[str, Any], guid: str) -> st.Doc:
    """A Get-InboundConnector object from New-InboundConnector parameters (already validated)."""
    params = dict(params)
    if "SenderDomains" in params:
        params["SenderDomains"] = [sender_domain_entry(d) for d in params["SenderDomains"]]
    return _named_object(INBOUND_DEFAULTS, name, params, guid)


def new_outbound_connector(name: str, params: dict[str, Any], guid: str) -> st.Doc:
    """A Get-OutboundConnector object from New-OutboundConnector parameters (already validated)."""
    return _named_object(OUTBOUND_DEFAULTS, name, params, guid)


def new_dkim_config(domain: str, facts: dict[str, Any], key_size: int, guid: str) -> st.Doc:
    """A disabled Get-DkimSigningConfig object for ``domain`` with the tenant's selector CNAMEs."""
    now = exo_now()
    return {
        "id": domain,
        "Domain": domain,
        "Identity": domain,
        "Id": domain,
        "Name": domain,
        "Guid": guid,
        "AdminDisplayName": "",
        "Enabled": False,
        "IsDefault": False,
        "Status": "CnameMissing",
        "Selector1CNAME": facts.get("selector1CNAME"),
        "Selector2CNAME": facts.get("selector2CNAME"),
        "Selector1KeySize": key_size,
        "Selector2KeySize": key_size,
        "Selector1PublicKey": f"v=DKIM1; k=rsa; p=<sandbox {key_size}-bit key 1>;",
        "Selector2PublicKey": f"v=DKIM1; k=rsa; p=<sandbox {key_size}-bit key 2>;",
        "HeaderCanonicalization": "Relaxed",
        "BodyCanonicalization": "Relaxed",
        "Algorithm": "RsaSHA256",
        "NumberOfBytesToSign": "All",
        "IncludeSignatureCreationTime": True,
        "IncludeKeyExpiration": False,
        "KeyCreationTime": now,
        "LastChecked": now,
        "RotateOnDate": now,
        "SelectorBeforeRotateOnDate": "selector2",
        "SelectorAfterRotateOnDate": "selector1",
        "IsValid": True,
        "WhenCreatedUTC": now,
        "WhenChangedUTC": now,
    }


def exo_service_principal(app_id: str, object_id: str, display_name: str, guid: str) -> st.Doc:
    """A Get-ServicePrincipal object; its Identity is what Add-MailboxPermission -User takes."""
    return {
        "id": object_id,
        "AppId": app_id,
        "ObjectId": object_id,
        "ServiceId": object_id,
        "DisplayName": display_name,
        "Identity": object_id,
        "Name": object_id,
        "Guid": guid,
        "IsValid": True,
        "WhenCreatedUTC": exo_now(),
    }


def exo_mailbox_fields(user: st.Doc) -> st.Doc:
    """How Exchange names a mailbox: Name/Identity (the alias), address, ids."""
    return {
        "id": user["id"],
        "Name": user["mailNickname"],
        "Identity": user["mailNickname"],
        "PrimarySmtpAddress": user["mail"],
        "UserPrincipalName": user["userPrincipalName"],
        "ExternalDirectoryObjectId": user["id"],
        "Guid": user["xExchangeGuid"],
    }


def permission_doc(kind: str, mailbox: st.Doc, trustee: st.Doc, right: str) -> st.Doc:
    """A RecipientPermission (SendAs) or MailboxPermission (FullAccess) row."""
    common = {
        "id": f"{mailbox['id']}|{trustee['id']}|{right}",
        "Identity": mailbox["Identity"],
        "AccessRights": [right],
        "IsInherited": False,
        "xMailboxId": mailbox["id"],
    }
    if kind == st.RECIPIENT_PERMISSION:
        return {
            **common,
            "Trustee": trustee["Identity"],
            "AccessControlType": "Allow",
            "InheritanceType": "None",
            "xTrusteeId": trustee["id"],
        }
    return {
        **common,
        "User": trustee["Identity"],
        "Deny": False,
        "InheritanceType": "All",
        "xUserId": trustee["id"],
    }
