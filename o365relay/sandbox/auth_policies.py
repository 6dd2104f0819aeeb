"""Exchange Online authentication policies, as the service keeps and applies them.

Shape and rules from Microsoft's pages ("Disable Basic authentication in Exchange Online";
New-/Set-/Get-/Remove-AuthenticationPolicy; Set-User; Set-OrganizationConfig): a policy is a named
set of ``AllowBasicAuth<Protocol>`` switches, all False when created unless given; the name is at most
64 characters and cannot change. A user gets a policy with ``Set-User -AuthenticationPolicy`` (``$null``
removes it); users without one get the organisation's ``DefaultAuthenticationPolicy``; a policy assigned
to the user wins over the default. Basic authentication a policy blocks is refused before the request
reaches Entra (no sign-in log entry); SMTP AUTH answers 5.7.139 "basic authentication is disabled".
"""

from __future__ import annotations

from o365relay.sandbox import store as st
from o365relay.sandbox.exchange_cmdlets import DC_NAME
from o365relay.sandbox.exchange_objects import exo_now

PROTOCOLS = (
    "ActiveSync", "Autodiscover", "Imap", "Mapi", "OfflineAddressBook", "OutlookService", "Pop",
    "Powershell", "ReportingWebServices", "Rpc", "Smtp", "WebServices",
)
SWITCHES = tuple(f"AllowBasicAuth{p}" for p in PROTOCOLS)
MAX_NAME = 64


def distinguished_name(store: st.Store, name: str) -> str:
    """The policy's DN, the form ``Get-User -Filter "AuthenticationPolicy -eq '<DN>'"`` wants."""
    dc = ",".join(f"DC={part}" for part in DC_NAME.split(".")[1:])
    org = store.organization()["initialDomain"]
    return f"CN={name},CN=Auth Policies,CN=Configuration,CN={org},CN=ConfigurationUnits,{dc}"


def new_policy(store: st.Store, name: str, guid: str) -> st.Doc:
    now = exo_now()
    return {
        "id": name.lower(),
        "Identity": name,
        "Name": name,
        "DistinguishedName": distinguished_name(store, name),
        "Guid": guid,
        **{switch: False for switch in SWITCHES},
        "WhenCreatedUTC": now,
        "WhenChangedUTC": now,
        "IsValid": True,
    }


def find(store: st.Store, identity: object) -> st.Doc | None:
    """The policy named by ``identity``: its name, DN or GUID, case-insensitively."""
    wanted = str(identity or "").strip().lower()
    if not wanted:
        return None
    for policy in store.list(st.AUTH_POLICY):
        if wanted in (policy["id"], str(policy["DistinguishedName"]).lower(), str(policy["Guid"]).lower()):
            return policy
    return None


def effective(store: st.Store, user: st.Doc) -> st.Doc | None:
    """The policy Exchange applies to ``user``: its own, else the organisation's default, else none (a
    removed policy no longer applies: [sandbox model], Microsoft does not say)."""
    own = store.get(st.AUTH_POLICY, user.get("xAuthenticationPolicy") or "")
    if own is not None:
        return own
    default = store.organization().get("defaultAuthenticationPolicy")
    return store.get(st.AUTH_POLICY, default) if default else None


def blocks_basic_smtp(store: st.Store, user: st.Doc) -> bool:
    """True when the user's effective policy has ``AllowBasicAuthSmtp`` False."""
    policy = effective(store, user)
    return policy is not None and not policy.get("AllowBasicAuthSmtp", False)
