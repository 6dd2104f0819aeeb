"""The part of a spec that needs Entra ID objects, for engines that cannot create them.

OAuth senders (``kind: application``) are Entra applications, service principals and app-role
assignments, made by the azuread provider plugin. Where that plugin is missing (a toolchain that
could not build it), :func:`without_entra` gives the spec without those senders, their Send As
grants and waivers, and names what it left out, so a caller can say so rather than pretend.
"""

from __future__ import annotations

from typing import Any


def without_entra(document: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """``document`` (a spec as YAML data) without its OAuth senders; and their names."""
    accounts = document.get("serviceAccounts") or {}
    dropped = sorted(name for name, account in accounts.items() if (account or {}).get("kind") == "application")
    if not dropped:
        return document, []
    out = dict(document)
    out["serviceAccounts"] = {k: v for k, v in accounts.items() if k not in dropped}
    out["sendAs"] = [g for g in document.get("sendAs") or [] if g.get("trustee") not in dropped]
    targets = {f"serviceAccounts.{name}" for name in dropped}
    out["waivers"] = [w for w in document.get("waivers") or [] if w.get("target") not in targets]
    return out, dropped
