"""One DNS resolver for all checks, pointed at the nameserver the user chose.

Lookups distinguish "the name has no such record" (an answer: ``[]``) from "the lookup failed"
(timeout, SERVFAIL, REFUSED: :class:`~o365relay.errors.TransientError`), because a failed lookup
must end as ``unknown``, never as a missing record.
"""

from __future__ import annotations

import ipaddress
from typing import TypeVar

import dns.asyncresolver
import dns.exception
import dns.nameserver
import dns.resolver

from o365relay.errors import TransientError, UsageError

DEFAULT_TIMEOUT = 3.0
R = TypeVar("R", bound=dns.resolver.BaseResolver)


def parse_nameserver(text: str) -> dns.nameserver.Do53Nameserver:
    """``IP``, ``IP:PORT``, ``[IPv6]:PORT`` or a bare IPv6 address -> a dnspython nameserver."""
    host, port = text, 53
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        if rest:
            port = _port(text, rest.removeprefix(":"))
    elif text.count(":") == 1:
        host, raw_port = text.split(":")
        port = _port(text, raw_port)
    try:
        ipaddress.ip_address(host)
    except ValueError:
        raise UsageError(f"--nameserver {text!r}: expected IP[:PORT], e.g. 127.0.0.1:5353") from None
    return dns.nameserver.Do53Nameserver(host, port)


def _port(text: str, raw: str) -> int:
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise UsageError(f"--nameserver {text!r}: the port must be a number from 1 to 65535")
    return int(raw)


def _written(nameserver: str | dns.nameserver.Nameserver) -> str:
    """``IP``, ``IP:PORT`` or ``[IPv6]:PORT`` (the system's nameservers come as bare addresses)."""
    if not isinstance(nameserver, dns.nameserver.Do53Nameserver):
        return str(nameserver)
    host, port = nameserver.address, nameserver.port
    if port == 53:
        return host
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


class Dns:
    """Synchronous and asynchronous lookups against the chosen nameservers (system ones if none)."""

    def __init__(self, nameservers: list[dns.nameserver.Nameserver] | None = None, timeout: float = DEFAULT_TIMEOUT):
        self.nameservers = nameservers
        self.timeout = timeout
        self._sync = self._configure(dns.resolver.Resolver(configure=not nameservers))
        self._async = self._configure(dns.asyncresolver.Resolver(configure=not nameservers))

    def _configure(self, resolver: R) -> R:
        if self.nameservers:
            resolver.nameservers = list(self.nameservers)
        resolver.timeout = min(1.0, self.timeout)
        resolver.lifetime = self.timeout
        return resolver

    def describe(self) -> tuple[str, ...]:
        """The nameservers asked, for reports, written as ``--nameserver`` takes them."""
        return tuple(_written(ns) for ns in self._sync.nameservers)

    def lookup(self, name: str, rdtype: str) -> list[str]:
        """Answers as text (TXT strings joined, names without the trailing dot); [] if none exist."""
        try:
            answer = self._sync.resolve(name, rdtype, raise_on_no_answer=False, search=False)
        except dns.resolver.NXDOMAIN:
            return []
        except (dns.exception.DNSException, OSError) as error:
            raise TransientError(f"DNS lookup {name} {rdtype} failed: {error}") from None
        return [_text(rdata) for rdata in answer.rrset or ()]

    async def alookup(self, name: str, rdtype: str) -> list[str]:
        try:
            answer = await self._async.resolve(name, rdtype, raise_on_no_answer=False, search=False)
        except dns.resolver.NXDOMAIN:
            return []
        except (dns.exception.DNSException, OSError) as error:
            raise TransientError(f"DNS lookup {name} {rdtype} failed: {error}") from None
        return [_text(rdata) for rdata in answer.rrset or ()]


def _text(rdata: object) -> str:
    strings = getattr(rdata, "strings", None)
    if strings is not None:
        return b"".join(strings).decode("utf-8", "replace")
    return str(rdata).rstrip(".")
