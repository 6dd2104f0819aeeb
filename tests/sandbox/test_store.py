"""The store: the five verbs, transactions, thread safety, persistence across reopen."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from o365relay.sandbox import store as st


@pytest.fixture
def store(tmp_path: Path) -> st.Store:
    return st.Store.open(tmp_path)


def test_insert_get_update_delete_round_trip(store: st.Store) -> None:
    doc = store.insert(st.USER, {"userPrincipalName": "A@contoso.com", "usageLocation": None})
    assert store.get(st.USER, doc["id"]) == doc
    assert store.find(st.USER, userPrincipalName="a@CONTOSO.com") == doc  # case-insensitive lookups
    updated = store.update(st.USER, doc["id"], {"usageLocation": "US"})
    assert store.get(st.USER, doc["id"])["usageLocation"] == "US" == updated["usageLocation"]
    assert store.delete(st.USER, doc["id"]) is True
    assert store.get(st.USER, doc["id"]) is None
    assert store.delete(st.USER, doc["id"]) is False


def test_list_keeps_insertion_order_and_filters(store: st.Store) -> None:
    for name in ("c", "a", "b"):
        store.insert(st.INBOUND_CONNECTOR, {"Name": name, "Enabled": name != "a"})
    assert [d["Name"] for d in store.list(st.INBOUND_CONNECTOR)] == ["c", "a", "b"]
    assert [d["Name"] for d in store.list(st.INBOUND_CONNECTOR, Enabled=True)] == ["c", "b"]
    assert [d["Name"] for d in store.list(st.INBOUND_CONNECTOR, where=lambda d: d["Name"] > "a")] == [
        "c",
        "b",
    ]


def test_duplicate_and_unknown_are_refused(store: st.Store) -> None:
    store.insert(st.DOMAIN, {"id": "contoso.com"})
    with pytest.raises(st.StoreError, match="already exists"):
        store.insert(st.DOMAIN, {"id": "contoso.com"})
    with pytest.raises(st.StoreError, match="does not exist"):
        store.update(st.DOMAIN, "fabrikam.com", {})
    with pytest.raises(st.StoreError, match="unknown kind"):
        store.list("mailboxes")


def test_transaction_rolls_back_everything_on_error(store: st.Store) -> None:
    with pytest.raises(RuntimeError), store.transaction():
        store.insert(st.USER, {"id": "u1"})
        with store.transaction():  # nested blocks join the outer one
            store.insert(st.USER, {"id": "u2"})
        raise RuntimeError("boom")
    assert store.count(st.USER) == 0


def test_concurrent_writers_lose_nothing(store: st.Store) -> None:
    def write(n: int) -> None:
        for i in range(50):
            with store.transaction():
                store.insert(st.MESSAGE_TRACE, {"id": f"{n}-{i}"})

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert store.count(st.MESSAGE_TRACE) == 200


def test_state_survives_reopen(tmp_path: Path) -> None:
    first = st.Store.open(tmp_path)
    first.insert(st.DNS_RECORD, {"id": "selector1._domainkey.contoso.com", "value": "x"})
    first.set_meta("k", "v")
    first.close()
    second = st.Store.open(tmp_path)
    assert second.get(st.DNS_RECORD, "selector1._domainkey.contoso.com") is not None
    assert second.get_meta("k") == "v"


def test_secrets_are_stored_hashed() -> None:
    stored = st.hash_secret("s3cret")
    assert "s3cret" not in stored
    assert st.verify_secret("s3cret", stored) and not st.verify_secret("S3cret", stored)
    assert not st.verify_secret("s3cret", None)


def test_lookup_finds_a_mailbox_by_any_of_its_names_and_forgets_old_ones(store: st.Store) -> None:
    user = store.insert(st.USER, {"userPrincipalName": "erp@contoso.com", "mailNickname": "erp",
                                  "proxyAddresses": ["SMTP:erp@contoso.com", "smtp:billing@contoso.com"]})
    names = ("userPrincipalName", "mailNickname", "proxyAddresses")
    for name in ("ERP", "Billing@Contoso.com", "erp@contoso.com", user["id"]):
        assert store.lookup(st.USER, name, names) == [user]
    store.update(st.USER, user["id"], {"mailNickname": "ledger", "proxyAddresses": ["SMTP:erp@contoso.com"]})
    assert store.lookup(st.USER, "erp", names) == []  # the old alias no longer resolves
    assert store.lookup(st.USER, "billing@contoso.com", names) == []
    assert [u["mailNickname"] for u in store.lookup(st.USER, "LEDGER", names)] == ["ledger"]
    store.delete(st.USER, user["id"])
    assert store.lookup(st.USER, "ledger", names) == []
    assert store.list(st.USER, userPrincipalName="erp@contoso.com") == []


def test_indexed_lists_keep_insertion_order_and_the_other_filters(store: st.Store) -> None:
    for n, mailbox in enumerate(["m2", "m1", "m2", "m2"]):
        store.insert(st.RECIPIENT_PERMISSION, {"id": f"g{n}", "xMailboxId": mailbox, "xTrusteeId": f"t{n % 2}"})
    assert [g["id"] for g in store.list(st.RECIPIENT_PERMISSION, xMailboxId="M2")] == ["g0", "g2", "g3"]
    assert [g["id"] for g in store.list(st.RECIPIENT_PERMISSION, xMailboxId="m2", xTrusteeId="t1")] == ["g3"]


def test_lookup_on_a_field_that_is_not_indexed_is_a_programming_error(store: st.Store) -> None:
    with pytest.raises(st.StoreError, match="not indexed"):
        store.lookup(st.USER, "x", ("usageLocation",))


def test_a_store_written_without_the_index_is_indexed_when_opened(tmp_path: Path) -> None:
    """A sandbox state directory from before the index (or with another layout) still resolves names."""
    old = st.Store.open(tmp_path)
    user = old.insert(st.USER, {"userPrincipalName": "erp@contoso.com", "mailNickname": "erp"})
    old._db.execute("DELETE FROM keys")  # as a store written before the keys table existed
    old.set_meta("keys", "an older layout")
    old.close()
    reopened = st.Store.open(tmp_path)
    assert reopened.lookup(st.USER, "ERP", ("mailNickname",)) == [user]
    assert reopened.find(st.USER, userPrincipalName="ERP@contoso.com") == user
