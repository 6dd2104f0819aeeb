"""Who each declared service account is in the tenant, and every name the tenant may use for it.

An application account is the application holding ``SMTP.SendAsApp`` whose service principal's
display name is the one the Pulumi program gives it (``o365relay.naming``), and the Exchange
service principal registered for that object id. A mailbox account is its mailbox. Exchange names
trustees inconsistently (alias, address, object id, display name), so matching uses all of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from o365relay import exchange_values as xv
from o365relay.audit.common import find_row, mailbox_keys, principal_keys
from o365relay.audit.snapshot import Read, Row, Snapshot
from o365relay.kinds.service_principal import SERVICE_PRINCIPAL
from o365relay.naming import application_display_name
from o365relay.spec.model import ServiceAccount


@dataclass(frozen=True)
class Identity:
    account: ServiceAccount
    reads: tuple[Read[Any], ...]  # the reads this identity was resolved from
    holder: Row | None = None  # Graph appRoleAssignment of SMTP.SendAsApp (application accounts)
    principal: Row | None = None  # Exchange Get-ServicePrincipal row (application accounts)
    mailbox: Row | None = None  # Get-CASMailbox row of the account's mailbox

    @property
    def keys(self) -> frozenset[str]:
        """Lower-case names under which the tenant may list this account as a trustee."""
        values: list[Any] = [self.account.name]
        if self.account.kind == "mailbox":
            values += [self.account.mailbox] + (mailbox_keys(self.mailbox) if self.mailbox else [])
        if self.principal:
            values += principal_keys(self.principal)
        if self.holder:
            values += [self.holder.get("principalId"), self.holder.get("principalDisplayName")]
        return frozenset(xv.lower(v) for v in values if v)


def resolve(account: ServiceAccount, snap: Snapshot) -> Identity:
    if account.kind == "mailbox":
        row = find_row(snap.cas_mailboxes.value or [], mailbox_keys, account.mailbox)
        return Identity(account, (snap.cas_mailboxes,), mailbox=row)
    # The program's name first; the bare spec name for an adopted app not (yet) renamed.
    names = [application_display_name(account.name).lower(), account.name.lower()]
    holders = snap.send_as_app_holders.value or []
    holder = next((h for n in names for h in holders if xv.lower(h.get("principalDisplayName")) == n), None)
    principals = snap.exchange_service_principals.value or []
    principal = holder and find_row(principals, SERVICE_PRINCIPAL.object_id_of, str(holder.get("principalId")))
    for name in names:
        principal = principal or find_row(principals, SERVICE_PRINCIPAL.display_name_of, name)
    return Identity(account, (snap.send_as_app_holders, snap.exchange_service_principals), holder, principal)
