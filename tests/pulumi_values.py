"""Values as the engine hands them to a provider host: secrets stripped (the host says acceptSecrets=False)."""

from __future__ import annotations

from typing import Any

from pulumi.runtime import rpc


def strip_secrets(value: Any) -> Any:
    """Unwrap secret markers recursively: the host answers acceptSecrets=False, so the engine strips them."""
    value = rpc.unwrap_rpc_secret(value)
    if isinstance(value, dict):
        return {k: strip_secrets(v) for k, v in value.items()}
    if isinstance(value, list):
        return [strip_secrets(v) for v in value]
    return value
