"""Round trips of the audit's Graph reads on a tenant with many senders: a round of reads is one set of
concurrent $batch requests, so its cost is one request's latency, not one per 20 objects."""

from __future__ import annotations

import asyncio
import math

import yaml
from audit_helpers import SEEDS

from o365relay.audit.reader import GRAPH_BATCH, read_applications
from o365relay.sandbox import store as st
from o365relay.sandbox.faults import FaultPlan
from o365relay.tenant.graph import GraphClient

APPS = 3 * GRAPH_BATCH


def test_reading_many_senders_applications_takes_three_round_trips_not_three_per_batch(tenant, tmp_path):
    seed = tmp_path / "many-senders.yaml"
    seed.write_text(yaml.safe_dump({"extends": str(SEEDS / "applied.yaml"), "applications": {
        f"sender-{i:02d}": {"roles": ["SMTP.SendAsApp"]} for i in range(APPS)}}))
    sandbox = tenant(seed)
    holders = [{"principalId": sp["id"]} for sp in sandbox.store.list(st.SERVICE_PRINCIPAL)
               if sp["displayName"].startswith("sender-")]
    assert len(holders) == APPS
    latency = 0.3
    sandbox.set_faults(FaultPlan(latency=latency))
    sandbox.ctx.requests.clear()

    async def read() -> None:
        async with GraphClient(sandbox.endpoints()) as graph:
            await graph.batch_get(["/domains"])  # the token, outside the timed part
            sandbox.ctx.requests.clear()
            apps = await read_applications(graph, holders)
            assert apps.ok and len(apps.value or {}) == APPS

    asyncio.run(read())
    batches = sorted((e["start"], e["end"]) for e in sandbox.ctx.requests.entries() if e["path"].endswith("/$batch"))
    assert len(batches) == 3 * math.ceil(APPS / GRAPH_BATCH)
    elapsed = batches[-1][1] - batches[0][0]
    # serial batches would take 9 latencies; three rounds of concurrent ones take 3 (plus service time)
    assert elapsed < 6 * latency, f"{elapsed:.2f} s for {len(batches)} batches"
