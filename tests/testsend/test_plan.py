"""Planning a test message from the spec: the method each sender declares, and whom it writes to."""

from __future__ import annotations

import re

import pytest
from testsend_helpers import SPEC

from o365relay.errors import UsageError
from o365relay.spec.loader import load_spec
from o365relay.testsend.plan import plan_send


@pytest.fixture(scope="module")
def spec():
    return load_spec(SPEC)


def test_each_sender_gets_its_declared_method(spec):
    assert plan_send(spec, "erp-mailer").method == "oauth"
    assert plan_send(spec, "scanner-floor3").method == "mailbox"
    assert plan_send(spec, "dc1-relay").method == "connector"


def test_an_authenticating_sender_writes_to_itself(spec):
    plan = plan_send(spec, "erp-mailer", from_addr="invoices@contoso.com")
    assert (plan.login, plan.from_addr, plan.recipients, plan.confirm_recipient) == (
        "erp@contoso.com", "invoices@contoso.com", ("erp@contoso.com",), False)


def test_a_connector_offers_every_declared_mailbox_to_confirm(spec):
    plan = plan_send(spec, "dc1-relay")
    assert plan.confirm_recipient and plan.connector is not None
    assert plan.recipients == ("erp@contoso.com", "noc@notify.contoso.com", "oncall@notify.contoso.com",
                               "scanner3@contoso.com", "invoices@contoso.com")
    assert plan_send(spec, "dc1-relay", to_addr="x@fabrikam.example").recipients == ("x@fabrikam.example",)


@pytest.mark.parametrize(("sender", "method", "says"), [
    ("nobody", None, "'nobody' is neither a service account nor a connector of the spec; declared: dc1-relay, "),
    ("dc1-relay", "oauth", "--method oauth needs a service account; 'dc1-relay' is a connector"),
])
def test_wrong_sender_or_method_is_a_usage_error(spec, sender, method, says):
    with pytest.raises(UsageError, match="^" + re.escape(says)):
        plan_send(spec, sender, method=method)
