"""Organisation-wide and per-mailbox cmdlets: transport/organization config, mailboxes, CAS, domains, DKIM."""

from __future__ import annotations

import datetime as dt
from typing import Any

from o365relay.sandbox import store as st
from o365relay.sandbox.exchange_cmdlets import (
    VALIDATION,
    Call,
    CmdletError,
    Doc,
    already_exists,
    as_bool,
    cmdlet,
    invalid,
    mailbox_users,
    not_found,
    resolve_mailbox,
    result_size,
)
from o365relay.sandbox.exchange_cmdlets_auth import assigned_policy
from o365relay.sandbox.exchange_objects import exo_mailbox_fields, exo_now, new_dkim_config

# -- TransportConfig and OrganizationConfig -----------------------------------------------------


@cmdlet("Get-TransportConfig", reads=True)
def get_transport_config(call: Call) -> list[Doc]:
    org = call.store.organization()
    return [
        {
            "Identity": "Transport Settings",
            "Name": "Transport Settings",
            "SmtpClientAuthenticationDisabled": org["smtpClientAuthenticationDisabled"],
            "AllowLegacyTLSClients": org.get("allowLegacyTLSClients", False),
            "IsValid": True,
        }
    ]


@cmdlet(
    "Set-TransportConfig", params=("SmtpClientAuthenticationDisabled", "AllowLegacyTLSClients", "Identity")
)
def set_transport_config(call: Call) -> list[Doc]:
    changes: dict[str, Any] = {}
    if call.has("SmtpClientAuthenticationDisabled"):
        changes["smtpClientAuthenticationDisabled"] = as_bool(call, "SmtpClientAuthenticationDisabled")
    if call.has("AllowLegacyTLSClients"):
        changes["allowLegacyTLSClients"] = as_bool(call, "AllowLegacyTLSClients")
    call.store.update(st.ORGANIZATION, call.store.organization()["id"], changes)
    return []


@cmdlet("Get-OrganizationConfig", reads=True)
def get_organization_config(call: Call) -> list[Doc]:
    org = call.store.organization()
    default = call.store.get(st.AUTH_POLICY, org.get("defaultAuthenticationPolicy") or "")
    return [
        {
            "Identity": org["initialDomain"],
            "Name": org["initialDomain"].split(".")[0],
            "DisplayName": org["displayName"],
            "RejectDirectSend": org["rejectDirectSend"],
            "DefaultAuthenticationPolicy": default["DistinguishedName"] if default else None,
            "OrganizationId": org["id"],
            "IsValid": True,
        }
    ]


@cmdlet("Set-OrganizationConfig", params=("RejectDirectSend", "DefaultAuthenticationPolicy", "Identity"))
def set_organization_config(call: Call) -> list[Doc]:
    changes: dict[str, Any] = {}
    if call.has("RejectDirectSend"):
        changes["rejectDirectSend"] = as_bool(call, "RejectDirectSend")
    if call.has("DefaultAuthenticationPolicy"):  # a policy, or $null for none
        changes["defaultAuthenticationPolicy"] = assigned_policy(call.store, call.get("DefaultAuthenticationPolicy"))
    call.store.update(st.ORGANIZATION, call.store.organization()["id"], changes)
    return []


# -- mailboxes ----------------------------------------------------------------------------------


def _mailboxes(call: Call) -> list[Doc]:
    if call.get("Identity") is not None:
        return [resolve_mailbox(call.store, call.get("Identity"))]
    return result_size(call, mailbox_users(call.store), default=1000)


@cmdlet("Get-Mailbox", params=("Identity", "ResultSize", "RecipientTypeDetails"), reads=True)
def get_mailbox(call: Call) -> list[Doc]:
    return [
        {
            **exo_mailbox_fields(user),
            "Alias": user["mailNickname"],
            "DisplayName": user["displayName"],
            "EmailAddresses": user.get("proxyAddresses", []),
            "RecipientTypeDetails": "UserMailbox",
            "ExchangeGuid": user["xExchangeGuid"],
            "IsValid": True,
        }
        for user in _mailboxes(call)
    ]


def _cas_row(user: Doc) -> Doc:
    return {
        **exo_mailbox_fields(user),
        "SmtpClientAuthenticationDisabled": user["xSmtpClientAuthenticationDisabled"],
        "IsValid": True,
    }


@cmdlet("Get-CASMailbox", params=("Identity", "ResultSize"), reads=True)
def get_cas_mailbox(call: Call) -> list[Doc]:
    return [_cas_row(user) for user in _mailboxes(call)]


@cmdlet("Set-CASMailbox", params=("SmtpClientAuthenticationDisabled",), required=("Identity",))
def set_cas_mailbox(call: Call) -> list[Doc]:
    user = resolve_mailbox(call.store, call.get("Identity"))
    if call.has("SmtpClientAuthenticationDisabled"):  # $true, $false or $null (follow the org setting)
        value = as_bool(call, "SmtpClientAuthenticationDisabled", nullable=True)
        call.store.update(st.USER, user["id"], {"xSmtpClientAuthenticationDisabled": value})
    return []


@cmdlet("Get-AcceptedDomain", params=("Identity",), reads=True)
def get_accepted_domain(call: Call) -> list[Doc]:
    rows = [
        {
            "Identity": d["id"],
            "Name": d["id"],
            "DomainName": d["id"],
            "DomainType": "Authoritative",
            "Default": d["isDefault"],
            "InitialDomain": d["isInitial"],
            "IsValid": True,
        }
        for d in call.store.list(st.DOMAIN)
        if d["isVerified"]
    ]
    if call.get("Identity") is None:
        return rows
    match = [r for r in rows if r["Name"].lower() == str(call.get("Identity")).lower()]
    if not match:
        raise not_found(call.get("Identity"))
    return match


# -- DKIM ---------------------------------------------------------------------------------------


def _dkim(call: Call, identity: Any) -> Doc:
    config = call.store.get(st.DKIM_CONFIG, str(identity).lower())
    if config is None:
        raise not_found(identity)
    return config


def _check_cnames(call: Call, config: Doc) -> None:
    """Enabling needs both selector CNAMEs in the DNS view (the real ValidationException otherwise)."""
    domain = config["Domain"]
    published = all(
        (record := call.store.get(st.DNS_RECORD, f"{sel}._domainkey.{domain}")) is not None
        and record["value"] == str(config[f"{sel.capitalize()}CNAME"]).lower().rstrip(".")
        for sel in ("selector1", "selector2")
    )
    if not published:
        raise CmdletError(
            VALIDATION,
            (
                "CNAME record does not exist for this config. "
                "Please publish the following two CNAME records first.\n"
                f"Domain Name : {domain}\n"
                f"Host Name : selector1._domainkey\nPoints to address or value: {config['Selector1CNAME']}\n"
                f"Host Name : selector2._domainkey\nPoints to address or value: {config['Selector2CNAME']}\n"
                "If you have already published the CNAME records, sync will take a few minutes "
                "to as many as 4 days. The sync time depends on the TTL of the records."
            ),
            err_id="Ex7F1B86",
        )


def _key_size(call: Call, default: int) -> int:
    size = int(call.get("KeySize", default))
    if size not in (1024, 2048):
        raise invalid(f'The value "{size}" is not valid for KeySize. Valid values are 1024 and 2048.')
    return size


def _set_common(call: Call, config: Doc) -> None:
    for name in ("AdminDisplayName", "BodyCanonicalization", "HeaderCanonicalization"):
        if call.has(name):
            config[name] = call.get(name)
    if call.has("Enabled"):
        enabled = bool(as_bool(call, "Enabled"))
        if enabled:
            _check_cnames(call, config)
        config.update({"Enabled": enabled, "Status": "Valid" if enabled else config["Status"]})


@cmdlet("Get-DkimSigningConfig", params=("Identity",), reads=True)
def get_dkim_signing_config(call: Call) -> list[Doc]:
    if call.get("Identity") is not None:
        return [_dkim(call, call.get("Identity"))]
    return call.store.list(st.DKIM_CONFIG)


@cmdlet(
    "New-DkimSigningConfig",
    params=("KeySize", "AdminDisplayName", "BodyCanonicalization", "HeaderCanonicalization"),
    required=("DomainName", "Enabled"),
)
def new_dkim_signing_config(call: Call) -> list[Doc]:
    name = str(call.get("DomainName")).lower()
    domain = call.store.get(st.DOMAIN, name)
    if domain is None:
        raise not_found(call.get("DomainName"))
    if call.store.get(st.DKIM_CONFIG, name) is not None:
        raise already_exists(name)
    facts = domain.get("xDkim") or {}
    if not facts.get("selector1CNAME"):
        prefix = call.store.organization()["initialDomain"].split(".")[0]
        facts = {
            f"selector{n}CNAME": f"selector{n}-{name.replace('.', '-')}._domainkey.{prefix}.r-v1.dkim.mail"
            ".microsoft"
            for n in (1, 2)
        }
    config = new_dkim_config(name, facts, _key_size(call, 1024), guid=st.new_id())
    _set_common(call, config)
    return [call.store.insert(st.DKIM_CONFIG, config)]


@cmdlet(
    "Set-DkimSigningConfig",
    params=(
        "AdminDisplayName",
        "BodyCanonicalization",
        "HeaderCanonicalization",
        "Enabled",
        "PublishTxtRecords",
    ),
    required=("Identity",),
)
def set_dkim_signing_config(call: Call) -> list[Doc]:
    config = _dkim(call, call.get("Identity"))
    _set_common(call, config)
    config["WhenChangedUTC"] = exo_now()
    call.store.put(st.DKIM_CONFIG, config)
    return []


@cmdlet("Rotate-DkimSigningConfig", params=("KeySize",), required=("Identity",))
def rotate_dkim_signing_config(call: Call) -> list[Doc]:
    """Rotation gives the inactive selector a new key (of KeySize) and makes it the active one."""
    config = _dkim(call, call.get("Identity"))
    if not config["Enabled"]:
        raise CmdletError(
            VALIDATION,
            f"DKIM signing is not enabled for {config['Domain']}; enable it before "
            "rotating keys. [sandbox wording]",
            err_id="Ex2C9F11",
        )
    inactive = config["SelectorBeforeRotateOnDate"]
    number = inactive[-1]
    config[f"Selector{number}KeySize"] = _key_size(call, config[f"Selector{number}KeySize"])
    now = dt.datetime.now(dt.UTC)
    config.update(
        {
            "SelectorBeforeRotateOnDate": config["SelectorAfterRotateOnDate"],
            "SelectorAfterRotateOnDate": inactive,
            "KeyCreationTime": exo_now(),
            "RotateOnDate": (now + dt.timedelta(days=4)).strftime("%Y-%m-%dT%H:%M:%S.%f0Z"),
            "WhenChangedUTC": exo_now(),
        }
    )
    call.store.put(st.DKIM_CONFIG, config)
    return []
