"""Exchange authentication policies in Exchange's terms: the one home of their cmdlet parameters.

A policy is ``AllowBasicAuth<Protocol>`` switches (New-/Set-/Get-AuthenticationPolicy); the spec lists
the protocols a policy allows (``allowBasicAuth: [smtp]``). A policy is referred to by its Name, but
Exchange hands references back as the policy's distinguished name (``CN=Block Basic Auth,CN=Auth
Policies,...``, the form ``Get-User -Filter "AuthenticationPolicy -eq '<DN>'"`` takes; Microsoft,
"Disable Basic authentication in Exchange Online"), so :func:`policy_name` reads either form.
Every consumer (provider, audit, export, smtp-auth-report) compares through these functions and
names the parameters through the constants below. A protocol list does not map field by field onto
the switches, so this kind declares its names in :data:`NAMES` rather than as a :class:`~o365relay.kinds.base.Kind`.
"""

from __future__ import annotations

import typing
from collections.abc import Iterable, Mapping
from typing import Any

from o365relay.spec.model import BasicAuthProtocol

PROTOCOLS: tuple[BasicAuthProtocol, ...] = typing.get_args(BasicAuthProtocol)
USER_POLICY = "AuthenticationPolicy"  # Set-User's parameter and Get-User's field: the user's own policy
ORG_DEFAULT = "DefaultAuthenticationPolicy"  # Set-OrganizationConfig's parameter and Get-'s field


def switch(protocol: str) -> str:
    """``smtp`` -> ``AllowBasicAuthSmtp``: the cmdlet parameter and Get- row field of a protocol."""
    return "AllowBasicAuth" + protocol[:1].upper() + protocol[1:]


def switches(allowed: Iterable[str]) -> dict[str, bool]:
    """Every switch, absolutely: True for the protocols allowed, False for the rest."""
    wanted = set(allowed)
    return {switch(p): p in wanted for p in PROTOCOLS}


def allowed(row: Mapping[str, Any]) -> list[BasicAuthProtocol]:
    """The protocols a Get-AuthenticationPolicy row allows Basic for, in the spec's order."""
    return [p for p in PROTOCOLS if _true(row.get(switch(p)))]


def normal_protocols(values: Iterable[str] | None) -> list[str]:
    """A protocol list in the spec's order, each once (what compares equal)."""
    given = set(values or ())
    return [p for p in PROTOCOLS if p in given]


def policy_name(value: Any) -> str | None:
    """A policy reference (its name or its DN) as the policy's name; None or "" for none."""
    text = str(value or "").strip()
    if text.upper().startswith("CN=") and ",CN=Auth Policies," in text.replace("\\,", "\x00"):
        text = text[3:].replace("\\,", "\x00").split(",", 1)[0].replace("\x00", ",")
    return text or None


def same_policy(a: Any, b: Any) -> bool:
    """Policy references name the same policy (names compare case-insensitively, as Exchange's do)."""
    return (policy_name(a) or "").casefold() == (policy_name(b) or "").casefold()


def _true(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


NAMES = frozenset({*(switch(p) for p in PROTOCOLS), USER_POLICY, ORG_DEFAULT})
