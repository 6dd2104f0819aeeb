"""The sender's own credential, never the deploying identity's: a mailbox password or the sender
app's token. Secrets come from the environment (or a prompt), never from flags."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from typing import Any

from o365relay.errors import UsageError
from o365relay.tenant.settings import Endpoints


def mailbox_password(environ: Mapping[str, str] = os.environ) -> str:
    """RELAY_SMTP_PASSWORD, else a prompt on the terminal; asked before connecting, since a missing
    password is the person's to fix first."""
    import getpass

    if password := environ.get("RELAY_SMTP_PASSWORD"):
        return password
    if not sys.stdin.isatty():
        raise UsageError("a mailbox sender needs its password: set RELAY_SMTP_PASSWORD (there is no terminal "
                         "to prompt on)")
    try:
        return getpass.getpass("mailbox password: ")
    except EOFError:
        raise UsageError("no password given; set RELAY_SMTP_PASSWORD or type it at the prompt") from None


def sender_client_id(flag: str | None, environ: Mapping[str, str] = os.environ) -> str:
    """The OAuth sender's application id: --client-id, else RELAY_SENDER_CLIENT_ID."""
    client_id = flag or environ.get("RELAY_SENDER_CLIENT_ID")
    if not client_id:
        raise UsageError("an OAuth sender needs its application id: --client-id or RELAY_SENDER_CLIENT_ID")
    return client_id


async def sender_token(endpoints: Endpoints, client_id: str, environ: Mapping[str, str] = os.environ) -> str:
    """Client credentials for the Exchange audience as the sender app: a certificate from
    RELAY_SENDER_CERTIFICATE_PATH or a secret from RELAY_SENDER_CLIENT_SECRET."""
    from azure.identity import aio

    from o365relay.tenant.credentials import bearer_token, certificate_credential, credential_options

    common = credential_options(endpoints)
    if environ.get("RELAY_SENDER_CERTIFICATE_PATH"):
        credential: Any = certificate_credential(endpoints.tenant_id, client_id, environ,
                                                 "RELAY_SENDER_CERTIFICATE_PATH", None, **common)
    elif secret := environ.get("RELAY_SENDER_CLIENT_SECRET"):
        credential = aio.ClientSecretCredential(endpoints.tenant_id, client_id, secret, **common)
    else:
        raise UsageError("set RELAY_SENDER_CLIENT_SECRET or RELAY_SENDER_CERTIFICATE_PATH for the sender app")
    async with credential:
        return await bearer_token(credential, endpoints.exchange_scope)
