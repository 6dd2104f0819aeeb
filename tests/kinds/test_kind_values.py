"""How the descriptors read Exchange's forms of a kind's values: the SMTP AUTH tri-state, and which
permission rows are grants."""

from __future__ import annotations

import pytest

from o365relay.kinds.permissions import FULL_ACCESS, SEND_AS
from o365relay.kinds.switches import MAILBOX_SMTP_AUTH, ORG_SMTP_AUTH, SMTP_AUTH_DISABLED


@pytest.mark.parametrize(("disabled", "state"), [
    (None, "inherit"), ("", "inherit"), (True, "disabled"), ("True", "disabled"), (False, "enabled"),
    ("False", "enabled"),
])
def test_smtp_auth_tri_state(disabled, state):
    assert MAILBOX_SMTP_AUTH.state({SMTP_AUTH_DISABLED: disabled}) == state


def test_a_switch_is_set_in_the_tenants_sense():
    assert ORG_SMTP_AUTH.setting(True) == {SMTP_AUTH_DISABLED: False}
    assert MAILBOX_SMTP_AUTH.setting(None) == {SMTP_AUTH_DISABLED: None}  # back to the organisation's


def test_access_rights_from_a_list_or_a_comma_string():
    assert SEND_AS.rights({"AccessRights": "SendAs, FullAccess"}) == {"sendas", "fullaccess"}
    assert SEND_AS.rights({"AccessRights": ["SendAs"]}) == {"sendas"}
    assert SEND_AS.rights({"AccessRights": None}) == set()
    assert SEND_AS.rights({}) == set()


def test_only_an_allowed_explicit_right_is_a_grant():
    row = {"Identity": "shared", "User": "app", "AccessRights": "ReadPermission, FULLACCESS"}
    assert FULL_ACCESS.granted(row) and FULL_ACCESS.holder_of({**row, "User": "App"}) == "app"
    assert not FULL_ACCESS.allows({**row, "Deny": "True"})  # a denial, in any serialised form
    assert FULL_ACCESS.allows({**row, "IsInherited": True}) and not FULL_ACCESS.granted({**row, "IsInherited": True})
    assert not FULL_ACCESS.granted({**row, "User": "NT AUTHORITY\\SELF"})
    trustee = {"Identity": "shared", "Trustee": "app", "AccessRights": ["SendAs"], "AccessControlType": "Deny"}
    assert not SEND_AS.allows(trustee) and SEND_AS.allows({**trustee, "AccessControlType": "Allow"})
