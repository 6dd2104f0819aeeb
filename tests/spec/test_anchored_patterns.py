"""A value with a trailing newline is not the value: every pattern must reject it, with a location."""

from __future__ import annotations

import pytest

from o365relay.errors import SpecError
from o365relay.spec.loader import load_text
from o365relay.spec.schema import ecma_regex, load_schema

HEAD = ("version: 1\ntenant:\n  id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a\n"
        "  initialDomain: contoso.onmicrosoft.com\n")


def messages(text: str) -> list[str]:
    with pytest.raises(SpecError) as caught:
        load_text(text, "relay.yaml")
    return [str(p) for p in caught.value.problems]


def test_sender_ip_with_a_trailing_newline_is_located() -> None:
    spec = HEAD + 'domains:\n  contoso.com: {}\nconnectors:\n  dc1:\n    senderIPs: ["203.0.113.5\\n"]\n'
    assert messages(spec) == ["relay.yaml:9:17: spec.connectors.dc1.senderIPs[0]: '203.0.113.5\\n' is not an "
                              "IPv4 address or CIDR range; write e.g. 203.0.113.25 or 203.0.113.0/28"]


def test_spf_include_with_a_trailing_newline_would_break_the_record() -> None:
    spec = HEAD + 'domains:\n  contoso.com:\n    spf: {include: ["_spf.salesforce.com\\n"]}\n'
    [problem] = messages(spec)
    assert problem.startswith("relay.yaml:7:21: spec.domains.contoso.com.spf.include[0]: '_spf.salesforce.com\\n'")


def test_tenant_id_with_a_trailing_newline() -> None:
    spec = HEAD.replace("5b6a\n", '5b6a\\n"\n').replace("id: 7", 'id: "7')
    [problem] = messages(spec)
    assert problem.startswith("relay.yaml:3:7: spec.tenant.id:")


@pytest.mark.parametrize("name", sorted(n for n, d in load_schema()["$defs"].items() if "pattern" in d))
def test_every_schema_pattern_rejects_a_trailing_newline(name: str) -> None:
    definition = load_schema()["$defs"][name]
    example = definition.get("examples", [None])[0]
    if not isinstance(example, str):
        pytest.fail(f"$defs/{name} has a pattern but no string example to try it on")
    assert ecma_regex(definition["pattern"]).search(example)
    assert not ecma_regex(definition["pattern"]).search(example + "\n")
