"""Graph's full shapes of an application and a service principal: what a GET returns when the
object holds only what its creator set.

Why: Graph answers every property of these types, with ``null``, ``[]`` or a default complex value
for the ones nobody set (the "Create application" response in Graph's v1.0 reference shows them), and
clients that map the reply onto a schema (the azuread provider's read after create and on refresh)
compare against that full shape. The sandbox stores only what was written and fills the rest here,
at read time, so objects seeded before a default was added read the same way.

Writable properties are those of Graph's v1.0 ``application`` / ``servicePrincipal`` resources; a write
naming anything else is Graph's 400 "Property '...' does not exist on type". ``BETA_ONLY`` lists
properties only the beta endpoint knows.
"""

from __future__ import annotations

import copy
from typing import Any

_INFO = {"logoUrl": None, "marketingUrl": None, "privacyStatementUrl": None, "supportUrl": None,
         "termsOfServiceUrl": None}
_VERIFIED_PUBLISHER = {"displayName": None, "verifiedPublisherId": None, "addedDateTime": None}

APPLICATION_DEFAULTS: dict[str, Any] = {
    "deletedDateTime": None, "addIns": [], "api": {
        "acceptMappedClaims": None, "knownClientApplications": [], "requestedAccessTokenVersion": None,
        "oauth2PermissionScopes": [], "preAuthorizedApplications": []},
    "appRoles": [], "applicationTemplateId": None, "certification": None, "defaultRedirectUri": None,
    "description": None, "disabledByMicrosoftStatus": None, "groupMembershipClaims": None,
    "identifierUris": [], "info": _INFO, "isDeviceOnlyAuthSupported": None, "isFallbackPublicClient": None,
    "keyCredentials": [], "nativeAuthenticationApisEnabled": None, "notes": None,
    "optionalClaims": None, "parentalControlSettings": {"countriesBlockedForMinors": [],
                                                        "legalAgeGroupRule": "Allow"},
    "passwordCredentials": [], "publicClient": {"redirectUris": []}, "requestSignatureVerification": None,
    "requiredResourceAccess": [], "samlMetadataUrl": None, "serviceManagementReference": None,
    "servicePrincipalLockConfiguration": None, "signInAudience": "AzureADMyOrg",
    "spa": {"redirectUris": []}, "tags": [], "tokenEncryptionKeyId": None, "uniqueName": None,
    "verifiedPublisher": _VERIFIED_PUBLISHER,
    "web": {"homePageUrl": None, "logoutUrl": None, "redirectUris": [], "redirectUriSettings": [],
            "implicitGrantSettings": {"enableAccessTokenIssuance": False, "enableIdTokenIssuance": False}},
}
APPLICATION_BETA_DEFAULTS: dict[str, Any] = {"oauth2RequirePostResponse": False}

SERVICE_PRINCIPAL_DEFAULTS: dict[str, Any] = {
    "deletedDateTime": None, "accountEnabled": True, "addIns": [], "alternativeNames": [],
    "appDescription": None, "applicationTemplateId": None, "appRoleAssignmentRequired": False,
    "appRoles": [], "description": None, "disabledByMicrosoftStatus": None, "homepage": None,
    "info": _INFO, "keyCredentials": [], "loginUrl": None, "logoutUrl": None, "notes": None,
    "notificationEmailAddresses": [], "oauth2PermissionScopes": [], "passwordCredentials": [],
    "preferredSingleSignOnMode": None, "preferredTokenSigningKeyThumbprint": None, "replyUrls": [],
    "resourceSpecificApplicationPermissions": [], "samlMetadataUrl": None,
    "samlSingleSignOnSettings": None, "servicePrincipalType": "Application",
    "signInAudience": "AzureADMyOrg", "tags": [], "tokenEncryptionKeyId": None,
    "verifiedPublisher": _VERIFIED_PUBLISHER,
}

# Writable on create and update (v1.0 reference, "Properties" tables; read-only ones left out).
APPLICATION_WRITABLE = frozenset({
    "addIns", "api", "appRoles", "authenticationBehaviors", "defaultRedirectUri", "description",
    "displayName", "groupMembershipClaims", "identifierUris", "info", "isDeviceOnlyAuthSupported",
    "isFallbackPublicClient", "keyCredentials", "logo", "nativeAuthenticationApisEnabled", "notes",
    "optionalClaims", "parentalControlSettings", "publicClient", "requestSignatureVerification",
    "requiredResourceAccess", "samlMetadataUrl", "serviceManagementReference",
    "servicePrincipalLockConfiguration", "signInAudience", "spa", "tags", "tokenEncryptionKeyId",
    "web",
})
SERVICE_PRINCIPAL_WRITABLE = frozenset({
    "accountEnabled", "addIns", "alternativeNames", "appDescription", "appRoleAssignmentRequired",
    "appRoles", "description", "homepage", "info", "keyCredentials", "loginUrl", "logoutUrl", "notes",
    "notificationEmailAddresses", "oauth2PermissionScopes", "preferredSingleSignOnMode",
    "preferredTokenSigningKeyThumbprint", "replyUrls", "samlSingleSignOnSettings",
    "servicePrincipalNames", "servicePrincipalType", "tags", "tokenEncryptionKeyId",
})
BETA_ONLY = {"application": frozenset(APPLICATION_BETA_DEFAULTS)}


def with_defaults(doc: dict[str, Any], defaults: dict[str, Any]) -> dict[str, Any]:
    """``doc`` with every default property it lacks, nested complex values filled the same way."""
    out = copy.deepcopy(defaults)
    for key, value in doc.items():
        default = out.get(key)
        out[key] = with_defaults(value, default) if isinstance(value, dict) and isinstance(default, dict) \
            else value
    return out


def strip_odata(value: Any) -> Any:
    """A written value without ``@odata.*`` annotations at any depth (Graph does not echo them)."""
    if isinstance(value, dict):
        return {k: strip_odata(v) for k, v in value.items() if not k.startswith("@odata.")}
    if isinstance(value, list):
        return [strip_odata(v) for v in value]
    return value
