"""Spec stanzas for the senders the evidence found and the spec lacks, written the way ``export`` writes
specs (model objects -> ``to_document`` -> YAML, names by ``export.builder.slug``), and checked: the spec
with the stanzas added must still validate.

- a Basic SMTP AUTH account: a ``kind: mailbox`` service account (its mailbox keeps SMTP AUTH when the
  org switch goes off) plus a waiver of ``no-basic-smtp-auth`` with a reason to fill in and an expiry
  (``WAIVER_DAYS``): the device keeps working while it moves to OAuth or a connector;
  When the spec's default authentication policy blocks basic SMTP, the account also goes into a
  declared policy that allows it (or a new one, ``RELAY_POLICY``): Exchange would refuse it otherwise
  (535 5.7.139 "basic authentication is disabled"), and the loader refuses that contradiction;
- a direct-send device: a relay connector for the public IPs it sent from (a private or loopback IP
  cannot identify a device to Exchange: the stanza then says to put the device's public egress IP).
"""

from __future__ import annotations

import ipaddress
from dataclasses import replace
from datetime import date, timedelta

import yaml

from o365relay.errors import SpecError
from o365relay.export.builder import slug, unique
from o365relay.reports.wording import plural
from o365relay.smtpauth.judge import BASIC_RULE, Verdict
from o365relay.spec.addresses import sender_ip_scope
from o365relay.spec.document import to_document
from o365relay.spec.loader import spec_from_document
from o365relay.spec.model import AuthenticationPolicy, Connector, RelaySpec, ServiceAccount, Waiver

WAIVER_DAYS = 90
RELAY_POLICY = "Relay basic SMTP"
PLACEHOLDER_IP = "192.0.2.1/32"  # TEST-NET-1: never matches a real device; the comment says to replace it


def propose(verdict: Verdict, spec: RelaySpec, today: date) -> tuple[str, list[str]]:
    """(YAML of the stanzas to add, notes); ("", []) when the evidence names no undeclared sender."""
    taken = {*spec.service_accounts, *spec.connectors, *spec.outbound_connectors, *spec.partner_connectors}
    accounts: dict[str, ServiceAccount] = {}
    connectors: dict[str, Connector] = {}
    waivers: list[Waiver] = []
    notes: list[str] = []
    done: set[str] = set()
    for judged in verdict.breaking("smtpAuth"):
        seen = judged.seen
        if seen not in verdict.evidence.basic_sign_ins:
            continue  # judged from message trace alone: proposed below as what it was seen doing
        name = unique(slug(seen.address.split("@")[0]), taken)
        sign_ins = plural(seen.count, "Basic SMTP AUTH sign-in")
        accounts[name] = ServiceAccount(name, "mailbox", seen.address.lower(),
                                        description=f"Found by smtp-auth-report: {sign_ins}, last {seen.last:%Y-%m-%d}")
        waivers.append(Waiver(BASIC_RULE, f"serviceAccounts.{name}", "TODO: owner, ticket, and the date the "
                              "device moves to OAuth or a connector", today + timedelta(days=WAIVER_DAYS)))
        done.add(seen.address.lower())
    for judged in verdict.breaking("rejectDirectSend"):
        seen = judged.seen
        if seen.address.lower() in done:
            continue
        public = [ip for ip in seen.ips if _public(ip)]
        name = unique(slug(seen.address.split("@")[0]) + "-relay", taken)
        comment = f"Found by smtp-auth-report: {seen.address} sent {plural(seen.count, 'message')} by direct send"
        if not public:
            notes.append(f"{seen.address} sent only from {', '.join(seen.ips) or 'no recorded IP'}, which no "
                         f"connector can match: replace {PLACEHOLDER_IP} in connectors.{name} by the device's "
                         "public egress IP")
        connectors[name] = Connector(name, tuple(f"{ip}/32" for ip in public) or (PLACEHOLDER_IP,),
                                     comment=comment)
    if not (accounts or connectors):
        return "", notes
    policies = _basic_smtp_policy(spec, tuple(accounts), notes)
    added = RelaySpec(spec.version, spec.tenant, service_accounts=accounts, connectors=connectors,
                      authentication_policies=policies, waivers=tuple(waivers))
    stanzas = {k: v for k, v in to_document(added).items() if k not in ("version", "tenant")}
    notes += _check(spec, stanzas)
    return yaml.safe_dump(stanzas, sort_keys=False, default_flow_style=False, width=110), notes


def _basic_smtp_policy(spec: RelaySpec, names: tuple[str, ...], notes: list[str]) -> dict[str, AuthenticationPolicy]:
    """The policy stanza that lets new basic senders through a default policy blocking basic SMTP."""
    default = spec.authentication_policies.get(spec.tenant.default_authentication_policy or "")
    if not names or default is None or "smtp" in default.allow_basic_auth:
        return {}
    policy = next((p for p in spec.authentication_policies.values() if "smtp" in p.allow_basic_auth),
                  AuthenticationPolicy(unique(RELAY_POLICY, set(spec.authentication_policies)), ("smtp",)))
    notes.append(f"the default authentication policy {default.name!r} blocks basic SMTP: without a policy that "
                 f"allows it Exchange refuses these devices (535 5.7.139 basic authentication is disabled), so "
                 f"the stanzas put {', '.join(names)} in {policy.name!r}")
    return {policy.name: replace(policy, applies_to=(*policy.applies_to, *names))}


def _public(ip: str) -> bool:
    try:
        return isinstance(ipaddress.ip_address(ip), ipaddress.IPv4Address) and sender_ip_scope(ip) is None
    except ValueError:
        return False


def _check(spec: RelaySpec, stanzas: dict[str, object]) -> list[str]:
    """Problems the spec would have with the stanzas added (they are then to be edited, not pasted)."""
    merged = to_document(replace(spec, tenant=replace(spec.tenant, evidence=None)))
    for key, value in stanzas.items():
        if isinstance(value, dict):
            merged[key] = {**merged.get(key, {}), **value}
        elif isinstance(value, list):
            merged[key] = [*merged.get(key, []), *value]
    try:
        spec_from_document(merged, source="<proposal>")
    except SpecError as error:
        return [f"with these stanzas the spec would not validate: {p.path}: {p.message}" for p in error.problems]
    return []
