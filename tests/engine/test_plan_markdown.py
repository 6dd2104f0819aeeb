"""The PR comment from engine events (shaped as `pulumi preview --json` streams them), without an engine."""

from __future__ import annotations

from o365relay.engine.plan import read_plan, refreshed, render_markdown

DYN = "pulumi-python:dynamic/exchange:"
URN = "urn:pulumi:sandbox::o365-relay::o365relay:index:RelayStack${}::{}"


def pre(op: str, type_: str, name: str, **meta: object) -> dict:
    return {"resourcePreEvent": {"metadata": {"op": op, "urn": URN.format(type_, name), "type": type_, **meta}}}


EVENTS = [
    pre("same", "pulumi:pulumi:Stack", "o365-relay-sandbox"),
    pre("create", "o365relay:exchange:SendAs", "erp-sendas"),
    pre("create", DYN + "SendAsGrant", "erp-sendas-invoices@contoso.com"),
    pre("update", DYN + "InboundConnector", "dc1-relay-connector",
        old={"inputs": {"name": "dc1-relay", "sender_ips": ["203.0.113.0/28"], "__provider": "x"}},
        new={"inputs": {"name": "dc1-relay", "sender_ips": ["203.0.113.0/29"], "__provider": "y"}}),
    pre("delete-replaced", DYN + "MailboxSmtpAuth", "scanner-smtp-auth"),
    pre("replace", DYN + "MailboxSmtpAuth", "scanner-smtp-auth", keys=["mailbox"]),
    pre("create-replacement", DYN + "MailboxSmtpAuth", "scanner-smtp-auth"),
    pre("create-replacement", DYN + "FullAccessGrant", "erp-fullaccess"),
    pre("replace", DYN + "FullAccessGrant", "erp-fullaccess", keys=["user"]),
    pre("delete-replaced", DYN + "FullAccessGrant", "erp-fullaccess"),
    pre("delete", "azuread:index/application:Application", "old-app"),
    {"policyEvent": {"resourceUrn": "", "policyName": "no-basic-smtp-auth", "enforcementLevel": "mandatory",
                     "message": "service account <b>x|y</b> sends with Basic SMTP AUTH\n@contoso/admins"}},
    {"policyEvent": {"resourceUrn": URN.format(DYN + "InboundConnector", "dc1-relay-connector"),
                     "policyName": "connector-tls", "enforcementLevel": "warning", "message": "TLS off"}},
    {"diagnosticEvent": {"severity": "info", "message": "not an error"}},
]


def test_steps_findings_and_delete_first_replacements() -> None:
    plan = read_plan(EVENTS)
    assert [(s.op, s.kind, s.name, s.fields, s.delete_first) for s in plan.steps] == [
        ("create", "exchange:SendAsGrant", "erp-sendas-invoices@contoso.com", (), False),
        ("update", "exchange:InboundConnector", "dc1-relay-connector", ("sender_ips",), False),
        ("replace", "exchange:MailboxSmtpAuth", "scanner-smtp-auth", ("mailbox",), True),
        ("replace", "exchange:FullAccessGrant", "erp-fullaccess", ("user",), False),
        ("delete", "azuread:Application", "old-app", (), False),
    ]
    assert [(f.policy, f.level, f.resource) for f in plan.findings] == [
        ("no-basic-smtp-auth", "mandatory", ""), ("connector-tls", "advisory", "dc1-relay-connector")]
    assert plan.blocked and not plan.errors


def test_markdown_labels_plan_and_drift_and_renders_values_inert() -> None:
    text = render_markdown(read_plan(EVENTS), "sandbox", "## Relay audit: Findings\n\n### Connectors\n")
    assert text.startswith("## Relay plan for stack `sandbox`: 1 to create, 1 to update, 2 to replace, 1 to delete")
    assert "A mandatory finding blocks `pulumi up`" in text
    assert "| 🔁 replace (delete first) | `exchange:MailboxSmtpAuth` | `scanner-smtp-auth` | `mailbox` |" in text
    assert "<b>" not in text and "x\\|y" in text and "@\u2060contoso" in text  # no HTML, no cell break, no mention
    plan_part, drift_part = text.split("---", 1)
    assert "What `pulumi up` will do" in plan_part and "Drift: the tenant against the spec" in drift_part
    assert "### Relay audit: Findings" in drift_part and "#### Connectors" in drift_part


def test_no_change_and_a_failed_preview() -> None:
    assert "`pulumi up` would change nothing." in render_markdown(read_plan([]), "prod")
    failed = read_plan([{"diagnosticEvent": {"severity": "error", "message": "spec.yaml:3:1: bad"}}])
    assert failed.errors == ["spec.yaml:3:1: bad"]
    assert "### ❌ The preview failed" in render_markdown(failed, "prod")


def test_refresh_reports_what_changed_or_vanished_in_the_tenant() -> None:
    events = [{"resOutputsEvent": {"metadata": {"op": op, "urn": URN.format(DYN + "InboundConnector", name),
                                                "type": DYN + "InboundConnector"}}}
              for op, name in (("same", "a"), ("update", "b"), ("delete", "c"))]
    assert [(s.op, s.name) for s in refreshed(events)] == [("update", "b"), ("delete", "c")]
