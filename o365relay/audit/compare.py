"""Compare a spec with a tenant snapshot: pure, no I/O, so every status is testable from data."""

from __future__ import annotations

from o365relay.audit.compare_accounts import compare_applications, compare_mailboxes, compare_smtp_auth
from o365relay.audit.compare_auth_policies import compare_auth_policies
from o365relay.audit.compare_connection_filter import compare_connection_filter
from o365relay.audit.compare_connectors import (
    compare_connectors,
    compare_outbound_connectors,
    compare_partner_connectors,
)
from o365relay.audit.compare_credentials import compare_credentials
from o365relay.audit.compare_org import compare_dkim, compare_domains, compare_org
from o365relay.audit.compare_send_as import compare_send_as, declared_mailboxes
from o365relay.audit.compare_sender_access import compare_sender_access
from o365relay.audit.identities import resolve
from o365relay.audit.model import Item
from o365relay.audit.snapshot import Snapshot
from o365relay.spec.model import RelaySpec


def compare(spec: RelaySpec, snap: Snapshot) -> list[Item]:
    identities = {name: resolve(account, snap) for name, account in spec.service_accounts.items()}
    return [
        *compare_org(spec, snap),
        *compare_connection_filter(spec, snap),
        *compare_domains(spec, snap),
        *compare_dkim(spec, snap),
        *compare_connectors(spec, snap),
        *compare_partner_connectors(spec, snap),
        *compare_outbound_connectors(spec, snap),
        *compare_mailboxes(declared_mailboxes(spec), snap),
        *compare_applications(identities, snap),
        *compare_credentials(spec, identities, snap),
        *compare_smtp_auth(identities, snap),
        *compare_auth_policies(spec, snap),
        *compare_send_as(spec, identities, snap),
        *compare_sender_access(identities, snap, declared_mailboxes(spec)),
    ]
