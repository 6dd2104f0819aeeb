"""The program under Pulumi's mock runtime with authentication policies declared: one typed resource per
policy, per assigned sender (named by its mailbox, waiting for its policy) and for the org default (waiting
for every assignment, so a default that blocks basic SMTP never lands before a sender's own policy)."""

from __future__ import annotations

from pathlib import Path

import pulumi_mocks as pm
from pulumi_render import Registration

from components import program

PREFIX = "pulumi-python:dynamic/exchange:"
POLICIES = """
authenticationPolicies:
  Block Basic Auth: {}
  Relay basic SMTP:
    allowBasicAuth: [smtp]
    appliesTo: [scanner-floor3]
"""


def render(tmp_path: Path, spec_text: str) -> pm.RecordingMonitor:
    return pm.render(program.run, pm.stack_config(pm.write_project(tmp_path, spec_text)))


def inputs(resource: Registration) -> dict[str, object]:
    return {k: v for k, v in resource.inputs.items() if k != "__provider"}


def test_policies_assignments_and_default_in_order(tmp_path: Path) -> None:
    anchor = "  rejectDirectSend: true"
    text = pm.EXAMPLE_SPEC.read_text().replace(anchor, anchor + "\n  defaultAuthenticationPolicy: Block Basic Auth",
                                               1) + POLICIES
    monitor = render(tmp_path, text)
    by_type = {}
    for r in monitor.registrations.values():
        if r.type.startswith(PREFIX + "AuthenticationPolicy") or r.type == PREFIX + "DefaultAuthenticationPolicy":
            by_type.setdefault(r.type.removeprefix(PREFIX), []).append(r)
    assert sorted(inputs(p)["name"] for p in by_type["AuthenticationPolicy"]) == ["Block Basic Auth",
                                                                                   "Relay basic SMTP"]
    [assignment] = by_type["AuthenticationPolicyAssignment"]
    assert assignment.name == "scanner3@contoso.com-auth-policy"
    assert inputs(assignment) == {"mailbox": "scanner3@contoso.com", "policy": "Relay basic SMTP"}
    assert "Relay basic SMTP" in {urn.rsplit("::", 1)[-1] for urn in assignment.dependencies}
    [default] = by_type["DefaultAuthenticationPolicy"]
    assert inputs(default) == {"policy": "Block Basic Auth"}
    assert {urn.rsplit("::", 1)[-1] for urn in default.dependencies} >= {"Block Basic Auth",
                                                                          "scanner3@contoso.com-auth-policy"}


def test_no_policies_declared_no_resources(tmp_path: Path) -> None:
    monitor = render(tmp_path, pm.EXAMPLE_SPEC.read_text())
    assert not [r for r in monitor.registrations.values() if "AuthenticationPolic" in r.type]
