"""Sandbox-only credentials for trying senders the way a device would (``relayctl sandbox env``).

An apply creates each OAuth sender's application with the credential the spec declares (a federated
identity, a certificate), which a person at a shell cannot present, and the seeded mailboxes' passwords
exist only in the sandbox. So the sandbox issues, on request, a client secret of its own to every
application that holds ``SMTP.SendAsApp`` and a password to every mailbox that may use SMTP AUTH,
hashed in the store like every sandbox secret, the plain value kept in the meta table as seeded
secrets are. They are valid on this sandbox only and are labelled as such wherever they are printed.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from o365relay.sandbox import store as st
from o365relay.sandbox.catalog import EXCHANGE_APP_ROLES
from o365relay.sandbox.seed import secret_meta_key
from o365relay.sandbox.smtp_policy import smtp_auth_scope

LABEL = "sandbox-only (relayctl sandbox env)"


@dataclass(frozen=True)
class SenderCredential:
    """One way to sign in as a sender: an app's client id and secret, or a mailbox and its password."""

    kind: str  # "application" or "mailbox"
    name: str  # the app's display name, or the mailbox address
    login: str  # the app id (RELAY_SENDER_CLIENT_ID), or the mailbox address
    secret: str  # RELAY_SENDER_CLIENT_SECRET, or RELAY_SMTP_PASSWORD

    def as_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "name": self.name, "login": self.login, "secret": self.secret}


def issue(store: st.Store) -> list[SenderCredential]:
    """A credential for every OAuth sender app and SMTP AUTH mailbox, issuing the missing ones."""
    with store.transaction():
        return [*_applications(store), *_mailboxes(store)]


def _applications(store: st.Store) -> list[SenderCredential]:
    role = EXCHANGE_APP_ROLES["SMTP.SendAsApp"]
    principals = {a["principalId"] for a in store.list(st.APP_ROLE_ASSIGNMENT) if a.get("appRoleId") == role}
    out = []
    for sp_id in sorted(principals):
        sp = store.get(st.SERVICE_PRINCIPAL, sp_id)
        app = store.find(st.APPLICATION, appId=sp["appId"]) if sp else None
        if app is not None:
            secret = _app_secret(store, app)
            out.append(SenderCredential("application", app.get("displayName", ""), app["appId"], secret))
    return out


def _app_secret(store: st.Store, app: st.Doc) -> str:
    def keep(secret: str) -> None:
        credential = {"keyId": str(uuid.uuid4()), "displayName": LABEL, "hint": secret[:3],
                      "endDateTime": "2099-12-31T00:00:00Z", "xHash": st.hash_secret(secret)}
        store.update(st.APPLICATION, app["id"], {"passwordCredentials": [*app.get("passwordCredentials", []),
                                                                          credential]})
    return _issued(store, app["appId"], 30, keep)


def _mailboxes(store: st.Store) -> list[SenderCredential]:
    org = store.organization()
    out = []
    for user in store.list(st.USER):
        address = user.get("mail") or user.get("userPrincipalName")
        if address and smtp_auth_scope(org, user) is None:
            out.append(SenderCredential("mailbox", address, address, _password(store, user)))
    return out


def _password(store: st.Store, user: st.Doc) -> str:
    return _issued(store, user["userPrincipalName"], 18,
                   lambda password: store.update(st.USER, user["id"], {"xPasswordHash": st.hash_secret(password)}))


def _issued(store: st.Store, owner: str, size: int, keep: Callable[[str], object]) -> str:
    """The value issued to ``owner`` before, or a new one that ``keep`` stores (hashed) on its object;
    the plain value is remembered in the meta table so ``sandbox env`` prints the same one every time."""
    key = secret_meta_key(owner)
    if known := store.get_meta(key):
        return known
    value = secrets.token_urlsafe(size)
    keep(value)
    store.set_meta(key, value)
    return value
