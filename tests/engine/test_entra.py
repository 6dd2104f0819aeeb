"""The spec without its OAuth senders, for an engine that has no azuread plugin (the demo says so)."""

from __future__ import annotations

import yaml
from engine_stack import ROOT

from o365relay.engine.entra import without_entra


def test_oauth_senders_their_grants_and_waivers_are_left_out_and_named() -> None:
    document = yaml.safe_load((ROOT / "relay.prod.yaml").read_text(encoding="utf-8"))
    out, dropped = without_entra(document)
    assert dropped == ["erp-mailer", "monitoring-alerts"]
    assert list(out["serviceAccounts"]) == ["scanner-floor3"]
    assert out["sendAs"] == []
    assert "serviceAccounts.scanner-floor3" in [w["target"] for w in out["waivers"]]
    dropped_targets = {"serviceAccounts.erp-mailer", "serviceAccounts.monitoring-alerts"}
    assert not [w for w in out["waivers"] if w["target"] in dropped_targets]
    assert out["connectors"] == document["connectors"] and out["domains"] == document["domains"]
    assert list(document["serviceAccounts"]) == ["erp-mailer", "monitoring-alerts", "scanner-floor3"]  # untouched


def test_a_spec_without_oauth_senders_is_returned_as_it_is() -> None:
    document = {"serviceAccounts": {"scanner": {"kind": "mailbox", "mailbox": "s@contoso.com"}}}
    assert without_entra(document) == (document, [])
