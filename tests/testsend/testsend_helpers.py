"""The test-send tests' spec and how they point test-send at a sender app of the sandbox."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from o365relay.sandbox import store as st

SPEC = str(Path(__file__).parent / "relay.test.yaml")


def app_id(sandbox: Any, name: str) -> str:
    return str(sandbox.store.find(st.APPLICATION, displayName=name)["appId"])


def use_app(sandbox: Any, name: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Point test-send at a sender app: its id as the flag, its secret in the environment."""
    ident = app_id(sandbox, name)
    monkeypatch.setenv("RELAY_SENDER_CLIENT_SECRET", sandbox.secret_for(ident))
    return ident
