"""Export the tenant at ``endpoints`` (credentials from the environment)."""

from __future__ import annotations

from typing import Any

from o365relay.dnscheck.resolver import Dns
from o365relay.export.builder import Export, build_spec
from o365relay.export.reader import read_for_export
from o365relay.reports.progress import Tick


async def export_tenant(endpoints: Any, dns: Dns | None, progress: Tick | None = None) -> Export:
    from o365relay.tenant.exchange import ExchangeClient
    from o365relay.tenant.graph import GraphClient

    async with ExchangeClient(endpoints) as exo, GraphClient(endpoints) as graph:
        view = await read_for_export(exo, graph, progress)
    return build_spec(endpoints.tenant_id, view, dns)
