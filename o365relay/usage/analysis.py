"""Volume per sender from message trace, against the SMTP AUTH limits and the sender's own baseline.

Pure functions over :class:`TraceRow` (one per message and recipient), so the method is testable
without a tenant. The method, as the report states it:

- **Limits** (reference section 3): SMTP AUTH senders may send 30 messages a minute and 10,000
  recipients a rolling 24 hours. The peak of each is measured over a sliding window (any 60 s, any
  24 h) of the sender's delivered-or-attempted rows; a sender is *near* a limit at ``near`` (default
  80 %) of it. The limits apply to the mailbox that authenticates, so a service account's own mailbox
  and the mailboxes it may send as are counted together.
- **Sudden rise**: for each hour, the baseline is the mean of the sender's message counts in the 24
  hours before it (empty hours count as 0). An hour is a rise when its count is at least ``factor``
  (default 5) times the baseline and exceeds it by at least ``min_increase`` (default 10) messages.
  Hours with less than 6 hours of history inside the window are not judged.
- **Undeclared**: a sender in one of the spec's domains (or the tenant's initial domain) that is
  neither a service account mailbox nor a send-as mailbox, and whose mail did not come from a
  declared connector's sender IPs. Senders in other domains are inbound mail and are left out.
"""

from __future__ import annotations

import ipaddress
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from o365relay import exchange_values as xv
from o365relay.reports.wording import plural
from o365relay.spec.model import Connector, PartnerConnector, RelaySpec

MESSAGES_PER_MINUTE = 30
RECIPIENTS_PER_DAY = 10_000
BASELINE_HOURS = 24
MIN_HISTORY_HOURS = 6

FlagKind = Literal["near-message-rate", "near-recipient-limit", "sudden-rise", "undeclared-sender"]


@dataclass(frozen=True)
class TraceRow:
    trace_id: str
    sender: str
    recipient: str
    message_id: str
    received: datetime
    status: str
    from_ip: str = ""


@dataclass(frozen=True)
class Thresholds:
    near: float = 0.8
    factor: float = 5.0
    min_increase: int = 10


@dataclass(frozen=True)
class SenderUsage:
    sender: str
    declared_as: str | None  # "serviceAccounts.erp-mailer", "sendAs of erp-mailer", "connector dc1-relay"
    account: str | None  # the SMTP AUTH service account whose limits this sender counts against
    messages: int
    recipients: int
    per_hour: dict[str, tuple[int, int]] = field(default_factory=dict)  # "2026-07-14T09" -> (msgs, rcpts)
    per_day: dict[str, tuple[int, int]] = field(default_factory=dict)  # "2026-07-14" -> (msgs, rcpts)
    peak_minute: int = 0  # most messages in any 60 s
    peak_day_recipients: int = 0  # most recipients in any 24 h
    peak_minute_per_day: dict[str, int] = field(default_factory=dict)  # "2026-07-14" -> most messages in any 60 s


@dataclass(frozen=True)
class Flag:
    kind: FlagKind
    subject: str  # a sender address or a service account name
    message: str
    at: datetime | None = None  # when: the hour of a rise, the start of a peak window


@dataclass(frozen=True)
class UsageReport:
    start: datetime
    end: datetime
    senders: tuple[SenderUsage, ...]
    flags: tuple[Flag, ...]
    thresholds: Thresholds


def dedupe(rows: list[TraceRow]) -> list[TraceRow]:
    """Message trace can return a row twice (reference section 2.8): keep one per id and recipient."""
    seen: dict[tuple[str, str], TraceRow] = {}
    for row in rows:
        seen.setdefault((row.trace_id, row.recipient), row)
    return sorted(seen.values(), key=lambda r: r.received)


def analyze_usage(rows: list[TraceRow], spec: RelaySpec, start: datetime, end: datetime,
                  thresholds: Thresholds = Thresholds()) -> UsageReport:
    rows = [r for r in dedupe(rows) if start <= r.received <= end]
    by_sender: dict[str, list[TraceRow]] = defaultdict(list)
    for row in rows:
        by_sender[row.sender].append(row)
    owners = declared_senders(spec)
    domains = {d.lower() for d in spec.domains} | {spec.tenant.initial_domain.lower()}
    usages, flags = [], []
    for sender, mine in sorted(by_sender.items()):
        declared, account = _declaration(sender, mine, spec, owners)
        if declared is None and sender.rpartition("@")[2] not in domains:
            continue  # inbound mail from outside: not a sender of ours
        usages.append(_usage(sender, mine, declared, account))
        if declared is None:
            flags.append(Flag("undeclared-sender", sender, f"{sender} sent {plural(len(_messages(mine)), 'message')} "
                              f"that the spec does not account for: no service account, send-as grant "
                              f"or connector covers it (declare it, or find the device and stop it)"))
        flags += _rises(sender, mine, start, thresholds)
    flags += _limit_flags(usages, rows, owners, thresholds)
    return UsageReport(start, end, tuple(usages), tuple(flags), thresholds)


def declared_senders(spec: RelaySpec) -> dict[str, tuple[str, str]]:
    """Address -> (how it is declared, the service account it counts against): each service account's
    mailbox and each send-as mailbox."""
    owners = {a.mailbox.lower(): (f"serviceAccounts.{a.name}", a.name) for a in spec.service_accounts.values()}
    for grant in spec.send_as:
        owners.setdefault(grant.mailbox.lower(), (f"sendAs of {grant.trustee}", grant.trustee))
    return owners


def _declaration(sender: str, rows: list[TraceRow], spec: RelaySpec,
                 owners: dict[str, tuple[str, str]]) -> tuple[str | None, str | None]:
    if sender in owners:
        return owners[sender]
    covering: list[Connector | PartnerConnector] = [*spec.connectors.values(), *partners_for(spec, sender)]
    for connector in covering:
        networks = [ipaddress.ip_network(ip, strict=False) for ip in connector.sender_ips]
        if any(ip_in(r.from_ip, networks) for r in rows):
            return f"connector {connector.name}", None
    return None, None


def partners_for(spec: RelaySpec, sender: str) -> list[PartnerConnector]:
    """The partner connectors whose sender domains (``*``, ``*.contoso.com``, ``contoso.com``) take ``sender``'s
    domain: a SaaS platform sending as it from their IPs is declared."""
    domain = sender.rpartition("@")[2]
    return [c for c in spec.partner_connectors.values()
            if any(xv.sender_domain_covers(p, domain) for p in c.sender_domains)]


def ip_in(text: str, networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network]) -> bool:
    """True when ``text`` is an IP address inside one of ``networks`` (False for anything else)."""
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return False
    return any(address in network for network in networks)


def _messages(rows: list[TraceRow]) -> set[str]:
    return {r.trace_id for r in rows}


def _usage(sender: str, rows: list[TraceRow], declared: str | None, account: str | None) -> SenderUsage:
    hours: dict[str, tuple[set[str], int]] = defaultdict(lambda: (set(), 0))
    days: dict[str, tuple[set[str], int]] = defaultdict(lambda: (set(), 0))
    for row in rows:
        for table, key in ((hours, row.received.strftime("%Y-%m-%dT%H")), (days, row.received.strftime("%Y-%m-%d"))):
            ids, count = table[key]
            ids.add(row.trace_id)
            table[key] = (ids, count + 1)
    sent = list(_first_seen(rows).values())
    per_day: dict[str, list[datetime]] = defaultdict(list)
    for moment in sent:
        per_day[moment.strftime("%Y-%m-%d")].append(moment)
    return SenderUsage(
        sender, declared, account, len(_messages(rows)), len(rows),
        {k: (len(v[0]), v[1]) for k, v in sorted(hours.items())},
        {k: (len(v[0]), v[1]) for k, v in sorted(days.items())},
        peak_minute=_peak(sent, timedelta(minutes=1))[0],
        peak_day_recipients=_peak([r.received for r in rows], timedelta(days=1))[0],
        peak_minute_per_day={day: _peak(moments, timedelta(minutes=1))[0] for day, moments in sorted(per_day.items())},
    )


def _first_seen(rows: list[TraceRow]) -> dict[str, datetime]:
    first: dict[str, datetime] = {}
    for row in rows:
        first[row.trace_id] = min(first.get(row.trace_id, row.received), row.received)
    return first


def _peak(moments: list[datetime], span: timedelta) -> tuple[int, datetime | None]:
    """Most events inside any window of length ``span``, and when that window starts (two pointers
    over the sorted times)."""
    moments = sorted(moments)
    best, begins, low = 0, None, 0
    for high, moment in enumerate(moments):
        while moment - moments[low] >= span:
            low += 1
        if high - low + 1 > best:
            best, begins = high - low + 1, moments[low]
    return best, begins


def _limit_flags(usages: list[SenderUsage], rows: list[TraceRow], owners: dict[str, tuple[str, str]],
                 thresholds: Thresholds) -> list[Flag]:
    """Per service account (its mailbox plus its send-as mailboxes), peaks against the SMTP AUTH limits."""
    accounts: dict[str, list[TraceRow]] = defaultdict(list)
    for row in rows:
        if row.sender in owners:
            accounts[owners[row.sender][1]].append(row)
    flags = []
    for account, mine in sorted(accounts.items()):
        minute, minute_at = _peak(list(_first_seen(mine).values()), timedelta(minutes=1))
        day, day_at = _peak([r.received for r in mine], timedelta(days=1))
        if minute >= thresholds.near * MESSAGES_PER_MINUTE:
            flags.append(Flag("near-message-rate", account, f"service account {account} peaked at {minute} "
                              f"messages in one minute (limit {MESSAGES_PER_MINUTE}; flagged from "
                              f"{thresholds.near:.0%}): pace the application or spread it over accounts", minute_at))
        if day >= thresholds.near * RECIPIENTS_PER_DAY:
            flags.append(Flag("near-recipient-limit", account, f"service account {account} reached {day:,} "
                              f"recipients in 24 hours (limit {RECIPIENTS_PER_DAY:,}; flagged from "
                              f"{thresholds.near:.0%}): past the limit Exchange refuses with 554 5.2.0", day_at))
    return flags


def _rises(sender: str, rows: list[TraceRow], start: datetime, thresholds: Thresholds) -> list[Flag]:
    counts = Counter(_hour(m) for m in _first_seen(rows).values())
    flags = []
    first_hour = _hour(start)
    for hour, count in sorted(counts.items()):
        history = min(BASELINE_HOURS, int((hour - first_hour).total_seconds() // 3600))
        if history < MIN_HISTORY_HOURS:
            continue
        baseline = sum(counts.get(hour - timedelta(hours=h), 0) for h in range(1, history + 1)) / history
        if count >= thresholds.factor * baseline and count - baseline >= thresholds.min_increase:
            flags.append(Flag("sudden-rise", sender, f"{sender} sent {count} messages in the hour from "
                              f"{hour:%Y-%m-%d %H:00} UTC against a trailing {history}-hour mean of "
                              f"{baseline:.1f} an hour", hour))
    return flags


def _hour(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)
