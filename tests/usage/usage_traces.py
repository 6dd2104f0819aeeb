"""Seeded message traces shared by the pure and the sandbox usage tests.

Three stories over a 12-day window ending at ``end`` (so reading it takes two 10-day Graph windows):
- erp@contoso.com (erp-mailer) sends 2 messages an hour, then a burst: 40 messages in one hour,
  27 of them inside one minute (near 30/min, and a sudden rise against its baseline);
- monitoring-alerts sends 5,000 recipients from alerts@notify.contoso.com and 3,600 from
  noc@notify.contoso.com (a send-as mailbox) in one day: 8,600 against its 10,000 limit only when
  counted together, as Exchange counts the authenticating mailbox;
- printer7@contoso.com sends from 192.0.2.50, covered by nothing in the spec (undeclared), while
  copier@contoso.com comes from 203.0.113.4, a dc1-relay sender IP (declared by the connector), and
  news@fabrikam.example is inbound mail (not ours).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta


@dataclass(frozen=True)
class Message:
    sender: str
    recipients: tuple[str, ...]
    at: datetime
    from_ip: str
    ident: str


def story(end: datetime) -> Iterator[Message]:
    start = end - timedelta(days=12)
    burst_hour = (end - timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
    n = 0

    def msg(sender: str, count: int, at: datetime, ip: str) -> Message:
        nonlocal n
        n += 1
        return Message(sender, tuple(f"r{i}@fabrikam.example" for i in range(count)), at, ip, f"<seed{n}@test>")

    hour = start.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    while hour < burst_hour:
        for k in range(2):
            yield msg("erp@contoso.com", 3, hour + timedelta(minutes=10 + 20 * k), "198.51.100.77")
        hour += timedelta(hours=1)
    for k in range(27):  # 27 messages within 54 seconds
        yield msg("erp@contoso.com", 1, burst_hour + timedelta(minutes=5, seconds=2 * k), "198.51.100.77")
    for k in range(13):
        yield msg("erp@contoso.com", 1, burst_hour + timedelta(minutes=20 + 2 * k), "198.51.100.77")
    day = end - timedelta(hours=20)
    for k in range(50):
        yield msg("alerts@notify.contoso.com", 100, day + timedelta(minutes=10 * k), "198.51.100.78")
    for k in range(36):
        yield msg("noc@notify.contoso.com", 100, day + timedelta(minutes=10 * k + 3), "198.51.100.78")
    for k in range(4):
        yield msg("printer7@contoso.com", 1, end - timedelta(days=3, hours=k), "192.0.2.50")
        yield msg("copier@contoso.com", 1, end - timedelta(days=3, hours=k), "203.0.113.4")
        yield msg("news@fabrikam.example", 1, end - timedelta(days=2, hours=k), "192.0.2.99")


def window_end() -> datetime:
    return datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)
