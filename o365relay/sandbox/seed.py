"""Seed files: the tenant a fresh sandbox starts with.

A seed is YAML. Named things are mappings keyed by their name so that ``extends`` can patch them:
the child is merged into the parent file recursively (mappings merge, anything else replaces).
Object ids are derived from the tenant id and the object's name (uuid5), so every sandbox seeded
from the same file has the same ids. Secrets and passwords are never written in a seed: ``generate``
makes a random one at seeding time, stored hashed in the tenant and in clear in the store's meta
table (sandbox-only test credentials; read them with ``Sandbox.secret_for`` / ``password_for``)::

    extends: default.yaml                    # optional, relative to this file
    tenant:
      id: 7a3f6c1e-...                       # tenant GUID
      displayName: Contoso
      initialDomain: contoso.onmicrosoft.com
      smtpAuthDisabled: true                 # Set-TransportConfig -SmtpClientAuthenticationDisabled
      rejectDirectSend: false                # Set-OrganizationConfig -RejectDirectSend
      entraPremium: true                     # Entra ID P1/P2: sign-in logs readable through Graph
    domains:
      contoso.com:
        mx: contoso-com.mail.protection.outlook.com    # serviceConfigurationRecords' MX target
        default: true                        # isDefault (optional)
        dkim:                                # read-only facts of the tenant
          selector1: selector1-contoso-com._domainkey.contoso.r-v1.dkim.mail.microsoft
          selector2: selector2-contoso-com._domainkey.contoso.r-v1.dkim.mail.microsoft
          config: true                       # a DkimSigningConfig exists already (default true)
          enabled: false                     # its Enabled value (needs the CNAMEs in `dns`)
    dns:                                     # the DNS view at start (the world's DNS around the tenant)
      selector1._domainkey.contoso.com: selector1-contoso-com._domainkey....   # name -> CNAME target
      contoso.com: {TXT: [MS=ms48261937]}    # or type -> values (TXT, MX "10 host")
    skus:
      EXCHANGESTANDARD: {skuId: 4b9405b0-..., units: 25, servicePlans: {EXCHANGE_S_STANDARD: 9aaf...}}
    users:
      erp@contoso.com:
        displayName: ERP mailer
        licenses: [EXCHANGESTANDARD]         # skuPartNumbers
        usageLocation: US
        mailbox: true                        # has an Exchange mailbox (default true)
        smtpAuth: inherit                    # CAS SmtpClientAuthenticationDisabled: inherit|enabled|disabled
        password: generate                   # optional: for legacy AUTH LOGIN senders
    servicePrincipals:                       # first-party apps present in the tenant (no credentials)
      Microsoft Message Trace: {appId: 8bd644d1-64a1-4d4b-ae52-2e0cbf64e373}
    applications:
      o365-relay-deployer:
        deployer: true                       # Sandbox.deployer_client_id / _secret
        secret: generate                     # or omit
        certificate: certs/x.pem             # optional, relative to the seed file (PEM certificate)
        roles: [Exchange.ManageAsApp, User.ReadWrite.All]   # app roles on Graph / Exchange Online
        directoryRoles: [Exchange Administrator]
        exchangeServicePrincipal: false      # registered with New-ServicePrincipal already
    exchange:
      inboundConnectors:
        Old printers: {SenderIPAddresses: [192.0.2.0/24], SenderDomains: ["*"], ConnectorType: OnPremises}
      outboundConnectors:                    # Get-OutboundConnector's fields
        To fabrikam: {RecipientDomains: [fabrikam.com], UseMXRecord: false, SmartHosts: [mx.fabrikam.com]}
      connectionFilter:                      # the Default HostedConnectionFilterPolicy's fields
        {IPAllowList: [198.51.100.25], IPBlockList: [192.0.2.66], EnableSafeList: true}
      authenticationPolicies:                # AllowBasicAuth* switches (False unless given); who gets it
        Block Basic Auth: {AllowBasicAuthImap: false, users: [scanner3@contoso.com], default: true}
      recipientPermissions:                  # SendAs
        - {mailbox: invoices@contoso.com, trustee: legacy-mailer}   # trustee: UPN or application name
      mailboxPermissions:                    # FullAccess (or another right: rights: ChangePermission)
        - {mailbox: invoices@contoso.com, user: legacy-mailer}
"""

from __future__ import annotations

import secrets
import uuid
from pathlib import Path
from typing import Any

import yaml

from o365relay.errors import UsageError
from o365relay.sandbox import auth_policies, dns_view
from o365relay.sandbox import store as st
from o365relay.sandbox.catalog import DIRECTORY_ROLES, EXCHANGE_APP_ROLES, GRAPH_APP_ROLES
from o365relay.sandbox.connection_filter import new_policy
from o365relay.sandbox.exchange_objects import (
    exo_mailbox_fields,
    exo_service_principal,
    new_dkim_config,
    new_inbound_connector,
    new_outbound_connector,
    permission_doc,
)
from o365relay.sandbox.tokens import EXCHANGE_APP_ID, GRAPH_APP_ID, certificate_thumbprint

SEEDS_DIR = Path(__file__).parent / "seeds"
DEFAULT_SEED = SEEDS_DIR / "default.yaml"
META_SEEDED = "seeded"
META_DEPLOYER_ID = "deployer_client_id"
META_DEPLOYER_SECRET = "deployer_client_secret"


def secret_meta_key(name: str) -> str:
    """Meta key of a generated secret: an app's appId or a user's UPN."""
    return f"secret:{name.lower()}"


def load_seed(path: Path) -> dict[str, Any]:
    """Read a seed file, resolving ``extends``; UsageError naming the file on bad YAML."""
    path = Path(path)
    try:
        doc = yaml.safe_load(path.read_text()) or {}
    except OSError as error:
        raise UsageError(f"cannot read seed {path}: {error.strerror}") from None
    except yaml.YAMLError as error:
        raise UsageError(f"{path}: not valid YAML: {error}") from None
    if not isinstance(doc, dict):
        raise UsageError(f"{path}: a seed is a mapping (tenant:, domains:, users:, ...)")
    doc["_dir"] = str(path.parent)
    parent = doc.pop("extends", None)
    return _merge(load_seed(path.parent / parent), doc) if parent else doc


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        out[key] = (
            _merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
        )
    return out


def apply_seed(store: st.Store, path: Path) -> None:
    """Populate an empty store from a seed file, all in one transaction."""
    doc = load_seed(path)
    try:
        with store.transaction():
            _Seeder(store, doc).run()
            store.set_meta(META_SEEDED, str(path))
    except (KeyError, TypeError, AttributeError, ValueError) as error:
        raise UsageError(
            f"{path}: seed is incomplete or malformed: {type(error).__name__}: {error}"
        ) from None


class _Seeder:
    def __init__(self, store: st.Store, doc: dict[str, Any]):
        self.store, self.doc = store, doc
        self.tenant_id = str(doc["tenant"]["id"])
        self._ns = uuid.UUID(self.tenant_id)

    def oid(self, *parts: str) -> str:
        return str(uuid.uuid5(self._ns, "/".join(parts).lower()))

    def run(self) -> None:
        tenant = self.doc["tenant"]
        self.store.insert(
            st.ORGANIZATION,
            {
                "id": self.tenant_id,
                "displayName": tenant.get("displayName", "Contoso"),
                "initialDomain": tenant["initialDomain"],
                "smtpClientAuthenticationDisabled": bool(tenant.get("smtpAuthDisabled", True)),
                "rejectDirectSend": bool(tenant.get("rejectDirectSend", False)),
                "xEntraPremium": bool(tenant.get("entraPremium", True)),
            },
        )
        self._domains(tenant["initialDomain"])
        for name, value in (self.doc.get("dns") or {}).items():
            records = value.items() if isinstance(value, dict) else [("CNAME", [value])]
            for rtype, values in records:
                for one in values:
                    dns_view.publish(self.store, name, rtype, one)
        self._skus()
        self._users()
        self._resource_service_principals()
        for name, sp in (self.doc.get("servicePrincipals") or {}).items():
            self._service_principal(sp["appId"], name)
        for name, app in (self.doc.get("applications") or {}).items():
            self._application(name, app)
        self._exchange(self.doc.get("exchange") or {})

    def _domains(self, initial: str) -> None:
        domains = {initial: {}, **(self.doc.get("domains") or {})}
        for name, spec in domains.items():
            spec = spec or {}
            is_initial = name.lower() == initial.lower()
            dkim = spec.get("dkim") or {}
            facts = {"selector1CNAME": dkim.get("selector1"), "selector2CNAME": dkim.get("selector2")}
            self.store.insert(
                st.DOMAIN,
                {
                    "id": name.lower(),
                    "isVerified": True,
                    "isInitial": is_initial,
                    "isDefault": bool(spec.get("default", False)),
                    "authenticationType": "Managed",
                    "supportedServices": ["Email", "OfficeCommunicationsOnline"]
                    if not is_initial
                    else ["Email"],
                    "mxTarget": spec.get("mx"),
                    "xDkim": facts,
                },
            )
            if dkim and dkim.get("config", True):
                config = new_dkim_config(
                    name.lower(), facts, key_size=int(dkim.get("keySize", 2048)), guid=self.oid("dkim", name)
                )
                enabled = bool(dkim.get("enabled", False))
                config.update(
                    {
                        "Enabled": enabled,
                        "Status": "Valid" if enabled else "CnameMissing",
                        "IsDefault": is_initial,
                    }
                )
                self.store.insert(st.DKIM_CONFIG, config)

    def _skus(self) -> None:
        for part, sku in (self.doc.get("skus") or {}).items():
            plans = [
                {
                    "servicePlanId": pid,
                    "servicePlanName": pname,
                    "provisioningStatus": "Success",
                    "appliesTo": "User",
                }
                for pname, pid in (sku.get("servicePlans") or {}).items()
            ]
            self.store.insert(
                st.SKU,
                {
                    "id": f"{self.tenant_id}_{sku['skuId']}",
                    "skuId": sku["skuId"],
                    "skuPartNumber": part,
                    "accountId": self.tenant_id,
                    "accountName": self.doc["tenant"].get("displayName", "Contoso"),
                    "appliesTo": "User",
                    "capabilityStatus": "Enabled",
                    "servicePlans": plans,
                    "prepaidUnits": {
                        "enabled": int(sku.get("units", 25)),
                        "lockedOut": 0,
                        "suspended": 0,
                        "warning": 0,
                    },
                    "subscriptionIds": [self.oid("subscription", part)],
                },
            )

    def _users(self) -> None:
        skus = {s["skuPartNumber"]: s["skuId"] for s in self.store.list(st.SKU)}
        tri_state = {"inherit": None, "enabled": False, "disabled": True}
        for upn, spec in (self.doc.get("users") or {}).items():
            spec = spec or {}
            upn = upn.lower()
            alias = upn.split("@")[0]
            user = {
                "id": self.oid("user", upn),
                "userPrincipalName": upn,
                "displayName": spec.get("displayName", alias),
                "mail": upn,
                "mailNickname": alias,
                "accountEnabled": True,
                "usageLocation": spec.get("usageLocation"),
                "assignedLicenses": [
                    {"skuId": skus[part], "disabledPlans": []} for part in spec.get("licenses", [])
                ],
                "proxyAddresses": [f"SMTP:{upn}"],
                "xHasMailbox": bool(spec.get("mailbox", True)),
                "xSmtpClientAuthenticationDisabled": tri_state[spec.get("smtpAuth", "inherit")],
                "xExchangeGuid": self.oid("mailbox", upn),
            }
            if spec.get("password") == "generate":
                password = secrets.token_urlsafe(18)
                user["xPasswordHash"] = st.hash_secret(password)
                self.store.set_meta(secret_meta_key(upn), password)
            self.store.insert(st.USER, user)

    def _resource_service_principals(self) -> None:
        for app_id, name, roles in (
            (GRAPH_APP_ID, "Microsoft Graph", GRAPH_APP_ROLES),
            (EXCHANGE_APP_ID, "Office 365 Exchange Online", EXCHANGE_APP_ROLES),
        ):
            sp = self._service_principal(app_id, name)
            app_roles = [
                {
                    "id": rid,
                    "value": value,
                    "displayName": value,
                    "allowedMemberTypes": ["Application"],
                    "isEnabled": True,
                }
                for value, rid in roles.items()
            ]
            self.store.update(st.SERVICE_PRINCIPAL, sp["id"], {"appRoles": app_roles})

    def _service_principal(self, app_id: str, name: str) -> st.Doc:
        return self.store.insert(
            st.SERVICE_PRINCIPAL,
            {
                "id": self.oid("sp", app_id),
                "appId": app_id,
                "displayName": name,
                "servicePrincipalType": "Application",
                "accountEnabled": True,
                "appRoles": [],
            },
        )

    def _application(self, name: str, spec: dict[str, Any]) -> None:
        app_id = str(spec.get("appId") or self.oid("appId", name))
        app: st.Doc = {
            "id": self.oid("app", name),
            "appId": app_id,
            "displayName": name,
            "signInAudience": "AzureADMyOrg",
            "passwordCredentials": [],
            "keyCredentials": [],
            "federatedIdentityCredentials": [],
        }
        if spec.get("secret") == "generate":
            secret = secrets.token_urlsafe(30)
            app["passwordCredentials"].append(
                {
                    "keyId": self.oid("secret", name),
                    "displayName": "seeded",
                    "hint": secret[:3],
                    "endDateTime": "2099-12-31T00:00:00Z",
                    "xHash": st.hash_secret(secret),
                }
            )
            self.store.set_meta(secret_meta_key(app_id), secret)
            if spec.get("deployer"):
                self.store.set_meta(META_DEPLOYER_ID, app_id)
                self.store.set_meta(META_DEPLOYER_SECRET, secret)
        if spec.get("certificate"):
            pem = (Path(self.doc["_dir"]) / spec["certificate"]).read_text()
            app["keyCredentials"].append(
                {
                    "keyId": self.oid("cert", name),
                    "type": "AsymmetricX509Cert",
                    "usage": "Verify",
                    "displayName": "seeded",
                    "customKeyIdentifier": certificate_thumbprint(pem),
                    "xCertificatePem": pem,
                }
            )
        self.store.insert(st.APPLICATION, app)
        sp = self._service_principal(app_id, name)
        for role in spec.get("roles", []):
            self.grant_app_role(sp, role)
        for role_name in spec.get("directoryRoles", []):
            self.store.insert(
                st.DIRECTORY_ROLE_ASSIGNMENT,
                {
                    "id": self.oid("dirrole", name, role_name),
                    "principalId": sp["id"],
                    "roleDefinitionId": DIRECTORY_ROLES[role_name],
                    "xRoleName": role_name,
                    "directoryScopeId": "/",
                },
            )
        if spec.get("exchangeServicePrincipal"):
            self.store.insert(
                st.EXO_SERVICE_PRINCIPAL,
                exo_service_principal(app_id, sp["id"], name, self.oid("exosp", name)),
            )

    def grant_app_role(self, sp: st.Doc, role: str) -> None:
        resource_app = EXCHANGE_APP_ID if role in EXCHANGE_APP_ROLES else GRAPH_APP_ID
        resource = self.store.find(st.SERVICE_PRINCIPAL, appId=resource_app)
        if resource is None:
            raise ValueError(f"resource service principal {resource_app} missing")
        role_id = {r["value"]: r["id"] for r in resource["appRoles"]}[role]
        self.store.insert(
            st.APP_ROLE_ASSIGNMENT,
            {
                "id": self.oid("approle", sp["appId"], role),
                "principalId": sp["id"],
                "principalType": "ServicePrincipal",
                "resourceId": resource["id"],
                "appRoleId": role_id,
                "principalDisplayName": sp["displayName"],
                "resourceDisplayName": resource["displayName"],
                "xRoleValue": role,
            },
        )

    def _exchange(self, spec: dict[str, Any]) -> None:
        for name, params in (spec.get("inboundConnectors") or {}).items():
            self.store.insert(
                st.INBOUND_CONNECTOR, new_inbound_connector(name, params, guid=self.oid("inbound", name))
            )
        for name, params in (spec.get("outboundConnectors") or {}).items():
            self.store.insert(
                st.OUTBOUND_CONNECTOR, new_outbound_connector(name, params, guid=self.oid("outbound", name))
            )
        if spec.get("connectionFilter"):
            self.store.put(st.CONNECTION_FILTER_POLICY, {**new_policy(), **spec["connectionFilter"]})
        for name, policy in (spec.get("authenticationPolicies") or {}).items():
            self._authentication_policy(name, dict(policy or {}))
        for kind, key, rights in (
            (st.RECIPIENT_PERMISSION, "trustee", "SendAs"),
            (st.MAILBOX_PERMISSION, "user", "FullAccess"),
        ):
            section = "recipientPermissions" if kind == st.RECIPIENT_PERMISSION else "mailboxPermissions"
            for grant in spec.get(section) or []:
                mailbox = self.store.find(st.USER, userPrincipalName=grant["mailbox"])
                if mailbox is None:
                    raise ValueError(f"exchange.{section}: no user {grant['mailbox']}")
                trustee = self._trustee(grant[key])
                right = str(grant.get("rights", rights))
                self.store.insert(kind, permission_doc(kind, exo_mailbox_fields(mailbox), trustee, right))

    def _authentication_policy(self, name: str, spec: dict[str, Any]) -> None:
        users, default = spec.pop("users", []), spec.pop("default", False)
        base = auth_policies.new_policy(self.store, name, self.oid("authpolicy", name))
        doc = self.store.insert(st.AUTH_POLICY, {**base, **spec})
        for upn in users:
            user = self.store.find(st.USER, userPrincipalName=upn)
            if user is None:
                raise ValueError(f"exchange.authenticationPolicies.{name}: no user {upn}")
            self.store.update(st.USER, user["id"], {"xAuthenticationPolicy": doc["id"]})
        if default:
            self.store.update(st.ORGANIZATION, self.tenant_id, {"defaultAuthenticationPolicy": doc["id"]})

    def _trustee(self, name: str) -> st.Doc:
        """A user (by UPN) or an application's Exchange service principal (by app name)."""
        user = self.store.find(st.USER, userPrincipalName=name)
        if user is not None:
            return {"id": user["id"], "Identity": user["userPrincipalName"]}
        app = self.store.find(st.APPLICATION, displayName=name)
        if app is None:
            raise ValueError(f"no user or application {name}")
        exo = self.store.find(st.EXO_SERVICE_PRINCIPAL, AppId=app["appId"])
        if exo is None:
            raise ValueError(f"application {name} has no Exchange service principal")
        return {"id": exo["id"], "Identity": exo["Identity"]}
