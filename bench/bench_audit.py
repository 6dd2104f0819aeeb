"""Bench: `relayctl audit` on a large tenant vs a naive one-request-per-object reader, same run.

The sandbox tenant holds 50 relay connectors, 500 service accounts (450 OAuth applications with their
Exchange service principal and FullAccess, 50 SMTP AUTH mailboxes) and 5,000 Send As grants (each
account on 10 of 1,000 shared mailboxes), with 50 ms added to every request (FaultPlan latency).

Measured (requests are the HTTP requests each client sends, retries included, counted by a wrapping
transport; the sandbox's own count is also printed, but it counts each Graph $batch sub-request too;
token requests are not in the client counts, 2 per run for either reader):
- the audit: bulk reads (the tenant-wide lists, every Send As grant among them, and Get-MailboxPermission per
  sender's mailbox, in $batch of 10 on Exchange with the client's 3 concurrent requests; $batch of 20 on
  Graph), wall time and request count;
- the naive reader: one request per object (Get-InboundConnector -Identity per connector,
  Get-RecipientPermission -Identity -Trustee per grant, Get-ServicePrincipal / Get-MailboxPermission /
  Get-CASMailbox per account, GET /users/{upn} per mailbox, ...), through the same clients with the
  same concurrency limit, so the difference is the number of round trips alone.

Targets: >= 20x fewer requests; audit wall time <= 2x its floor, the floor being the latency times
the round trips on its critical path: Exchange's 1 token + ceil(batches / 3) waves, or Graph's
1 token + 1 round (all batches at once) + the appRoleAssignedTo page + the 3 rounds reading the
holders' applications (service principals, applications, federated credentials), whichever is longer.
The sandbox's own service time (the same audit run again with no added latency) is printed too:
"latencyCostOverFloor" is (wall - wall without latency) / floor, the part the round trips cost.

    .venv/bin/python bench/bench_audit.py        # full size
    .venv/bin/python bench/bench_audit.py 0.1    # a tenth of the size
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import yaml

from o365relay.audit.reader import EXO_BATCH, GRAPH_BATCH, LIST_CMDLETS
from o365relay.audit.runner import audit_with, plan_reads
from o365relay.sandbox.faults import FaultPlan
from o365relay.sandbox.runner import Sandbox, start_sandbox
from o365relay.sandbox.seed import DEFAULT_SEED
from o365relay.spec.model import Connector, Credential, Domain, RelaySpec, SendAsGrant, ServiceAccount, Tenant
from o365relay.tenant.exchange import ExchangeClient
from o365relay.tenant.graph import GraphClient

LATENCY = 0.05
APPS, MAILBOX_SENDERS, SHARED, GRANTS_EACH, CONNECTORS = 450, 50, 1000, 10, 50
EXO_CONCURRENCY = 3
TENANT_ID = "7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a"


def scale(factor: float) -> None:
    global APPS, MAILBOX_SENDERS, SHARED, CONNECTORS
    APPS, MAILBOX_SENDERS = round(APPS * factor), round(MAILBOX_SENDERS * factor)
    SHARED, CONNECTORS = round(SHARED * factor), max(1, round(CONNECTORS * factor))


def _sender(i: int) -> str:
    return f"sa{i:03d}@contoso.com"


def _shared(i: int) -> str:
    return f"shared{i:04d}@contoso.com"


def _grants() -> list[tuple[int, int]]:
    return [(s, (s * GRANTS_EACH + k) % SHARED) for s in range(APPS + MAILBOX_SENDERS) for k in range(GRANTS_EACH)]


def _dkim_target(n: int, domain: str) -> str:
    return f"selector{n}-{domain.replace('.', '-')}._domainkey.contoso.r-v1.dkim.mail.microsoft"


def write_seed(path: Path) -> None:
    users: dict[str, Any] = {_shared(i): {"displayName": f"Shared {i}"} for i in range(SHARED)}
    users |= {_sender(i): {"displayName": f"Sender {i}", "smtpAuth": "enabled"} for i in range(APPS + MAILBOX_SENDERS)}
    apps = {f"app-{i:03d}": {"roles": ["SMTP.SendAsApp"], "exchangeServicePrincipal": True} for i in range(APPS)}
    trustee = {s: (f"app-{s:03d}" if s < APPS else _sender(s)) for s in range(APPS + MAILBOX_SENDERS)}
    seed = {
        "extends": str(DEFAULT_SEED),
        "tenant": {"rejectDirectSend": True},
        "domains": {"contoso.com": {"dkim": {"config": True, "enabled": True}},
                    "notify.contoso.com": {"dkim": {"config": True, "enabled": True}}},
        "dns": {f"selector{n}._domainkey.{d}": _dkim_target(n, d)
                for n in (1, 2) for d in ("contoso.com", "notify.contoso.com")},
        "users": users,
        "applications": apps,
        "exchange": {
            "inboundConnectors": {
                f"relay-{i:02d}": {"ConnectorType": "OnPremises", "SenderIPAddresses": [f"198.51.{i}.0/28"],
                                   "SenderDomains": ["*"], "RequireTls": True, "Comment": f"site {i}"}
                for i in range(CONNECTORS)},
            "recipientPermissions": [{"mailbox": _shared(m), "trustee": trustee[s]} for s, m in _grants()],
            "mailboxPermissions": [{"mailbox": _sender(i), "user": f"app-{i:03d}"} for i in range(APPS)],
        },
    }
    path.write_text(yaml.safe_dump(seed))


def build_spec() -> RelaySpec:
    accounts = {}
    for i in range(APPS + MAILBOX_SENDERS):
        if i < APPS:
            cred = Credential("federated", issuer="https://token.actions.githubusercontent.com", subject=f"repo:c/a{i}")
            accounts[f"app-{i:03d}"] = ServiceAccount(f"app-{i:03d}", "application", _sender(i), credential=cred)
        else:
            accounts[f"mbx-{i:03d}"] = ServiceAccount(f"mbx-{i:03d}", "mailbox", _sender(i))
    names = list(accounts)
    return RelaySpec(
        version=1,
        tenant=Tenant(TENANT_ID, "contoso.onmicrosoft.com"),
        domains={d: Domain(d) for d in ("contoso.com", "notify.contoso.com")},
        service_accounts=accounts,
        connectors={f"relay-{i:02d}": Connector(f"relay-{i:02d}", sender_ips=(f"198.51.{i}.0/28",), comment=f"site {i}")
                    for i in range(CONNECTORS)},
        send_as=tuple(SendAsGrant(trustee=names[s], mailbox=_shared(m)) for s, m in _grants()),
        source="<bench>",
    )


async def naive_read(spec: RelaySpec, exo: ExchangeClient, graph: GraphClient) -> int:
    """One request per object; returns how many objects it read."""
    calls: list[Any] = [exo.invoke("Get-TransportConfig"), exo.invoke("Get-OrganizationConfig")]
    calls += [exo.invoke("Get-DkimSigningConfig", {"Identity": d}) for d in spec.domains]
    calls += [exo.invoke("Get-InboundConnector", {"Identity": c}) for c in spec.connectors]
    calls += [graph.batch_get([f"/domains/{d}"]) for d in spec.domains]
    for name, account in spec.service_accounts.items():
        calls.append(exo.invoke("Get-CASMailbox", {"Identity": account.mailbox}))
        if account.kind == "application":
            calls.append(exo.invoke("Get-ServicePrincipal", {"Identity": name}))
            calls.append(exo.invoke("Get-MailboxPermission", {"Identity": account.mailbox, "User": name}))
            calls.append(graph.batch_get([f"/servicePrincipals?$filter=displayName eq '{name}'"]))
    calls += [graph.batch_get([f"/users/{m}"]) for m in sorted({g.mailbox for g in spec.send_as})]
    trustees = {n: (n if a.kind == "application" else a.mailbox) for n, a in spec.service_accounts.items()}
    calls += [exo.invoke("Get-RecipientPermission", {"Identity": g.mailbox, "Trustee": trustees[g.trustee]})
              for g in spec.send_as]
    results = await asyncio.gather(*calls, return_exceptions=True)
    errors = [r for r in results if isinstance(r, BaseException)]
    if errors:
        raise RuntimeError(f"naive reader: {len(errors)} reads failed, e.g. {errors[0]}")
    return len(calls)


class Counting(httpx.AsyncBaseTransport):
    """Counts what a client actually sends (retries included), by path."""

    def __init__(self, inner: httpx.AsyncBaseTransport, counts: Counter[str]):
        self.inner, self.counts = inner, counts

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.counts[request.url.path.rsplit("/", 1)[-1] if "adminapi" in request.url.path else "graph"] += 1
        return await self.inner.handle_async_request(request)


async def measure(sandbox: Sandbox, plan: FaultPlan, run: Any) -> tuple[float, int, Any, Counter[str]]:
    endpoints, counts = sandbox.endpoints(), Counter[str]()
    exo_transport = Counting(httpx.AsyncHTTPTransport(verify=endpoints.ssl_context()), counts)
    graph_transport = Counting(httpx.AsyncHTTPTransport(verify=endpoints.ssl_context()), counts)
    async with ExchangeClient(endpoints, concurrency=EXO_CONCURRENCY, transport=exo_transport) as exo, \
            GraphClient(endpoints, transport=graph_transport) as graph:
        before = plan.stats["requests"]
        start = time.perf_counter()
        result = await run(exo, graph)
        return time.perf_counter() - start, plan.stats["requests"] - before, result, counts


def main() -> int:
    if len(sys.argv) > 1:  # a scale factor, e.g. 0.2 for a quick run
        scale(float(sys.argv[1]))
    spec = build_spec()
    with tempfile.TemporaryDirectory() as tmp:
        seed = Path(tmp) / "large.yaml"
        write_seed(seed)
        t0 = time.perf_counter()
        plan = FaultPlan(latency=LATENCY)
        with start_sandbox(Path(tmp) / "state", seed=seed, faults=plan) as sandbox:
            seeded = time.perf_counter() - t0
            print(f"seeded in {seeded:.1f} s", file=sys.stderr, flush=True)
            os.environ.update(sandbox.env())
            audit_wall, audit_requests, result, audit_counts = asyncio.run(
                measure(sandbox, plan, lambda exo, graph: audit_with(spec, exo, graph)))
            print(f"audit: {audit_requests} requests {dict(audit_counts)}, {audit_wall:.2f} s", file=sys.stderr,
                  flush=True)
            sandbox.set_faults(None)  # the same audit without added latency: the sandbox's own service time
            service_wall, _, _, _ = asyncio.run(measure(sandbox, plan, lambda exo, graph: audit_with(spec, exo, graph)))
            print(f"audit without latency: {service_wall:.2f} s", file=sys.stderr, flush=True)
            sandbox.set_faults(plan)
            naive_wall, naive_requests, objects, naive_counts = asyncio.run(
                measure(sandbox, plan, lambda exo, graph: naive_read(spec, exo, graph)))
    reads = plan_reads(spec)
    commands = len(LIST_CMDLETS) + len(reads.full_access_mailboxes)  # Send As: one tenant-wide list
    batches = math.ceil(commands / EXO_BATCH)
    graph_batches = math.ceil((2 + len(reads.mailboxes)) / GRAPH_BATCH)
    exo_path = 1 + math.ceil(batches / EXO_CONCURRENCY)
    graph_path = 1 + 1 + 1 + 3
    floor = LATENCY * max(exo_path, graph_path)
    figures = {
        "tenant": {"connectors": CONNECTORS, "serviceAccounts": APPS + MAILBOX_SENDERS,
                   "sendAsGrants": len(spec.send_as), "sharedMailboxes": SHARED,
                   "latencyMs": LATENCY * 1000, "seedSeconds": round(seeded, 1),
                   "loadAverage": round(os.getloadavg()[0], 1), "cpus": os.cpu_count()},
        "audit": {"serverCountedRequests": audit_requests, "clientRequests": sum(audit_counts.values()),
                  "byClient": dict(audit_counts), "wallSeconds": round(audit_wall, 2), "items": len(result.items),
                  "wallWithoutLatencySeconds": round(service_wall, 2),
                  "latencyCostOverFloor": round((audit_wall - service_wall) / floor, 2),
                  "verdict": result.verdict, "exchangeBatches": batches, "graphBatches": graph_batches,
                  "criticalPathRoundTrips": max(exo_path, graph_path), "floorSeconds": round(floor, 2),
                  "wallOverFloor": round(audit_wall / floor, 2)},
        "naive": {"serverCountedRequests": naive_requests, "clientRequests": sum(naive_counts.values()),
                  "byClient": dict(naive_counts), "objectsRead": objects, "wallSeconds": round(naive_wall, 2)},
        "requestRatio": round(sum(naive_counts.values()) / sum(audit_counts.values()), 1),
    }
    print(json.dumps(figures, indent=2))
    ok = figures["requestRatio"] >= 20 and audit_wall <= 2 * floor and result.verdict == "in_sync"
    audit_requests = sum(audit_counts.values())
    naive_requests = sum(naive_counts.values())
    print(f"\naudit: {audit_requests} requests in {audit_wall:.2f} s (floor {floor:.2f} s, x{audit_wall / floor:.2f}); "
          f"naive: {naive_requests} requests in {naive_wall:.2f} s; {figures['requestRatio']}x fewer requests; "
          f"{'targets met' if ok else 'TARGETS MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
