"""The whole test-send: plan, send, follow in message trace, and say what happened and which way.

Every statement about the path comes from the tenant: the route from message trace's Receive event,
the sending IP on a refusal from trace's fromIP (or --client-ip). The exit code: 0 delivered (the
way asked for), 1 refused, failed, not traced in time or gone another way, 3 the token was refused.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from o365relay.errors import AuthError, NotFound, UsageError
from o365relay.reports.literal import one_line
from o365relay.reports.wording import plural
from o365relay.smtp.explain import explain, render
from o365relay.smtp.send import SendResult, build_message, new_message_id
from o365relay.spec.model import RelaySpec
from o365relay.tenant.settings import Endpoints
from o365relay.tenant.sync import run_sync
from o365relay.testsend import route as routes
from o365relay.testsend.attempt import attempt
from o365relay.testsend.diagnose import (
    NOT_RECOGNISED,
    PARTNER_MISSED,
    certificate_names,
    not_recognised,
    partner_missed,
)
from o365relay.testsend.plan import SendPlan, plan_send
from o365relay.usage.analysis import TraceRow

Say = Callable[[str], None]
REFUSAL_LOOKUP = 30.0  # seconds to look for a refused message's row in trace (for the IP it came from)


@dataclass(frozen=True)
class TestSendOptions:
    """What the person asked for (the CLI's flags)."""

    __test__ = False  # not a pytest test class, whatever its name

    sender: str
    method: str | None = None
    to_addr: str | None = None
    from_addr: str | None = None
    client_id: str | None = None
    client_ip: str | None = None
    client_cert: tuple[str, str] | None = None  # a partner's certificate and key files
    timeout: float = 300.0
    trace: bool = True
    spam_test: bool = False


def run_test_send(spec: RelaySpec, options: TestSendOptions, endpoints: Endpoints, say: Say = print) -> int:
    """Send one test message as ``options.sender`` and report on it through ``say``; the exit code."""
    plan = plan_send(spec, options.sender, method=options.method, from_addr=options.from_addr,
                     to_addr=options.to_addr)
    to_addr = existing_recipient(endpoints, plan) if plan.confirm_recipient else plan.recipients[0]
    message_id = new_message_id(plan.from_addr.rpartition("@")[2])
    msg = build_message(plan.from_addr, to_addr, message_id, plan.method, spam_test=options.spam_test)
    sent_at = datetime.now(UTC)
    say(f"test-send {plan.sender} by {plan.method}: From {plan.from_addr} To {to_addr}\n  Message-ID {message_id}")
    try:
        result = attempt(plan, msg, endpoints, client_id=options.client_id, client_ip=options.client_ip,
                         client_cert=options.client_cert)
    except AuthError as error:
        say(f"  token request refused: {error}\n" + render(explain(str(error))))
        return 3
    say(f"  reply: {one_line(result.reply)}")  # the server's words: no escape sequence reaches the terminal
    if not result.accepted:
        return _refused(plan, result, endpoints, options, sent_at, to_addr, say)
    if not options.trace:
        say("  path: not confirmed (--no-trace: message trace shows which way the message went)")
        return 0
    return _traced(plan, endpoints, message_id, sent_at, options, say)


def existing_recipient(endpoints: Endpoints, plan: SendPlan) -> str:
    """The first candidate recipient the tenant has a user for: a default To that does not exist
    would be refused with 5.4.1, which says nothing about the path under test."""
    from o365relay.tenant.graph import GraphClient

    async def first() -> str | None:
        async with GraphClient(endpoints) as graph:
            for address in plan.recipients:
                try:
                    await graph.get_user(address, select=["id"])
                except NotFound:
                    continue
                return address
        return None

    found = run_sync(first())
    if found is None:
        raise UsageError(f"none of the spec's mailboxes ({', '.join(plan.recipients)}) exists in the tenant yet: "
                         f"give a recipient that does with --to")
    return found


def _refused(plan: SendPlan, result: SendResult, endpoints: Endpoints, options: TestSendOptions,
             sent_at: datetime, to_addr: str, say: Say) -> int:
    say(render(result.diagnosis) if result.diagnosis else "  (no explanation in the table)")
    if plan.connector is not None and any(code in result.reply for code in NOT_RECOGNISED):
        sending_ip = options.client_ip or _refused_from_ip(endpoints, plan.from_addr, to_addr, sent_at)
        say(f"  {not_recognised(plan.connector, sending_ip)}")
    if plan.partner is not None and any(code in result.reply for code in PARTNER_MISSED):
        sending_ip = options.client_ip or _refused_from_ip(endpoints, plan.from_addr, to_addr, sent_at)
        say(f"  {partner_missed(plan.partner, sending_ip, _presented(options))}")
    return 1


def _presented(options: TestSendOptions) -> tuple[str, ...] | None:
    """The names on the certificate the test presented (None: it presented none)."""
    return certificate_names(options.client_cert[0]) if options.client_cert else None


def _refused_from_ip(endpoints: Endpoints, sender: str, recipient: str, sent_at: datetime) -> str | None:
    """The IP Exchange saw a refused message come from: its failed trace row's fromIP."""
    from o365relay.tenant.graph import GraphClient
    from o365relay.usage.trace import to_row

    async def look() -> str | None:
        import asyncio

        async with GraphClient(endpoints) as graph:
            deadline, delay = datetime.now(UTC) + timedelta(seconds=REFUSAL_LOOKUP), 2.0
            while True:  # doubling waits: at most 5 of message trace's 100 requests per 5 minutes
                rows = await graph.message_trace_rows(sent_at - timedelta(minutes=5),
                                                      datetime.now(UTC) + timedelta(minutes=1),
                                                      sender=sender.lower(), recipient=recipient.lower(),
                                                      status="failed")
                newest = max((to_row(r) for r in rows), key=lambda r: r.received, default=None)
                if newest is not None or datetime.now(UTC) > deadline:
                    return newest.from_ip if newest and newest.from_ip else None
                await asyncio.sleep(delay)
                delay *= 2

    return run_sync(look())


def _traced(plan: SendPlan, endpoints: Endpoints, message_id: str, sent_at: datetime,
            options: TestSendOptions, say: Say) -> int:
    rows = _follow(endpoints, message_id, sent_at, options.timeout, say)
    if not rows:
        say(f"  not in message trace after {options.timeout:.0f} s (trace can lag minutes behind delivery)")
        return 1
    route = run_sync(routes.read_route(endpoints, rows[0], submitted=plan.method in ("oauth", "mailbox")))
    say(f"  path: {route}" + (f" (as {plan.login})" if route.kind == routes.SMTP_AUTH else ""))
    astray = _astray(plan, route, rows[0], endpoints, options)
    if astray:
        say(f"  {astray}")
    delivered = all(r.status.lower() == "delivered" for r in rows)
    say("  verdict: " + ("DELIVERED" if delivered else "NOT DELIVERED"))
    if any(r.status.lower() == "filteredasspam" for r in rows):
        say(render(explain("SCL 9")))
    return 0 if delivered and not astray else 1


def _follow(endpoints: Endpoints, message_id: str, sent_at: datetime, timeout: float, say: Say) -> list[TraceRow]:
    from o365relay.smtp.follow import follow
    from o365relay.tenant.graph import GraphClient

    async def watch() -> Any:
        async with GraphClient(endpoints) as graph:
            return await follow(graph, message_id, sent_at, timeout)

    rows, requests = run_sync(watch())
    say(f"  message trace ({plural(requests, 'request')}):")
    for row in rows:
        say(f"    {row.received:%H:%M:%S} {one_line(row.recipient):<32} {one_line(row.status):<12} "
            f"from {one_line(row.from_ip or '-')}")
    return list(rows)


def _astray(plan: SendPlan, route: routes.Route, row: TraceRow, endpoints: Endpoints,
            options: TestSendOptions) -> str:
    """What is wrong when the message went another way than the one under test ('' when it did not)."""
    if plan.partner is not None and route.kind == routes.DIRECT:
        why = partner_missed(plan.partner, row.from_ip or options.client_ip, _presented(options))
        return f"not a partner test: the message went in as direct send, not through {plan.sender}: {why}"
    if plan.partner is not None and route.kind == routes.CONNECTOR \
            and route.connector.lower() != plan.partner.name.lower():
        return (f"not a partner test of {plan.sender}: the tenant's connector {route.connector} recognised the "
                "message instead")
    if plan.connector is not None and route.kind == routes.DIRECT:
        why = routes.why_missed(plan.connector, _tenant_connectors(endpoints), row.from_ip, plan.from_addr)
        return f"not a relay test: the message did not go through connector {plan.sender}: {why}"
    if plan.connector is not None and route.kind == routes.CONNECTOR \
            and route.connector.lower() != plan.connector.name.lower():
        return (f"not a relay test of {plan.sender}: the tenant's connector {route.connector} recognised the "
                f"message first")
    if plan.method == "direct" and route.kind == routes.CONNECTOR:
        return (f"not a direct-send test: the tenant recognised {row.from_ip} as connector {route.connector} "
                f"(send from an address no connector lists)")
    return ""


def _tenant_connectors(endpoints: Endpoints) -> list[dict[str, Any]]:
    from o365relay.tenant.exchange import ExchangeClient

    async def read() -> list[dict[str, Any]]:
        async with ExchangeClient(endpoints) as exo:
            return list(await exo.invoke("Get-InboundConnector"))

    return run_sync(read())
