"""The spec model's questions: which switches the program sets, which connectors a domain's SPF must
authorise, which authentication policy a sender gets, and where a path sits in the source."""

from __future__ import annotations

import pytest

from o365relay.spec.model import AuthenticationPolicy, Connector, RelaySpec, Rollout, Tenant

TENANT = Tenant(id="00000000-0000-0000-0000-000000000001", initial_domain="contoso.onmicrosoft.com")


@pytest.mark.parametrize(("tenant", "smtp_auth", "reject_direct_send"), [
    (TENANT, True, True),
    (Tenant("t", "t.onmicrosoft.com", smtp_auth=Rollout("observe")), False, True),
    (Tenant("t", "t.onmicrosoft.com", smtp_auth=Rollout("enforce")), True, True),
    (Tenant("t", "t.onmicrosoft.com", reject_direct_send=Rollout("observe")), True, False),
    (Tenant("t", "t.onmicrosoft.com", smtp_auth="enabled", reject_direct_send=False), True, True),
])
def test_a_switch_is_enforced_unless_its_rollout_only_observes(tenant, smtp_auth, reject_direct_send):
    assert (tenant.enforced("smtpAuth"), tenant.enforced("rejectDirectSend")) == (smtp_auth, reject_direct_send)


def test_each_switch_gives_its_own_rollout_and_a_plain_value_none():
    smtp, direct = Rollout("observe", evidence_days=30), Rollout("enforce")
    tenant = Tenant("t", "t.onmicrosoft.com", smtp_auth=smtp, reject_direct_send=direct)
    assert tenant.rollout("smtpAuth") is smtp
    assert tenant.rollout("rejectDirectSend") is direct
    assert TENANT.rollout("smtpAuth") is None and TENANT.rollout("rejectDirectSend") is None


def test_spf_must_authorise_connectors_sending_for_the_domain_or_for_all():
    spec = RelaySpec(1, TENANT, connectors={
        "all": Connector("all", ("203.0.113.10",)),
        "contoso": Connector("contoso", ("203.0.113.11",), sends_for=("contoso.com",)),
        "fabrikam": Connector("fabrikam", ("203.0.113.12",), sends_for=("fabrikam.com", "tailspin.com"))})
    assert [c.name for c in spec.connectors_sending_for("contoso.com")] == ["all", "contoso"]
    assert [c.name for c in spec.connectors_sending_for("tailspin.com")] == ["all", "fabrikam"]


def test_a_sender_gets_its_own_policy_else_the_declared_org_default_else_none():
    own, org = AuthenticationPolicy("Allow SMTP", ("smtp",), ("scanner",)), AuthenticationPolicy("Block all")
    policies = {"Allow SMTP": own, "Block all": org}
    with_default = RelaySpec(1, Tenant("t", "t.onmicrosoft.com", default_authentication_policy="Block all"),
                             authentication_policies=policies)
    assert with_default.authentication_policy_of("scanner") is own
    assert with_default.authentication_policy_of("printer") is org
    assert RelaySpec(1, TENANT, authentication_policies=policies).authentication_policy_of("printer") is None


def test_a_region_walks_up_to_the_nearest_known_path_and_ends_where_its_text_ends():
    spec = RelaySpec(1, TENANT, positions={("connectors",): (7, 1), ("connectors", "dc1"): (8, 3)},
                     ends={("connectors", "dc1"): (12, 20)})
    assert spec.region(("connectors", "dc1", "senderIPs", 0)) == ((8, 3), (12, 20))
    assert spec.region(("connectors", "dc2")) == ((7, 1), (7, 1))  # no end known: an empty region
    assert spec.position(("connectors", "dc1", "enabled")) == (8, 3)


def test_a_spec_built_without_positions_points_at_its_start():
    spec = RelaySpec(1, TENANT)
    assert spec.region(("domains", "contoso.com")) == ((1, 1), (1, 1))
    assert spec.position(("tenant",)) == (1, 1)
