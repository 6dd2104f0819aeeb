"""The result of the DNS checks: one :class:`Check` per (subject, check) pair."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

CheckStatus = Literal["ok", "finding", "unknown", "skipped"]
CheckKind = Literal["spf", "dkim", "dmarc", "mx", "dnsbl", "mta-sts", "tls-rpt"]
CHECK_STATUSES: tuple[CheckStatus, ...] = ("ok", "finding", "unknown", "skipped")


@dataclass(frozen=True)
class Check:
    """One conclusion about one subject (a domain, or a sender IP for DNSBL checks)."""

    subject: str
    kind: CheckKind
    status: CheckStatus
    message: str
    evidence: dict[str, Any] = field(default_factory=dict)
    missing: bool = False  # a record the spec implies is not published at all (the runner says why)

    def to_dict(self) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "check": self.kind,
            "status": self.status,
            "message": self.message,
            "evidence": self.evidence,
        }


@dataclass(frozen=True)
class DnsReport:
    checks: tuple[Check, ...]
    nameservers: tuple[str, ...] = ()

    def count(self, status: CheckStatus) -> int:
        return sum(1 for c in self.checks if c.status == status)

    @property
    def exit_code(self) -> int:
        """1 when anything is wrong, 3 when a lookup failed and nothing is known to be wrong, else 0."""
        if self.count("finding"):
            return 1
        return 3 if self.count("unknown") else 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "nameservers": list(self.nameservers),
            "summary": {s: self.count(s) for s in CHECK_STATUSES},
            "checks": [c.to_dict() for c in self.checks],
        }
