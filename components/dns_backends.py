"""Where a domain's records go: ``none`` (a DNS team publishes them) or ``azure`` (Azure DNS record sets).

A backend turns a record into the resource the DKIM switch ``depends_on``: with ``azure`` the record
set itself; with ``none`` a check that DNS serves the CNAME (TXT records are only published, as the
stack's outputs and zone snippet, and need no resource).
"""

from __future__ import annotations

import importlib
from typing import Any, Protocol

import pulumi

from components.providers.dns_record import RecordCheck
from o365relay.errors import UsageError
from o365relay.spec.model import Domain

TXT_CHUNK = 255  # a TXT string holds at most 255 octets; longer values are split into several


class RecordSink(Protocol):
    def __call__(self, resource_name: str, name: str, type_: str, value: pulumi.Input[str],
                 opts: pulumi.ResourceOptions) -> pulumi.Resource | None: ...


def fqdn(domain: str, name: str) -> str:
    return domain if name == "@" else f"{name}.{domain}"


def relative_to_zone(domain: str, name: str, zone: str) -> str:
    """``_dmarc`` of ``notify.contoso.com`` in zone ``contoso.com`` -> ``_dmarc.notify``.

    The loader has checked that the zone is the domain or one of its parents."""
    full = fqdn(domain, name).lower()
    zone = zone.lower()
    return "@" if full == zone else full[: -len(zone) - 1]


def _azure_dns_module() -> Any:
    """pulumi-azure-native's DNS module (``dns`` in v3, ``network`` in v2), imported only when asked for."""
    for name in ("pulumi_azure_native.dns", "pulumi_azure_native.network"):
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        if hasattr(module, "RecordSet"):
            return module
    raise UsageError("a domain's dns.backend is 'azure', but pulumi-azure-native is not installed; "
                     "install the extra (pip install 'o365-relay[azure-dns]') or set dns.backend: none")


def sink_for(domain: Domain) -> RecordSink:
    """The record factory of the domain's DNS backend."""
    if domain.dns.backend == "none":
        def check(resource_name: str, name: str, type_: str, value: pulumi.Input[str],
                  opts: pulumi.ResourceOptions) -> pulumi.Resource | None:
            if type_ != "CNAME":
                return None
            return RecordCheck(resource_name, {"fqdn": fqdn(domain.name, name), "type": type_, "value": value},
                               opts)
        return check
    if domain.dns.backend == "azure":
        return _azure_sink(domain)
    raise UsageError(f"unknown DNS backend {domain.dns.backend!r} for {domain.name}")


def _azure_sink(domain: Domain) -> RecordSink:
    if not domain.dns.resource_group:
        raise UsageError(f"domain {domain.name}: dns.backend azure needs dns.resourceGroup")
    dns = _azure_dns_module()
    zone = domain.dns.zone or domain.name

    def record_set(resource_name: str, name: str, type_: str, value: pulumi.Input[str],
                   opts: pulumi.ResourceOptions) -> pulumi.Resource:
        data: dict[str, Any]
        if type_ == "TXT":
            data = {"txt_records": [{"value": pulumi.Output.from_input(value).apply(_chunks)}]}
        else:
            data = {"cname_record": {"cname": value}}
        return dns.RecordSet(resource_name, resource_group_name=domain.dns.resource_group, zone_name=zone,
                             relative_record_set_name=relative_to_zone(domain.name, name, zone),
                             record_type=type_, ttl=3600, opts=opts, **data)
    return record_set


def _chunks(value: str) -> list[str]:
    return [value[i:i + TXT_CHUNK] for i in range(0, len(value), TXT_CHUNK)] or [""]
