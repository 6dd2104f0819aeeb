"""The tenant's Default connection filter policy as ``tenant.connectionFilter``.

Exchange keeps entries in forms the spec does not take (``first-last`` ranges, ranges wider than /24
written as such a range, host bits): each list is written as the CIDR ranges covering the same
addresses, split into /24s where wider. What the loader would refuse (IPv6, non-public space, a block
entry the allow list overrides, a block entry covering a connector's devices) is left out with a
warning, so the export is a valid spec that says what Exchange actually does.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from o365relay import exchange_values as xv
from o365relay.audit.snapshot import Row
from o365relay.kinds.connection_filter import CONNECTION_FILTER
from o365relay.spec.addresses import MIN_PREFIX, reserved_space
from o365relay.spec.model import ConnectionFilter, Connector

Network = ipaddress.IPv4Network


def exported_policy(row: Row, connectors: Iterable[Connector], warnings: list[str]) -> ConnectionFilter:
    allowed = _networks(row, "ip_allow_list", warnings)
    senders = {name: [ipaddress.IPv4Network(ip, strict=False) for ip in c.sender_ips] for name, c in
               ((c.name, c) for c in connectors)}
    blocked = []
    block = CONNECTION_FILTER.parameter("ip_block_list")
    for net in _networks(row, "ip_block_list", warnings):
        relays = sorted(name for name, nets in senders.items() if any(n.overlaps(net) for n in nets))
        if any(a.overlaps(net) for a in allowed):
            warnings.append(f"connection filter: {block} {_text(net)} left out: the allow list overrides it")
        elif relays:
            warnings.append(f"connection filter: {block} {_text(net)} left out: it blocks the devices of "
                            f"connector {', '.join(relays)}")
        else:
            blocked.append(net)
    return ConnectionFilter(ip_block_list=tuple(_text(n) for n in blocked),
                            ip_allow_list=tuple(_text(n) for n in allowed),
                            enable_safe_list=bool(CONNECTION_FILTER.value(row, "enable_safe_list")))


def _networks(row: Row, name: str, warnings: list[str]) -> list[Network]:
    field = CONNECTION_FILTER.parameter(name)
    out: list[Network] = []
    for text in xv.ip_coverage(CONNECTION_FILTER.entries(row, name)):
        try:
            network = ipaddress.ip_network(text)
        except ValueError:
            warnings.append(f"connection filter: {field} entry {text!r} left out: not an address")
            continue
        if not isinstance(network, Network):
            warnings.append(f"connection filter: {field} entry {text} left out: IPv6 is not supported")
        elif space := reserved_space(str(network)):
            warnings.append(f"connection filter: {field} entry {text} left out: it is in {space}")
        else:
            out += list(network.subnets(new_prefix=MIN_PREFIX)) if network.prefixlen < MIN_PREFIX else [network]
    return out


def _text(network: Network) -> str:
    return str(network.network_address) if network.prefixlen == 32 else str(network)
