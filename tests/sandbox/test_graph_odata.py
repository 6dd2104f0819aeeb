"""The sandbox's OData $filter parser: what it accepts, how it evaluates, what it refuses."""

from __future__ import annotations

import pytest

from o365relay.sandbox.odata import FilterError, parse

USER = {
    "assignedLicenses": [{"skuId": "4b9405b0-7788-4568-add1-99614e613b69", "disabledPlans": []}],
    "userPrincipalName": "ERP@contoso.com",
    "displayName": "ERP Mailer",
    "accountEnabled": True,
    "proxyAddresses": ["SMTP:erp@contoso.com", "smtp:erp@contoso.onmicrosoft.com"],
    "size": 5,
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("userPrincipalName eq 'erp@contoso.com'", True),  # directory comparisons ignore case
        ("userPrincipalName ne 'erp@contoso.com'", False),
        ("startswith(displayName,'erp')", True),
        ("endswith(userPrincipalName,'@fabrikam.com')", False),
        ("accountEnabled eq true and size ge 5", True),
        ("size gt 5 or displayName eq 'ERP Mailer'", True),
        ("not (size lt 6)", False),
        ("displayName in ('Scanner', 'erp mailer')", True),
        ("proxyAddresses/any(p:p eq 'smtp:erp@contoso.onmicrosoft.com')", True),
        ("displayName eq 'O''Brien'", False),
        ("missing eq null", True),
        ("assignedLicenses/any(x:x/skuId eq 4b9405b0-7788-4568-add1-99614e613b69)", True),
        ("assignedLicenses/any(x:x/skuId eq 6fd2c87f-b296-42f0-b197-1e91e994b900)", False),
    ],
)
def test_filters_evaluate_like_graph(text: str, expected: bool) -> None:
    assert parse(text).matches(USER) is expected


def test_datetime_and_guid_literals_are_unquoted_values() -> None:
    node = parse("receivedDateTime ge 2026-11-20T00:00:00Z and appId eq 8bd644d1-64a1-4d4b-ae52-2e0cbf64e373")
    assert [(t.prop, t.op, t.value) for t in node.conjuncts()] == [
        ("receivedDateTime", "ge", "2026-11-20T00:00:00Z"),
        ("appId", "eq", "8bd644d1-64a1-4d4b-ae52-2e0cbf64e373"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "displayName eq",
        "displayName like 'x'",
        "(size eq 1",
        "size eq 1 extra",
        "startswith(displayName 'x')",
        "displayName eq 'unterminated",
        "size eq 1 &",
    ],
)
def test_syntax_errors_are_refused(text: str) -> None:
    with pytest.raises(FilterError):
        parse(text)


def test_properties_and_operators_outside_the_allow_list_are_named() -> None:
    allowed = {"displayName": {"eq", "startswith"}}
    assert parse("startswith(displayName,'a')", allowed).prop == "displayName"
    with pytest.raises(FilterError) as caught:
        parse("displayName eq 'a' and jobTitle eq 'b'", allowed)
    assert caught.value.prop == "jobTitle"
    with pytest.raises(FilterError) as caught:
        parse("endswith(displayName,'a')", allowed)
    assert caught.value.prop == "displayName"
