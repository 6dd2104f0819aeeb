"""The CRUD rules every kind shares (components/providers/base.py), driven in-process on real kinds.

The host-over-gRPC tests beside this file cover each kind end to end; these call the provider object
directly, as the host does, against the sandbox, so the shared rules are checked once each, quickly,
and in the process a mutation run traces. The sandbox's request journal shows which changes a call sent.
"""

from __future__ import annotations

import base64
import multiprocessing
import ssl
from typing import Any

import dill
import httpx
import pulumi_mocks as pm
import pulumi_render
import pytest
from provider_support import Tenant
from pulumi.dynamic import ConfigureRequest
from pulumi.dynamic.config import Config
from pulumi.output import Unknown

from components.providers.base import TenantResource
from components.providers.connection_filter import ConnectionFilterPolicyProvider
from components.providers.dkim import DkimSigningConfigProvider
from components.providers.inbound_connector import InboundConnectorProvider
from components.providers.license import LicenseAssignmentProvider
from components.providers.mailbox_smtp_auth import MailboxSmtpAuthProvider
from components.providers.reject_direct_send import RejectDirectSendProvider
from components.providers.send_as import SendAsGrantProvider
from components.providers.service_principal import ServicePrincipalProvider
from o365relay.errors import Conflict, NotFound
from o365relay.sandbox.runner import Sandbox

PROPS = {"name": "dc1-relay", "connector_type": "OnPremises", "sender_ips": ["203.0.113.0/28", "198.51.100.25"],
         "sender_domains": ["*"], "require_tls": True, "enabled": True, "comment": "Ashburn NAT"}
GRANT = {"mailbox": "invoices@contoso.com", "trustee": "erp@contoso.com", "service_account": "erp-mailer"}


class Journal:
    """The cmdlets that change the tenant (all but Get-*) the sandbox was sent since the last ``clear``."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.url = f"{sandbox.base_url}/_sandbox/requests"
        self.http = httpx.Client(verify=ssl.create_default_context(cafile=sandbox.ca_file), timeout=10)

    def clear(self) -> None:
        self.http.delete(self.url).raise_for_status()

    def writes(self) -> list[str]:
        entries = self.http.get(self.url).json()["requests"]
        return [name for e in entries for name in e.get("cmdlets") or [] if not name.startswith("Get-")]


@pytest.fixture
def journal(sandbox_env: Sandbox) -> Journal:
    return Journal(sandbox_env)


@pytest.fixture
def tenant(sandbox_env: Sandbox) -> Tenant:
    return Tenant(sandbox_env)


def connectors(tenant: Tenant) -> list[dict[str, Any]]:
    return [c for c in tenant.exchange("Get-InboundConnector") if c["Name"] == "dc1-relay"]


def test_check_coerces_inputs_and_reports_every_bad_one_without_raising() -> None:
    provider = InboundConnectorProvider()
    clean = provider.check({}, {**PROPS, "__provider": "blob"})
    assert clean.failures == [] and clean.inputs == {**PROPS, "__provider": "blob"}
    result = RejectDirectSendProvider().check({}, {"enabled": "yes", "colour": "blue", "__provider": "blob"})
    assert [(f.property, f.reason) for f in result.failures] == [
        ("enabled", "enabled must be true or false, not 'yes'"),
        ("colour", "colour is not an input of reject-direct-send setting"),
    ]


def test_check_runs_the_cross_field_rules_only_once_each_field_passed() -> None:
    provider = InboundConnectorProvider()
    both = provider.check({}, {**PROPS, "sender_ips": [], "sender_domains": []})
    assert [f.property for f in both.failures] == ["sender_ips", "sender_domains"]
    field_level = provider.check({}, {**PROPS, "sender_ips": ["203.0.113.0/16"], "sender_domains": []})
    assert [f.property for f in field_level.failures] == ["sender_ips"]


def test_diff_reports_an_update_a_replacement_and_no_change() -> None:
    provider = InboundConnectorProvider()
    same = provider.diff("dc1-relay", PROPS, {**PROPS, "sender_ips": ["198.51.100.25/32", "203.0.113.0/28"]})
    assert (same.changes, same.replaces) == (False, [])
    update = provider.diff("dc1-relay", PROPS, {**PROPS, "enabled": False})
    assert (update.changes, update.replaces, update.delete_before_replace) == (True, [], False)
    rename = provider.diff("dc1-relay", PROPS, {**PROPS, "name": "dc1-relay-v2"})
    assert (rename.changes, rename.replaces, rename.delete_before_replace) == (True, ["name"], False)


def test_a_replacement_keeping_the_id_deletes_the_old_object_first() -> None:
    """Two service principals for one app cannot coexist: the old one must go before the new one is made."""
    olds = {"app_id": "11111111-2222-3333-4444-555555555555", "object_id": "aaaaaaaa-0000-0000-0000-000000000001"}
    diff = ServicePrincipalProvider().diff(olds["app_id"], olds, {**olds, "object_id": olds["object_id"][:-1] + "2"})
    assert (diff.changes, diff.replaces, diff.delete_before_replace) == (True, ["object_id"], True)


def test_a_property_left_unset_is_left_alone() -> None:
    olds = {"domain": "contoso.com", "key_size": 2048, "enabled": True}
    provider = DkimSigningConfigProvider()
    assert provider.diff("contoso.com", olds, {"domain": "contoso.com", "key_size": 2048}).changes is False
    assert provider.diff("contoso.com", olds, {**olds, "enabled": False}).changes is True


def test_create_makes_a_missing_object(tenant: Tenant, journal: Journal) -> None:
    journal.clear()
    created = InboundConnectorProvider().create(PROPS)
    live = connectors(tenant)
    assert created.id == "dc1-relay" and len(live) == 1
    assert created.outs == {**PROPS, "guid": live[0]["Guid"]}
    assert journal.writes() == ["New-InboundConnector"]


def test_create_adopts_an_identical_object_without_creating_another(tenant: Tenant, journal: Journal) -> None:
    tenant.exchange("New-InboundConnector", {"Name": "dc1-relay", "ConnectorType": "OnPremises",
                                             "SenderIPAddresses": ["198.51.100.25/32", "203.0.113.0/28"],
                                             "SenderDomains": ["smtp:*;1"], "RequireTls": True, "Enabled": True,
                                             "Comment": "Ashburn NAT"})
    guid = connectors(tenant)[0]["Guid"]
    journal.clear()
    created = InboundConnectorProvider().create(PROPS)
    assert created.id == "dc1-relay" and created.outs == {**PROPS, "guid": guid}
    assert journal.writes() == []
    assert len(connectors(tenant)) == 1


def test_create_refuses_a_conflicting_object_and_says_how_to_resolve_it(tenant: Tenant, journal: Journal) -> None:
    tenant.exchange("New-InboundConnector", {"Name": "dc1-relay", "ConnectorType": "OnPremises",
                                             "SenderIPAddresses": ["192.0.2.0/24"], "SenderDomains": ["*"],
                                             "RequireTls": True, "Enabled": False, "Comment": "Ashburn NAT"})
    journal.clear()
    with pytest.raises(Conflict) as refused:
        InboundConnectorProvider().create(PROPS)
    assert str(refused.value) == (
        "inbound connector 'dc1-relay' already exists in the tenant with different settings (sender_ips: tenant "
        "has ['192.0.2.0/24'], spec wants ['198.51.100.25', '203.0.113.0/28']; enabled: tenant has False, spec "
        "wants True); another inbound connector named "
        "'dc1-relay' already exists: rename the connector in the spec, or delete the existing one "
        "(Remove-InboundConnector -Identity 'dc1-relay') if it is a leftover, then run again")
    assert journal.writes() == []
    assert connectors(tenant)[0]["SenderIPAddresses"] == ["192.0.2.0/24"]


def test_a_kind_without_its_own_guidance_says_to_match_the_spec_or_remove_the_object(sandbox_env: Sandbox) -> None:
    with pytest.raises(Conflict) as refused:
        LicenseAssignmentProvider().create({"user": "erp@contoso.com", "sku_part_number": "EXCHANGESTANDARD",
                                            "usage_location": "DE"})
    assert str(refused.value) == (
        "licence assignment 'erp@contoso.com/EXCHANGESTANDARD' already exists in the tenant with different "
        "settings (usage_location: tenant has 'US', spec wants 'DE'); change the spec to match it, or remove "
        "the existing licence assignment 'erp@contoso.com/EXCHANGESTANDARD' from the tenant and run again")


def test_create_adopts_an_existing_grant_whatever_the_stack_calls_its_account(tenant: Tenant, journal: Journal) -> None:
    """Which spec account a grant is for is the stack's bookkeeping, not the tenant's: it is no conflict."""
    tenant.exchange("Add-RecipientPermission", {"Identity": GRANT["mailbox"], "Trustee": GRANT["trustee"],
                                                "AccessRights": "SendAs", "Confirm": False})
    journal.clear()
    created = SendAsGrantProvider().create(GRANT)
    assert created.id == "invoices@contoso.com/SendAs/erp@contoso.com" and created.outs == GRANT
    assert journal.writes() == []


def test_create_of_a_setting_with_an_adoption_record_keeps_what_the_tenant_had(tenant: Tenant) -> None:
    tenant.exchange("Set-HostedConnectionFilterPolicy", {"Identity": "Default", "IPBlockList": ["192.0.2.9"]})
    created = ConnectionFilterPolicyProvider().create({"ip_block_list": ["198.51.100.7"], "ip_allow_list": [],
                                                       "enable_safe_list": False})
    assert created.outs["adopted_block_list"] == ["192.0.2.9"]
    policy = tenant.exchange("Get-HostedConnectionFilterPolicy", {"Identity": "Default"})[0]
    assert policy["IPBlockList"] == ["198.51.100.7"]


def test_create_of_a_setting_takes_it_over(tenant: Tenant, journal: Journal) -> None:
    tenant.exchange("Set-OrganizationConfig", {"RejectDirectSend": False})
    journal.clear()
    created = RejectDirectSendProvider().create({"enabled": True})
    assert created.id == "OrganizationConfig" and created.outs == {"enabled": True}
    assert journal.writes() == ["Set-OrganizationConfig"]
    assert tenant.exchange("Get-OrganizationConfig")[0]["RejectDirectSend"] is True
    journal.clear()
    RejectDirectSendProvider().create({"enabled": True})
    assert journal.writes() == []  # already as wanted: nothing set


def test_update_returns_full_outputs_and_skips_the_tenant_for_bookkeeping_changes(
        tenant: Tenant, journal: Journal) -> None:
    provider = SendAsGrantProvider()
    created = provider.create(GRANT)
    assert created.id == "invoices@contoso.com/SendAs/erp@contoso.com" and created.outs == GRANT
    journal.clear()
    renamed = {**GRANT, "service_account": "erp-sender"}
    assert provider.diff(created.id, created.outs, renamed).changes is True
    assert provider.update(created.id, created.outs, renamed).outs == renamed
    assert journal.writes() == []
    connector = InboundConnectorProvider()
    made = connector.create(PROPS)
    journal.clear()
    changed = {**PROPS, "enabled": False}
    assert connector.update(made.id, made.outs, changed).outs == {**changed, "guid": made.outs["guid"]}
    assert journal.writes() == ["Set-InboundConnector"]
    assert connectors(tenant)[0]["Enabled"] is False


def test_read_serves_refresh_and_a_vanished_object_reads_as_gone(tenant: Tenant) -> None:
    provider = InboundConnectorProvider()
    made = provider.create(PROPS)
    tenant.exchange("Set-InboundConnector", {"Identity": "dc1-relay", "Enabled": False})
    read = provider.read(made.id, made.outs)
    assert read.id == "dc1-relay"
    assert read.outs == {**PROPS, "enabled": False, "tls_sender_certificate_name": None, "guid": made.outs["guid"]}
    tenant.exchange("Remove-InboundConnector", {"Identity": "dc1-relay", "Confirm": False})
    gone = provider.read(made.id, made.outs)
    assert gone.id is None and gone.outs == {}


def test_delete_removes_and_accepts_already_gone(tenant: Tenant) -> None:
    provider = InboundConnectorProvider()
    made = provider.create(PROPS)
    provider.delete(made.id, made.outs)
    assert connectors(tenant) == []
    provider.delete(made.id, made.outs)  # already gone: the goal of a delete is reached
    assert connectors(tenant) == []


def test_the_stack_config_handed_to_configure_picks_the_tenant(
        sandbox_env: Sandbox, tenant: Tenant, monkeypatch: pytest.MonkeyPatch) -> None:
    """In the host the endpoints come from the stack config; the environment names no endpoint here."""
    for key in ("RELAY_TENANT_ID", "RELAY_LOGIN_AUTHORITY", "RELAY_GRAPH_BASE", "RELAY_EXCHANGE_BASE",
                "RELAY_CA_FILE"):
        monkeypatch.delenv(key)
    provider = RejectDirectSendProvider()
    base = sandbox_env.base_url
    provider.configure(ConfigureRequest(Config({
        "o365-relay:tenantId": sandbox_env.tenant_id, "o365-relay:loginAuthority": base,
        "o365-relay:graphBase": f"{base}/v1.0", "o365-relay:exchangeBase": base,
        "o365-relay:caFile": str(sandbox_env.ca_file)}, "o365-relay")))
    tenant.exchange("Set-OrganizationConfig", {"RejectDirectSend": False})
    assert provider.create({"enabled": True}).outs == {"enabled": True}
    assert tenant.exchange("Get-OrganizationConfig")[0]["RejectDirectSend"] is True


def test_a_setting_of_an_object_the_tenant_lacks_is_not_invented(journal: Journal) -> None:
    journal.clear()
    with pytest.raises(NotFound) as missing:
        MailboxSmtpAuthProvider().create({"mailbox": "nobody@contoso.com", "enabled": True})
    assert str(missing.value) == "mailbox SMTP AUTH setting 'nobody@contoso.com' does not exist in the tenant"
    assert journal.writes() == []


def test_deleting_a_setting_hands_it_back_to_the_organisation(tenant: Tenant) -> None:
    provider = MailboxSmtpAuthProvider()
    made = provider.create({"mailbox": "scanner3@contoso.com", "enabled": True})
    assert tenant.exchange("Get-CASMailbox", {"Identity": "scanner3@contoso.com"})[0][
        "SmtpClientAuthenticationDisabled"] is False
    provider.delete(made.id, made.outs)
    assert tenant.exchange("Get-CASMailbox", {"Identity": "scanner3@contoso.com"})[0][
        "SmtpClientAuthenticationDisabled"] is None


def test_a_forked_process_reaches_the_tenant_too(tenant: Tenant) -> None:
    """The loop thread the first call started does not survive a fork; the child's calls must not wait on it."""
    provider = InboundConnectorProvider()
    made = provider.create(PROPS)
    child = multiprocessing.get_context("fork").Process(target=provider.delete, args=(made.id, made.outs))
    child.start()
    child.join(timeout=60)
    if child.is_alive():
        child.kill()
    assert child.exitcode == 0
    assert connectors(tenant) == []


class SecretKindProvider(InboundConnectorProvider):
    """A kind whose provider blob must be kept secret in state."""

    serialize_as_secret_always = True


def test_a_resource_registers_its_type_inputs_and_one_plain_provider_blob_per_kind() -> None:
    class Probe(TenantResource, module="exchange", name="Probe"):  # declared here: its blob is made in this test
        provider_class = InboundConnectorProvider
        computed_outputs = ("guid",)

    monitor = pulumi_render.render(lambda: [Probe("a", PROPS), Probe("b", {**PROPS, "name": "b"})], {},
                                   pm.TenantMocks(), stack="test")
    regs = [r for r in monitor.registrations.values() if r.type == "pulumi-python:dynamic/exchange:Probe"]
    assert sorted(r.name for r in regs) == ["a", "b"]
    blobs = {r.inputs["__provider"] for r in regs}
    assert len(blobs) == 1  # serialized once for the kind, not per resource
    [blob] = blobs
    assert isinstance(blob, str)  # not wrapped as a secret: the blob holds no secret
    assert type(dill.loads(base64.b64decode(blob))) is InboundConnectorProvider
    first = next(r for r in regs if r.name == "a")
    assert {k: v for k, v in first.inputs.items() if k != "__provider"} == PROPS


def test_a_kind_that_asks_for_it_has_its_provider_blob_kept_secret() -> None:
    class SecretProbe(TenantResource, module="exchange", name="SecretProbe"):
        provider_class = SecretKindProvider

    monitor = pulumi_render.render(lambda: SecretProbe("a", PROPS), {}, pm.TenantMocks(), stack="test")
    [reg] = [r for r in monitor.registrations.values() if r.type.endswith(":SecretProbe")]
    wrapped = reg.inputs["__provider"]
    assert not isinstance(wrapped, str)
    assert type(dill.loads(base64.b64decode(pm.unwrap(wrapped)))) is SecretKindProvider


def test_inputs_still_unknown_during_preview_pass_check_unjudged() -> None:
    """Another resource's output (a DKIM selector target, say) is unknown in preview: nothing to judge yet."""
    unknown = Unknown()
    result = InboundConnectorProvider().check({}, {**PROPS, "comment": unknown, "sender_ips": [unknown]})
    assert result.failures == []
    assert result.inputs["comment"] is unknown and result.inputs["sender_ips"] == [unknown]
