"""o365relay:index:RelayStack: the whole relay of one spec, and what device owners need from it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pulumi

from components.auth_policies import AuthenticationPolicies
from components.mail_domain import MailDomain
from components.outbound_route import OutboundRoute
from components.partner_sender import PartnerSender
from components.providers.connection_filter import ConnectionFilterPolicy
from components.providers.org_smtp_auth import OrgSmtpAuth
from components.providers.reject_direct_send import RejectDirectSend
from components.relay_connector import RelayConnector
from components.send_as import SendAs
from components.senders import account_settings, connector_settings
from components.service_account import SmtpServiceAccount, mailbox_smtp_auth
from o365relay.spec.model import RelaySpec, ServiceAccount


class RelayStack(pulumi.ComponentResource):
    """Every resource the spec declares, each under the component of its concept.

    Registered with one input, ``spec``: the canonical plain document of the spec (no secrets), so
    a stack policy can run the core rules on exactly what ``relayctl lint`` sees.
    """

    senders: pulumi.Output[dict[str, Any]]
    dns_records: pulumi.Output[dict[str, Any]]
    zone_files: pulumi.Output[dict[str, str]]
    secrets: pulumi.Output[dict[str, Any]]

    def __init__(self, name: str, spec: RelaySpec, spec_dir: Path,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        from o365relay.spec.document import to_document

        document = to_document(spec)
        super().__init__("o365relay:index:RelayStack", name, {"spec": document}, opts)
        child = pulumi.ResourceOptions(parent=self)
        connectors = [RelayConnector(key, c, child).connector for key, c in spec.connectors.items()]
        partners = [PartnerSender(key, p, child).connector for key, p in spec.partner_connectors.items()]
        if spec.tenant.connection_filter is not None:
            ConnectionFilterPolicy("connection-filter", _connection_filter(spec), pulumi.ResourceOptions(
                parent=self, depends_on=connectors))  # allow-listed devices are recognised by connector first
        for key, outbound in spec.outbound_connectors.items():
            OutboundRoute(key, outbound, child)
        accounts = {key: SmtpServiceAccount(key, a, spec_dir, child) for key, a in spec.service_accounts.items()}
        smtp_auth = mailbox_smtp_auth(accounts, self)
        if spec.authentication_policies:
            AuthenticationPolicies("authentication-policies", spec, list(accounts.values()), child)
        # The tenant-wide switches wait for what keeps declared devices sending once they apply: the
        # per-mailbox SMTP AUTH exceptions, the relay connectors and the partner connectors (the engine runs
        # steps in parallel).
        keep_working = pulumi.ResourceOptions(parent=self, depends_on=[
            *connectors, *partners, *smtp_auth])
        # A switch whose rollout observes is left as the tenant has it: no resource (removing one
        # leaves the switch as the stack last set it; see components/providers/org_switch.py).
        if spec.tenant.enforced("smtpAuth"):
            OrgSmtpAuth("org-smtp-auth", {"enabled": spec.tenant.smtp_auth == "enabled"}, keep_working)
        if spec.tenant.enforced("rejectDirectSend"):
            RejectDirectSend("reject-direct-send", {"enabled": bool(spec.tenant.reject_direct_send)}, keep_working)
        _send_as(spec, accounts, self)
        domains = {key: MailDomain(key, spec, d, child) for key, d in spec.domains.items()}

        senders: dict[str, Any] = {key: connector_settings(spec, c) for key, c in spec.connectors.items()}
        for key, account in accounts.items():
            senders[key] = account_settings(spec, spec.service_accounts[key], account.client_id)
        self.senders = pulumi.Output.from_input(senders)
        self.dns_records = pulumi.Output.from_input({key: d.records for key, d in domains.items()})
        zone_files: dict[str, Any] = {key: d.zone_snippet for key, d in domains.items()}
        self.zone_files = pulumi.Output.from_input(zone_files)
        secrets: dict[str, Any] = {key: a.secret for key, a in accounts.items()
                                   if _has_secret(spec.service_accounts[key])}
        self.secrets = pulumi.Output.secret(secrets)
        # "spec" again as an output: AnalyzeStack sees a component's registered outputs, not its inputs.
        self.register_outputs({"spec": document, "senders": self.senders, "dns_records": self.dns_records,
                               "zone_files": self.zone_files, "secrets": self.secrets})


def _send_as(spec: RelaySpec, accounts: dict[str, SmtpServiceAccount], parent: pulumi.Resource) -> None:
    """One SendAs per trustee identity: a mailbox sender's is its mailbox, so renaming its key changes
    nothing in the tenant (an application's is its own app, new on a rename). The aliases take over
    what older versions named ``<key>-sendas``; its grants follow their parent's alias."""
    keys_of: dict[str, list[str]] = {}
    for key, account in spec.service_accounts.items():
        keys_of.setdefault(account.mailbox.casefold() if account.kind == "mailbox" else key, []).append(key)
    for identity, keys in keys_of.items():
        grants = list({g.mailbox.casefold(): g for g in spec.send_as if g.trustee in keys}.values())
        if grants:
            name = f"{identity}-sendas"
            aliases = [pulumi.Alias(name=f"{k}-sendas") for k in keys if f"{k}-sendas" != name]
            SendAs(name, keys[0], accounts[keys[0]].trustee, grants,
                   pulumi.ResourceOptions(parent=parent, aliases=aliases))


def _connection_filter(spec: RelaySpec) -> dict[str, Any]:
    policy = spec.tenant.connection_filter
    assert policy is not None
    return {"ip_block_list": list(policy.ip_block_list), "ip_allow_list": list(policy.ip_allow_list),
            "enable_safe_list": policy.enable_safe_list}


def _has_secret(account: ServiceAccount) -> bool:
    """A client secret or a generated initial password: something only the device owner may read."""
    return account.create is not None or (account.credential is not None and account.credential.type == "secret")
