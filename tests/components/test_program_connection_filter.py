"""The program under Pulumi's mock runtime with tenant.connectionFilter declared: one typed
exchange:ConnectionFilterPolicy with the spec's lists, waiting for the relay connectors; none when
the spec leaves the policy alone (the example stack)."""

from __future__ import annotations

from pathlib import Path

import pulumi_mocks as pm

from components import program

TYPE = "pulumi-python:dynamic/exchange:ConnectionFilterPolicy"
POLICY = """  connectionFilter:
    ipBlockList: [192.0.2.66, 198.51.100.128/25]
"""


def render(tmp_path: Path, spec_text: str) -> pm.RecordingMonitor:
    return pm.render(program.run, pm.stack_config(pm.write_project(tmp_path, spec_text)))


def test_declared_policy_is_one_typed_resource_after_the_connectors(tmp_path: Path) -> None:
    anchor = "  rejectDirectSend: true"
    text = pm.EXAMPLE_SPEC.read_text().replace(anchor, anchor + "\n" + POLICY.rstrip("\n"), 1)
    monitor = render(tmp_path, text)
    [policy] = [r for r in monitor.registrations.values() if r.type == TYPE]
    assert policy.name == "connection-filter" and policy.parent.endswith("::relay")
    assert {k: v for k, v in policy.inputs.items() if k != "__provider"} == {
        "ip_block_list": ["192.0.2.66", "198.51.100.128/25"], "ip_allow_list": [], "enable_safe_list": False}
    assert {urn.rsplit("::", 1)[-1] for urn in policy.dependencies} == {"dc1-relay-connector"}


def test_undeclared_policy_is_left_alone(tmp_path: Path) -> None:
    monitor = render(tmp_path, pm.EXAMPLE_SPEC.read_text())
    assert not [r for r in monitor.registrations.values() if r.type == TYPE]
