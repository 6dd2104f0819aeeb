"""What the connection filter's allow-list findings say (o365relay/rules/privilege.py)."""

from __future__ import annotations

from rule_fixtures import build, clean_doc

from o365relay.rules.privilege import allow_entry_message


def test_an_allow_list_entry_names_every_connector_whose_senders_it_duplicates() -> None:
    doc = clean_doc()
    doc["connectors"]["dc2-relay"] = {"senderIPs": ["198.51.100.26"]}
    spec = build(doc)
    assert allow_entry_message("198.51.100.0/24", spec) == (
        "connection filter allow-lists 198.51.100.0/24, whose mail skips spam filtering; it duplicates the senders "
        "of connector dc1-relay, dc2-relay, which already recognises them")
    assert allow_entry_message("192.0.2.1", spec) == (
        "connection filter allow-lists 192.0.2.1, whose mail skips spam filtering")
    assert allow_entry_message("not-an-ip", spec) == (
        "connection filter allow-lists not-an-ip, whose mail skips spam filtering")
