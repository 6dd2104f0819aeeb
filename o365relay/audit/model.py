"""What an audit concludes: one :class:`Item` per declared or found object, each with a status.

    in_sync     declared, present, every compared field equal (after Exchange normalisation)
    drift       declared and present, some fields differ: each :class:`FieldDiff` is desired → actual
    missing     declared, absent from the tenant
    unexpected  present in the tenant, not declared (in the scopes the relay owns)
    unknown     a read it depends on failed; ``reason`` says which and why. Never drift or missing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from o365relay.kinds.base import FieldDiff

Status = Literal["in_sync", "drift", "missing", "unexpected", "unknown"]
STATUSES: tuple[Status, ...] = ("in_sync", "drift", "missing", "unexpected", "unknown")
FINDINGS: tuple[Status, ...] = ("drift", "missing", "unexpected")

# Item kind -> (resource type the Pulumi program manages it with, heading in reports)
KINDS: dict[str, tuple[str, str]] = {
    "org_setting": ("exchange:OrgSmtpAuth / exchange:RejectDirectSend", "Organisation settings"),
    "connection_filter": ("exchange:ConnectionFilterPolicy", "Connection filtering"),
    "auth_policy": ("exchange:AuthenticationPolicy / exchange:DefaultAuthenticationPolicy", "Authentication policies"),
    "auth_policy_assignment": ("exchange:AuthenticationPolicyAssignment", "Senders' authentication policies"),
    "domain": ("graph:Domain (not managed; read only)", "Domains"),
    "dkim": ("exchange:DkimSigningConfig", "DKIM signing"),
    "connector": ("exchange:InboundConnector", "Relay connectors"),
    "partner_connector": ("exchange:PartnerConnector", "Partner connectors"),
    "outbound_connector": ("exchange:OutboundConnector", "Outbound connectors"),
    "application": ("azuread:Application + SMTP.SendAsApp", "Applications holding SMTP.SendAsApp"),
    "credential": ("azuread:ApplicationFederatedIdentityCredential / ApplicationCertificate / ApplicationPassword",
                   "Sender app credentials"),
    "exchange_service_principal": ("exchange:ServicePrincipal", "Exchange service principals"),
    "full_access": ("exchange:FullAccessGrant", "FullAccess and other mailbox permissions"),
    "mailbox": ("graph:User", "Mailboxes"),
    "mailbox_smtp_auth": ("exchange:MailboxSmtpAuth", "SMTP AUTH exceptions"),
    "send_as": ("exchange:SendAsGrant", "Send As grants"),
    "dns": ("DNS record (published by the domain's DNS backend, or by hand from the stack outputs)",
            "DNS records"),
}


@dataclass(frozen=True)
class Item:
    """One object's conclusion. ``fields`` holds every compared field (normalised, desired and actual),
    ``diffs`` the ones that differ; ``evidence`` is the tenant's record as read (raw)."""

    kind: str
    name: str
    status: Status
    diffs: tuple[FieldDiff, ...] = ()
    reason: str = ""
    evidence: dict[str, Any] = field(default_factory=dict)
    spec_path: str = ""
    fields: tuple[FieldDiff, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "resourceType": KINDS[self.kind][0],
            "name": self.name,
            "status": self.status,
            "specPath": self.spec_path or None,
            "diffs": [d.to_dict() for d in self.diffs],
            "reason": self.reason or None,
            "evidence": self.evidence,
        }


@dataclass(frozen=True)
class Scope:
    """What an audit looked at, so a report claims no more than was checked: the reads made (and which
    failed, with the error), and what it did not look at, each with why."""

    read: tuple[str, ...] = ()
    failed: tuple[str, ...] = ()
    not_read: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"read": list(self.read), "failed": list(self.failed), "notRead": list(self.not_read)}


@dataclass(frozen=True)
class AuditResult:
    items: tuple[Item, ...]
    tenant_id: str
    spec_source: str
    spec_revision: str
    started_at: str
    finished_at: str
    requests: dict[str, int] = field(default_factory=dict)
    scope: Scope = field(default_factory=Scope)

    def count(self, status: Status) -> int:
        return sum(1 for item in self.items if item.status == status)

    @property
    def findings(self) -> list[Item]:
        return [item for item in self.items if item.status in FINDINGS]

    @property
    def exit_code(self) -> int:
        """0 in sync; 1 any drift, missing or unexpected; 3 only unknowns stand in the way of a verdict."""
        if self.findings:
            return 1
        return 3 if self.count("unknown") else 0

    @property
    def verdict(self) -> str:
        return {0: "in_sync", 1: "findings", 3: "unknown"}[self.exit_code]
