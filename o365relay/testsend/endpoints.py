"""Where a test message goes: the client submission endpoint (587), or the sending domain's MX
endpoint (25) as the tenant names it in Graph's serviceConfigurationRecords."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from o365relay.errors import UsageError
from o365relay.tenant.settings import Endpoints

SUBMISSION = ("smtp.office365.com", 587)


def submission_endpoint(environ: Mapping[str, str] = os.environ) -> tuple[str, int]:
    """smtp.office365.com:587 unless RELAY_SMTP_HOST / RELAY_SMTP_PORT say otherwise (the sandbox sets them)."""
    return (environ.get("RELAY_SMTP_HOST", SUBMISSION[0]),
            _port(environ, "RELAY_SMTP_PORT", SUBMISSION[1]))


def mx_endpoint(endpoints: Endpoints, domain: str, environ: Mapping[str, str] = os.environ) -> tuple[str, int]:
    """RELAY_MX_HOST / RELAY_MX_PORT when set, else the MX record the tenant lists for ``domain``."""
    if host := environ.get("RELAY_MX_HOST"):
        return host, _port(environ, "RELAY_MX_PORT", 25)
    from o365relay.tenant.graph import GraphClient
    from o365relay.tenant.sync import run_sync

    async def lookup() -> list[Any]:
        async with GraphClient(endpoints) as graph:
            return await graph.service_configuration_records(domain)

    mx = [r for r in run_sync(lookup()) if str(getattr(r, "record_type", "")).lower() == "mx"]
    if not mx:
        raise UsageError(f"the tenant lists no MX endpoint for {domain} (is it a verified domain?)")
    return str(mx[0].mail_exchange), 25


def _port(environ: Mapping[str, str], name: str, default: int) -> int:
    text = environ.get(name, "")
    if not text:
        return default
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise UsageError(f"{name}={text!r} is not a port number (1-65535)")
    return int(text)
