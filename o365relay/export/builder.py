"""Turn a :class:`TenantView` into a :class:`RelaySpec` (pure: no I/O besides the optional DNS).

Names: a spec name is what the Pulumi program names the object in the tenant (the connector's Name,
the application's service principal display name), so an object whose tenant name is not a valid spec
name is exported under a slug and a warning says how to rename it; until then an audit shows it as
missing (the slug) and unexpected (the old name), which is the truth about what ``pulumi up`` would do.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from o365relay import exchange_values as xv
from o365relay.audit.common import find_row, mailbox_keys, principal_keys
from o365relay.audit.reader import every_address
from o365relay.audit.send_as_list import send_as_by_mailbox
from o365relay.audit.snapshot import Row
from o365relay.dnscheck.resolver import Dns
from o365relay.export.auth_policies import exported_policies
from o365relay.export.connection_filter import exported_policy
from o365relay.export.dns_facts import published_dmarc, published_spf
from o365relay.export.reader import TenantView
from o365relay.kinds.base import Kind
from o365relay.kinds.dkim import DKIM
from o365relay.kinds.inbound_connector import INBOUND_CONNECTOR, is_relay
from o365relay.kinds.outbound_connector import OUTBOUND_CONNECTOR, ROUTE_TYPE
from o365relay.kinds.partner_connector import DERIVED, PARTNER_CONNECTOR, is_partner
from o365relay.kinds.permissions import FULL_ACCESS, SEND_AS
from o365relay.kinds.service_principal import SERVICE_PRINCIPAL
from o365relay.kinds.switches import MAILBOX_SMTP_AUTH, ORG_SMTP_AUTH, REJECT_DIRECT_SEND
from o365relay.naming import account_name, application_display_name
from o365relay.spec.model import (
    SPEC_VERSION,
    Connector,
    Credential,
    Dkim,
    Domain,
    OutboundConnector,
    PartnerConnector,
    RelaySpec,
    SendAsGrant,
    ServiceAccount,
    Tenant,
)


@dataclass
class Export:
    spec: RelaySpec
    warnings: list[str] = field(default_factory=list)


def slug(text: str) -> str:
    """A valid spec name for a tenant name: lower-case letters, digits and inner hyphens."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:64].strip("-") or "unnamed"


def unique(name: str, taken: set[str]) -> str:
    """``name``, or ``name-2``, ``name-3``... whichever is not in ``taken`` (which then holds it)."""
    candidate, n = name, 2
    while candidate in taken:
        candidate, n = f"{name}-{n}", n + 1
    taken.add(candidate)
    return candidate


def build_spec(tenant_id: str, view: TenantView, dns: Dns | None) -> Export:
    warnings: list[str] = []
    snap = view.snapshot
    accounts, keys = _service_accounts(view, warnings)
    connectors = _connectors(snap.connectors.value or [], warnings)
    partners = _partner_connectors(snap.connectors.value or [], set(connectors), warnings)
    policies, default = exported_policies(snap.auth_policies.value or [], snap.exchange_users.value or [],
                                          snap.organization_config.value or {}, accounts, warnings)
    tenant = replace(_tenant(tenant_id, view, connectors.values(), warnings), default_authentication_policy=default)
    spec = RelaySpec(
        version=SPEC_VERSION,
        tenant=tenant,
        domains=_domains(view, dns, warnings),
        service_accounts={a.name: a for a in accounts},
        connectors=connectors,
        partner_connectors=partners,
        outbound_connectors=_outbound_connectors(snap.outbound_connectors.value or [], {*connectors, *partners},
                                                 warnings),
        send_as=_send_as(view, keys, warnings),
        authentication_policies=policies,
        source="<export>",
    )
    return Export(spec, warnings)


def _tenant(tenant_id: str, view: TenantView, connectors: Iterable[Connector], warnings: list[str]) -> Tenant:
    snap = view.snapshot
    initial = next(d["id"] for d in snap.domains.value or [] if d.get("isInitial"))
    disabled = ORG_SMTP_AUTH.flag(snap.transport_config.value or {})
    reject = bool(REJECT_DIRECT_SEND.flag(snap.organization_config.value or {}))
    policy = exported_policy(snap.connection_filter.value or {}, connectors, warnings)
    return Tenant(id=tenant_id, initial_domain=initial, smtp_auth="disabled" if disabled else "enabled",
                  reject_direct_send=reject, connection_filter=policy)


def _domains(view: TenantView, dns: Dns | None, warnings: list[str]) -> dict[str, Domain]:
    out = {}
    for row in view.snapshot.domains.value or []:
        name = str(row["id"]).lower()
        if row.get("isInitial") or not row.get("isVerified"):
            continue
        config = find_row(view.snapshot.dkim_configs.value or [], DKIM.domain_of, name)
        dkim = Dkim(enabled=False)
        if config is not None:
            sizes = set(DKIM.key_sizes(config)) or {2048}
            if len(sizes) > 1:
                warnings.append(f"{name}: DKIM selectors have key sizes {sorted(sizes)}; the spec declares the "
                                "larger (Rotate-DkimSigningConfig upgrades the other)")
            dkim = Dkim(enabled=bool(xv.boolean(config.get("Enabled"))), key_size=max(sizes))
        if dns is None:
            out[name] = Domain(name, dkim=dkim)
        else:
            out[name] = Domain(name, spf=published_spf(name, dns, warnings), dkim=dkim,
                               dmarc=published_dmarc(name, dns, warnings))
    return out


def _outbound_connectors(rows: list[Row], taken: set[str], warnings: list[str]) -> dict[str, OutboundConnector]:
    """Every outbound connector, named apart from the inbound ones (they share the spec's map)."""
    out: dict[str, OutboundConnector] = {}
    for row in sorted(rows, key=_connector_name):
        tenant_name = _connector_name(row)
        values = OUTBOUND_CONNECTOR.spec_values_of(row)
        scoped, use_mx, tls = values["transport_rule_scoped"], values["use_mx_record"], values["tls"]
        if not (scoped or values["recipient_domains"]) or (tls == "DomainValidation" and not values["tls_domain"]):
            warnings.append(f"outbound connector {tenant_name!r} is not exported: it names neither recipient "
                            "domains nor transport-rule scoping, or validates a domain it does not name")
            continue
        name = unique(slug(tenant_name), taken)
        _warn_renamed("outbound connector", OUTBOUND_CONNECTOR, tenant_name, name, warnings)
        if (connector_type := row.get(OUTBOUND_CONNECTOR.parameter("connector_type"))) != ROUTE_TYPE:
            warnings.append(f"outbound connector {tenant_name!r} is of type {connector_type}; the program "
                            f"manages outbound connectors as {ROUTE_TYPE} and refuses to adopt it until that matches")
        out[name] = OutboundConnector(**{
            **values, "name": name, "recipient_domains": () if scoped else values["recipient_domains"],
            "smart_hosts": () if use_mx else values["smart_hosts"],
            "tls_domain": values["tls_domain"] if tls == "DomainValidation" else None})
    return out


def _connectors(rows: list[Row], warnings: list[str]) -> dict[str, Connector]:
    out: dict[str, Connector] = {}
    for row in sorted(rows, key=_connector_name):
        if not is_relay(row):
            continue
        tenant_name = _connector_name(row)
        name = unique(slug(tenant_name), set(out))
        _warn_renamed("connector", INBOUND_CONNECTOR, tenant_name, name, warnings)
        values = INBOUND_CONNECTOR.spec_values_of(row)
        out[name] = Connector(**{**values, "name": name, "sender_domains": values["sender_domains"] or ("*",)})
    return out


def _partner_connectors(rows: list[Row], taken: set[str], warnings: list[str]) -> dict[str, PartnerConnector]:
    """Every Partner inbound connector. The spec derives each restriction from the IPs or certificate it
    names, so a tenant connector that lists them without restricting to them is exported with a warning."""
    out: dict[str, PartnerConnector] = {}
    for row in sorted(rows, key=_connector_name):
        if not is_partner(row):
            continue
        tenant_name = _connector_name(row)
        values = PARTNER_CONNECTOR.spec_values_of(row)
        if not values["sender_domains"]:
            warnings.append(f"partner connector {tenant_name!r} is not exported: it names no sender domains")
            continue
        name = unique(slug(tenant_name), taken)
        _warn_renamed("partner connector", PARTNER_CONNECTOR, tenant_name, name, warnings)
        partner = PartnerConnector(**{**{k: v for k, v in values.items() if k not in DERIVED}, "name": name})
        for derived in DERIVED:
            if getattr(partner, derived) != values[derived]:
                field_ = next(f for f in PARTNER_CONNECTOR.fields if f.spec == derived)
                warnings.append(f"partner connector {tenant_name!r} has {field_.parameter} "
                                f"{values[derived]}; the spec sets it {getattr(partner, derived)} from the "
                                "addresses or certificate it names, so `pulumi up` changes it")
        if not (partner.sender_ips or partner.certificate_name):
            warnings.append(f"partner connector {tenant_name!r} is restricted to neither IPs nor a certificate: "
                            "`relayctl lint` fails it (partner-restricted) until the spec names one")
        out[name] = partner
    return out


def _connector_name(row: Row) -> str:
    return str(row.get(INBOUND_CONNECTOR.parameter("name")))


def _warn_renamed(what: str, kind: Kind, tenant_name: str, name: str, warnings: list[str]) -> None:
    """A connector exported under another name than the tenant's: how to rename it before ``pulumi up``."""
    if name != tenant_name:
        warnings.append(f"{what} {tenant_name!r} is exported as {name!r}: rename it in Exchange "
                        f"(Set-{kind.noun} -Identity '{tenant_name}' -{kind.parameter('name')} {name}) before "
                        "`pulumi up`, or `pulumi up` creates a second connector")


def _service_accounts(view: TenantView, warnings: list[str]) -> tuple[list[ServiceAccount], dict[str, frozenset[str]]]:
    """Accounts, and for each the lower-case names the tenant may use for it as a trustee."""
    snap, taken = view.snapshot, set[str]()
    accounts, keys = [], {}
    for holder in sorted(snap.send_as_app_holders.value or [], key=lambda h: str(h.get("principalDisplayName"))):
        shown = str(holder.get("principalDisplayName"))
        app = view.applications.get(str(holder.get("principalId")))
        principal = find_row(snap.exchange_service_principals.value or [], SERVICE_PRINCIPAL.object_id_of,
                             str(holder.get("principalId")))
        if app is None or principal is None:
            why = "it is not an application of this tenant" if app is None else "it is not registered in Exchange"
            warnings.append(f"{shown!r} holds SMTP.SendAsApp but is not exported: {why}")
            continue
        names = frozenset(xv.lower(v) for v in [*principal_keys(principal), holder.get("principalId")] if v)
        mailbox = _full_access_mailbox(view, names)
        if mailbox is None:
            warnings.append(f"{shown!r} holds SMTP.SendAsApp but has FullAccess on no mailbox; not exported "
                            f"(a sender needs a mailbox: Add-{FULL_ACCESS.noun} -{FULL_ACCESS.parameter('user')} "
                            "<its service principal>)")
            continue
        name = unique(slug(account_name(shown)), taken)
        if shown != application_display_name(name):
            warnings.append(f"application {shown!r} is exported as {name!r}: rename it "
                            f"{application_display_name(name)!r}, or `pulumi up` creates another application")
        accounts.append(ServiceAccount(name, "application", mailbox, credential=_credential(app, warnings, name)))
        keys[name] = names | {name}
    app_mailboxes = {a.mailbox.lower() for a in accounts}  # their SMTP AUTH switch belongs to the app sender
    for row in sorted(snap.cas_mailboxes.value or [], key=lambda r: str(r.get("PrimarySmtpAddress"))):
        if MAILBOX_SMTP_AUTH.state(row) != "enabled":
            continue
        if xv.lower(row.get("PrimarySmtpAddress")) in app_mailboxes:
            continue
        address = xv.lower(row.get("PrimarySmtpAddress"))
        name = unique(slug(address.split("@")[0]), taken)
        accounts.append(ServiceAccount(name, "mailbox", address))
        keys[name] = frozenset(xv.lower(v) for v in mailbox_keys(row) if v)
    return accounts, keys


def _full_access_mailbox(view: TenantView, names: frozenset[str]) -> str | None:
    for address, read in sorted(view.snapshot.mailbox_permissions.items()):
        for row in read.value or []:
            if FULL_ACCESS.holder_of(row) in names and FULL_ACCESS.allows(row):
                return address
    return None


def _credential(app: Row, warnings: list[str], name: str) -> Credential:
    """The application's credential as the spec declares it (federated, then certificate, then secret)."""
    fics = app.get("fics") or []
    if fics:
        fic = fics[0]
        return Credential("federated", issuer=fic.get("issuer"), subject=fic.get("subject"),
                          audiences=tuple(fic.get("audiences") or ()) or Credential("federated").audiences)
    if app.get("keyCredentials"):
        path = f"certs/{name}.pem"
        warnings.append(f"{name}: authenticates with a certificate; put its public PEM at {path}")
        return Credential("certificate", certificate_file=path)
    days = 180
    for secret in app.get("passwordCredentials") or []:
        start, end = _date(secret.get("startDateTime")), _date(secret.get("endDateTime"))
        if start and end:
            days = max(1, min(730, (end - start).days))
    return Credential("secret", expires_in_days=days)


def _date(value: object) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


def _send_as(view: TenantView, keys: dict[str, frozenset[str]], warnings: list[str]) -> tuple[SendAsGrant, ...]:
    grants = []
    snap = view.snapshot
    for mailbox, read in send_as_by_mailbox(snap, every_address(snap.cas_mailboxes)).items():
        for row in read.value or []:
            trustee = SEND_AS.holder_of(row)
            if not SEND_AS.granted(row):
                continue
            account = next((name for name, names in keys.items() if trustee in names), None)
            if account is None:
                warnings.append(f"Send As on {mailbox} for {SEND_AS.shown_holder(row)} is not exported: the trustee is "
                                "not a service account (an audit lists it as unexpected)")
                continue
            grants.append(SendAsGrant(trustee=account, mailbox=mailbox))
    return tuple(grants)
