"""Names the relay gives the tenant objects it creates, in one place.

The Pulumi program names each OAuth sender's app registration (and so its service principal) from
the spec; the audit finds the sender by that name and export turns it back into a spec name. A prefix
marks what the relay manages, so a person browsing Entra can tell, and so unrelated apps that happen
to share a spec name are not mistaken for a sender.
"""

from __future__ import annotations

APPLICATION_PREFIX = "o365-relay "


def application_display_name(account: str) -> str:
    """The display name of a service account's app registration and service principal."""
    return APPLICATION_PREFIX + account


def account_name(display_name: str) -> str:
    """The spec name an application's display name stands for (unprefixed names are kept as they are)."""
    return display_name.removeprefix(APPLICATION_PREFIX)
