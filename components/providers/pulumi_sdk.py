"""The Pulumi SDK internals the providers rely on, in one place, checked against the SDK installed.

:class:`~components.providers.base.TenantResource` registers a dynamic resource with a provider blob
made once per kind instead of once per resource, which the SDK offers no public way to do. It needs:

- ``pulumi.dynamic.dynamic.serialize_provider``: dill-pickles a provider as ``dynamic.Resource`` does;
- ``pulumi.runtime._serialization._serialize``: runs it while noting whether a secret was captured;
- ``pickle._Pickler._batch_setitems``: ``serialize_provider`` wraps it in a new sorting wrapper on every
  call and never restores it (seen in 3.272, Python < 3.14), so each call would deepen every later
  pickle by a frame until RecursionError; it is restored after each call here;
- ``pulumi.CustomResource.__init__`` called directly, as ``dynamic.Resource.__init__`` does with its blob.

:data:`TESTED_SDK` is the range tests/providers/test_pulumi_sdk.py has passed on (pyproject.toml pins
the same); :func:`check_sdk` refuses any other SDK with one clear line instead of a deep failure.
"""

from __future__ import annotations

import functools
import importlib.metadata
import inspect
import pickle
from typing import Any

import pulumi
from pulumi.dynamic import ResourceProvider

from o365relay.errors import InternalError

TESTED_SDK = ((3, 272), (3, 273))  # >= first, < second: "pulumi>=3.272,<3.273" in pyproject.toml (3.272.0 passed)


def _internals() -> tuple[Any, Any]:
    """``serialize_provider`` and ``_serialize``, imported only when checked."""
    from pulumi.dynamic.dynamic import serialize_provider
    from pulumi.runtime._serialization import _serialize

    return serialize_provider, _serialize


def check_sdk(version: str | None = None) -> None:
    """Raise InternalError unless the SDK is in :data:`TESTED_SDK` and its internals have the shapes used here."""
    version = version or importlib.metadata.version("pulumi")
    low, high = TESTED_SDK
    parts = tuple(int(p) for p in version.split(".")[:2] if p.isdigit())
    if not low <= parts < high:
        raise InternalError(f"Pulumi SDK {version} is outside the range the dynamic providers were tested on "
                            f"(>={'.'.join(map(str, low))},<{'.'.join(map(str, high))}): install that range")
    try:
        serialize_provider, serialize = _internals()
        shapes = {
            "serialize_provider": list(inspect.signature(serialize_provider).parameters) == ["provider"],
            "_serialize": list(inspect.signature(serialize).parameters)[:2] == ["allow_secrets", "f"],
            "pickle._Pickler._batch_setitems": callable(getattr(pickle._Pickler, "_batch_setitems", None)),
            "CustomResource.__init__": list(inspect.signature(pulumi.CustomResource.__init__).parameters)[:5]
            == ["self", "t", "name", "props", "opts"],
        }
    except (ImportError, AttributeError, ValueError, TypeError) as exc:
        raise InternalError(f"Pulumi SDK {version} no longer has the internals the dynamic providers use: "
                            f"{exc}") from None
    changed = [name for name, ok in shapes.items() if not ok]
    if changed:
        raise InternalError(f"Pulumi SDK {version} changed internals the dynamic providers use: {', '.join(changed)}")


@functools.cache
def _checked() -> None:
    check_sdk()


def serialize(provider: ResourceProvider) -> tuple[str, bool]:
    """The provider's blob as ``dynamic.Resource`` would make it, and whether it captured a secret."""
    _checked()
    serialize_provider, serialize_with_secrets = _internals()
    batch_setitems = pickle._Pickler._batch_setitems  # type: ignore[attr-defined]
    try:
        blob, captured_secret = serialize_with_secrets(True, serialize_provider, provider)
    finally:
        pickle._Pickler._batch_setitems = batch_setitems  # type: ignore[attr-defined]
    return str(blob), bool(captured_secret)


def register(resource: pulumi.CustomResource, type_token: str, name: str, props: dict[str, Any],
             opts: pulumi.ResourceOptions | None) -> None:
    """Register ``resource`` as ``dynamic.Resource.__init__`` does, with a blob already in ``props``."""
    pulumi.CustomResource.__init__(resource, type_token, name, props, opts)
