"""The Pulumi SDK internals the providers use (components/providers/pulumi_sdk.py) are checked against the
installed SDK: a changed or out-of-range SDK fails here, loudly, not as a deep error mid-`pulumi up`."""

from __future__ import annotations

import pickle
import re
import tomllib
from pathlib import Path

import pytest

from components.providers import pulumi_sdk
from components.providers.full_access import FullAccessGrantProvider
from o365relay.errors import InternalError

ROOT = Path(__file__).resolve().parents[2]


def test_the_installed_sdk_has_the_internals_in_the_tested_range() -> None:
    pulumi_sdk.check_sdk()  # raises, naming what changed, on an SDK that moved them


def test_pyproject_pins_the_tested_range() -> None:
    extra = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]["pulumi"]
    (pin,) = [dep for dep in extra if re.match(r"pulumi[><=]", dep)]
    (low, high) = pulumi_sdk.TESTED_SDK
    assert pin == f"pulumi>={low[0]}.{low[1]},<{high[0]}.{high[1]}"


@pytest.mark.parametrize("version", ["3.273.0", "3.271.9", "4.0.0"])
def test_an_sdk_outside_the_tested_range_is_refused(version: str) -> None:
    with pytest.raises(InternalError, match=rf"^Pulumi SDK {re.escape(version)} is outside the range"):
        pulumi_sdk.check_sdk(version)


def test_an_sdk_without_the_pickler_hook_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(pickle._Pickler, "_batch_setitems")
    with pytest.raises(InternalError, match=r"changed internals .*: pickle\._Pickler\._batch_setitems$"):
        pulumi_sdk.check_sdk()


def test_an_sdk_with_a_changed_serializer_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    import pulumi.dynamic.dynamic as dynamic

    monkeypatch.setattr(dynamic, "serialize_provider", lambda provider, *, pickler: "")
    with pytest.raises(InternalError, match=r"changed internals .*: serialize_provider$"):
        pulumi_sdk.check_sdk()


def test_serializing_leaves_the_pickler_as_it_found_it() -> None:
    """serialize_provider wraps _batch_setitems on every call; left so, a program with about a thousand
    dynamic resources dies with RecursionError."""
    before = pickle._Pickler._batch_setitems  # type: ignore[attr-defined]
    blobs = {pulumi_sdk.serialize(FullAccessGrantProvider()) for _ in range(3)}
    assert pickle._Pickler._batch_setitems is before  # type: ignore[attr-defined]
    assert len(blobs) == 1 and next(iter(blobs))[1] is False
