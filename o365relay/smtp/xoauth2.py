"""The SASL XOAUTH2 initial response Exchange Online expects (reference section 4.2)."""

from __future__ import annotations

import base64
import json


def xoauth2(user: str, access_token: str) -> str:
    """``base64("user=" + user + "\\x01auth=Bearer " + token + "\\x01\\x01")``."""
    return base64.b64encode(f"user={user}\x01auth=Bearer {access_token}\x01\x01".encode()).decode()


def token_roles(access_token: str) -> list[str]:
    """The ``roles`` claim of a JWT, read without verifying it: for diagnosing a refusal only."""
    try:
        payload = access_token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return []
    roles = claims.get("roles", []) if isinstance(claims, dict) else []
    return [str(r) for r in roles] if isinstance(roles, list) else []
