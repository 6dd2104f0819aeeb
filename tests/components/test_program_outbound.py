"""Outbound connectors in the stack, rendered under Pulumi's mock runtime: each ``direction: outbound``
entry becomes an OutboundRoute component holding one exchange:OutboundConnector, and nothing of the
relay side (connectors, SPF, device settings) changes."""

from __future__ import annotations

import pulumi_mocks as pm
import pytest

from components import program

DYN = "pulumi-python:dynamic/"
OUTBOUND = """  to-fabrikam:
    direction: outbound
    recipientDomains: [fabrikam.com, '*.fabrikam.com']
    smartHosts: [mx.fabrikam.com]
    tls: DomainValidation
    tlsDomain: mail.fabrikam.com
    comment: partner gateway
  via-rule:
    direction: outbound
    transportRuleScoped: true
    useMxRecord: true
    enabled: false

serviceAccounts:
"""


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> tuple[pm.RecordingMonitor, pm.RecordingMonitor]:
    text = pm.EXAMPLE_SPEC.read_text()
    assert "\nserviceAccounts:\n" in text
    with_outbound = pm.write_project(tmp_path_factory.mktemp("outbound"),
                                     text.replace("\nserviceAccounts:\n", "\n" + OUTBOUND, 1))
    plain = pm.write_project(tmp_path_factory.mktemp("plain"))
    return pm.render(program.run, pm.stack_config(with_outbound)), pm.render(program.run, pm.stack_config(plain))


def by_name(monitor: pm.RecordingMonitor, name: str) -> pm.Registration:
    (found,) = [r for r in monitor.registrations.values() if r.name == name]
    return found


def inputs(reg: pm.Registration) -> dict:
    return {k: v for k, v in reg.inputs.items() if k != "__provider"}


def test_each_outbound_entry_is_a_route_with_one_connector(rendered) -> None:
    monitor, plain = rendered
    added = ({(r.type, r.name, r.parent.rsplit("::", 1)[-1]) for r in monitor.registrations.values()}
             - {(r.type, r.name, r.parent.rsplit("::", 1)[-1]) for r in plain.registrations.values()})
    assert added == {
        ("o365relay:exchange:OutboundRoute", "to-fabrikam", "relay"),
        (DYN + "exchange:OutboundConnector", "to-fabrikam-connector", "to-fabrikam"),
        ("o365relay:exchange:OutboundRoute", "via-rule", "relay"),
        (DYN + "exchange:OutboundConnector", "via-rule-connector", "via-rule"),
    }
    assert len(monitor.registrations) == len(plain.registrations) + 4


def test_outbound_connector_inputs(rendered) -> None:
    monitor, _ = rendered
    assert inputs(by_name(monitor, "to-fabrikam-connector")) == {
        "name": "to-fabrikam", "connector_type": "Partner", "recipient_domains": ["fabrikam.com", "*.fabrikam.com"],
        "is_transport_rule_scoped": False, "smart_hosts": ["mx.fabrikam.com"], "use_mx_record": False,
        "tls_settings": "DomainValidation", "tls_domain": "mail.fabrikam.com", "enabled": True,
        "comment": "partner gateway"}
    assert inputs(by_name(monitor, "via-rule-connector")) == {
        "name": "via-rule", "connector_type": "Partner", "recipient_domains": [], "is_transport_rule_scoped": True,
        "smart_hosts": [], "use_mx_record": True, "enabled": False, "comment": ""}


def test_relay_side_is_untouched(rendered) -> None:
    monitor, plain = rendered
    assert monitor.exports["senders"] == plain.exports["senders"]  # no device settings for outbound routes
    assert monitor.exports["dnsRecords"] == plain.exports["dnsRecords"]  # their hosts are not SPF senders
    spec = by_name(monitor, "relay").inputs["spec"]
    assert spec["connectors"]["via-rule"]["direction"] == "outbound"  # the policy pack sees them
