"""Where a domain's records go: ``none`` (a DNS team publishes them), ``azure`` (Azure DNS record sets)
or ``cloudflare`` (Cloudflare DNS records, :mod:`components.dns_cloudflare`).

A backend turns a record into the resource the DKIM switch ``depends_on``: with ``azure`` the record
set itself; with ``none`` a check that DNS serves the CNAME (TXT records are only published, as the
stack's outputs and zone snippet, and need no resource). The SPF record on ``azure`` is not a record
set of its own: the apex TXT set is shared (domain verification, other vendors), so the relay's value
is merged into it (``dns:AzureSpf``) and never replaces it.
"""

from __future__ import annotations

import importlib
import os
from typing import Any, Protocol

import pulumi

from components.dns_cloudflare import cloudflare_sink
from components.providers.azure_spf import AzureSpf
from components.providers.dns_record import RecordCheck
from o365relay.dns.txt import txt_strings
from o365relay.dns.zones import relative_name
from o365relay.errors import UsageError
from o365relay.spec.model import Domain


class RecordSink(Protocol):
    def __call__(self, resource_name: str, name: str, type_: str, value: pulumi.Input[str],
                 opts: pulumi.ResourceOptions) -> pulumi.Resource | None: ...


def fqdn(domain: str, name: str) -> str:
    return domain if name == "@" else f"{name}.{domain}"


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
    if domain.dns.backend == "cloudflare":
        return cloudflare_sink(domain)  # type: ignore[no-any-return]
    raise UsageError(f"unknown DNS backend {domain.dns.backend!r} for {domain.name}")


def _azure_sink(domain: Domain) -> RecordSink:
    if not domain.dns.resource_group:
        raise UsageError(f"domain {domain.name}: dns.backend azure needs dns.resourceGroup")
    dns = _azure_dns_module()
    zone = domain.dns.zone or domain.name

    def record_set(resource_name: str, name: str, type_: str, value: pulumi.Input[str],
                   opts: pulumi.ResourceOptions) -> pulumi.Resource:
        relative = relative_name(domain.name, name, zone)
        if type_ == "TXT" and name == "@":
            return AzureSpf(resource_name, {"subscription": _subscription(domain), "resource_group":
                                            domain.dns.resource_group, "zone": zone, "name": relative,
                                            "spf": value}, opts)
        data: dict[str, Any]
        if type_ == "TXT":
            data = {"txt_records": [{"value": pulumi.Output.from_input(value).apply(txt_strings)}]}
        else:
            data = {"cname_record": {"cname": value}}
        return dns.RecordSet(resource_name, resource_group_name=domain.dns.resource_group, zone_name=zone,
                             relative_record_set_name=relative,
                             record_type=type_, ttl=3600, opts=opts, **data)
    return record_set


def _subscription(domain: Domain) -> str:
    """The Azure subscription of the zone: azure-native's own setting, so both read the same one."""
    found = (pulumi.Config("azure-native").get("subscriptionId") or os.environ.get("ARM_SUBSCRIPTION_ID")
             or os.environ.get("AZURE_SUBSCRIPTION_ID"))
    if not found:
        raise UsageError(f"domain {domain.name}: dns.backend azure needs the zone's subscription: "
                         "pulumi config set azure-native:subscriptionId <id> (or ARM_SUBSCRIPTION_ID)")
    return found
