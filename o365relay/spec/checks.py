"""Semantic checks the JSON Schema cannot express: references, consistency, public addresses.

They run on the plain document even when the schema found problems, so one run reports everything;
each check therefore skips values of the wrong type (the schema has already reported those).
"""

from __future__ import annotations

import difflib
import ipaddress
import re
from collections.abc import Iterator
from datetime import date
from functools import cache
from typing import Any

from o365relay.spec.addresses import reserved_space, sender_ip_problem, sender_ip_syntax
from o365relay.spec.model import SpecPath
from o365relay.spec.schema import ecma_regex, load_schema
from o365relay.spec.yamlsource import Issue

# Fields each credential type uses, and those it requires.
_CREDENTIAL_FIELDS = {
    "federated": ({"issuer", "subject", "audiences"}, ("issuer", "subject")),
    "certificate": ({"certificateFile"}, ("certificateFile",)),
    "secret": ({"expiresInDays"}, ()),
}

# The key each DNS backend needs (and no other backend takes), and what its value is.
_BACKEND_KEYS = {
    "azure": ("resourceGroup", "the resource group of the DNS zone"),
    "cloudflare": ("zoneId", "the Cloudflare zone's identifier (its Overview page, API section)"),
}


def semantic_issues(doc: dict[str, Any]) -> list[Issue]:
    """Every semantic problem in ``doc`` (a mapping that may also have schema problems)."""
    spec = _Spec(doc)
    return [*spec.connection_filter(), *spec.domains(), *spec.service_accounts(), *spec.connectors(),
            *spec.send_as(), *spec.authentication_policies(), *spec.waivers()]


@cache
def _pattern(name: str) -> re.Pattern[str]:
    return ecma_regex(load_schema()["$defs"][name]["pattern"])


def _ok(name: str, value: Any) -> bool:
    """True if ``value`` is a string the schema's ``$defs/<name>`` pattern accepts."""
    return isinstance(value, str) and _pattern(name).search(value) is not None


def _dicts(value: Any) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in value.items() if isinstance(v, dict)} if isinstance(value, dict) else {}


def _items(value: Any) -> list[tuple[int, dict[str, Any]]]:
    return [(i, v) for i, v in enumerate(value) if isinstance(v, dict)] if isinstance(value, list) else []


def _keys(value: Any) -> set[str]:
    return set(value) if isinstance(value, dict) else set()


def _hint(name: str, choices: set[str], prefix: str = "") -> str:
    close = difflib.get_close_matches(name, sorted(choices), n=1)
    if close:
        return f"did you mean '{prefix}{close[0]}'?"
    return f"declared: {', '.join(prefix + c for c in sorted(choices))}" if choices else "none are declared"


class _Spec:
    def __init__(self, doc: dict[str, Any]):
        self.doc = doc
        tenant = doc.get("tenant")
        initial = tenant.get("initialDomain") if isinstance(tenant, dict) else None
        self.initial = initial.lower() if isinstance(initial, str) else None
        self.domain_names = _keys(doc.get("domains"))
        self.accounts = _dicts(doc.get("serviceAccounts"))

    def mailbox(self, path: SpecPath, address: Any) -> Iterator[Issue]:
        """A mailbox must be in a declared domain or the initial domain, or Exchange has no such address."""
        if not _ok("mailAddress", address):
            return
        domain = address.rsplit("@", 1)[1].lower()
        if domain in self.domain_names or domain == self.initial:
            return
        allowed = sorted(self.domain_names | ({self.initial} if self.initial else set()))
        yield Issue(path, f"{address!r} is not in a declared domain; use an address in "
                          f"{', '.join(allowed) or 'a domain declared under domains'} or declare {domain}")

    def domains(self) -> Iterator[Issue]:
        for name, domain in _dicts(self.doc.get("domains")).items():
            dns = domain.get("dns")
            if not isinstance(dns, dict):
                continue
            path: SpecPath = ("domains", name, "dns")
            for backend, (key, what) in _BACKEND_KEYS.items():
                if dns.get("backend") == backend and key not in dns:
                    yield Issue(path, f"backend {backend} needs '{key}': {what}")
                elif dns.get("backend") != backend and key in dns:
                    yield Issue(path + (key,), f"'{key}' applies only with backend: {backend}; "
                                               f"remove it or set backend: {backend}", on_key=True)
            zone = dns.get("zone")
            if isinstance(zone, str) and zone != name and not name.endswith("." + zone):
                yield Issue(path + ("zone",), f"zone {zone!r} cannot hold records of {name}; "
                                              f"use {name} or one of its parent domains")

    def service_accounts(self) -> Iterator[Issue]:
        for name, account in self.accounts.items():
            path: SpecPath = ("serviceAccounts", name)
            yield from self.mailbox(path + ("mailbox",), account.get("mailbox"))
            credential = account.get("credential")
            if isinstance(credential, dict):
                yield from _credential(path + ("credential",), credential)

    def connectors(self) -> Iterator[Issue]:
        seen: list[tuple[ipaddress.IPv4Network, str]] = []
        for name, connector in _dicts(self.doc.get("connectors")).items():
            path: SpecPath = ("connectors", name)
            direction = connector.get("direction", "inbound")
            if direction == "outbound":
                yield from _outbound_connector(path, connector)
            if direction != "inbound" or connector.get("type", "relay") != "relay":
                continue  # outbound or partner (below), or a direction or type the schema has reported
            ips = connector.get("senderIPs")
            if not ips and "certificateName" not in connector:
                yield Issue(path, "a connector needs 'senderIPs' or 'certificateName' to recognise the "
                                  "devices that relay through it")
            for i, ip in enumerate(ips if isinstance(ips, list) else []):
                if not _ok("senderIp", ip):
                    continue
                network = ipaddress.IPv4Network(ip, strict=False)
                where = f"connectors.{name}.senderIPs[{i}]"
                problem = sender_ip_problem(ip)
                clash = next((other for net, other in seen if net.overlaps(network)), None)
                if problem:
                    yield Issue(path + ("senderIPs", i), problem)
                elif clash:
                    yield Issue(path + ("senderIPs", i), f"{ip} overlaps {clash}; Exchange could not tell "
                                                         "which connector the mail belongs to")
                seen.append((network, where))
            yield from self.declared_domains(path + ("sendsFor",), connector.get("sendsFor"))
        yield from self.partners(seen)

    def declared_domains(self, path: SpecPath, value: Any) -> Iterator[Issue]:
        for i, domain in enumerate(value if isinstance(value, list) else []):
            if _ok("domainName", domain) and domain not in self.domain_names:
                yield Issue(path + (i,), f"{domain!r} is not a declared domain; " + _hint(domain, self.domain_names))

    def partners(self, relay_ips: list[tuple[ipaddress.IPv4Network, str]]) -> Iterator[Issue]:
        """Partner connectors: public sender IPs, scoped to declared domains, and never matching what a relay
        connector matches (Exchange would take that mail as the relay's, never the partner's)."""
        connectors = _dicts(self.doc.get("connectors"))
        relay_certs = {c["certificateName"].lower(): name for name, c in connectors.items()
                       if c.get("direction", "inbound") == "inbound" and c.get("type", "relay") == "relay"
                       and isinstance(c.get("certificateName"), str)}
        for name, connector in connectors.items():
            if connector.get("type") != "partner" or connector.get("direction", "inbound") != "inbound":
                continue
            path: SpecPath = ("connectors", name)
            ips = connector.get("senderIPs")
            for i, ip in enumerate(ips if isinstance(ips, list) else []):
                if not _ok("senderIp", ip):
                    continue
                problem = sender_ip_problem(ip)
                network = ipaddress.IPv4Network(ip, strict=False)
                clash = next((where for net, where in relay_ips if net.overlaps(network)), None)
                if problem:
                    yield Issue(path + ("senderIPs", i), problem)
                elif clash:
                    yield Issue(path + ("senderIPs", i), f"{ip} overlaps {clash}, a relay connector's: Exchange takes "
                                                         "that mail as relayed, never as this partner's; give "
                                                         "the partner its own addresses")
            cert = connector.get("certificateName")
            if isinstance(cert, str) and cert.lower() in relay_certs:
                yield Issue(path + ("certificateName",), f"{cert} is also relay connector "
                                                         f"{relay_certs[cert.lower()]}'s certificate name: Exchange "
                                                         "would take the partner's mail as relayed; use the "
                                                         "partner's own certificate name")
            yield from self.declared_domains(path + ("acceptedDomains",), connector.get("acceptedDomains"))

    def connection_filter(self) -> Iterator[Issue]:
        """Connection filter entries: public space, listed once, never both allowed and blocked, and
        never blocking a declared connector's devices (Exchange would refuse their mail)."""
        tenant = self.doc.get("tenant")
        policy = tenant.get("connectionFilter") if isinstance(tenant, dict) else None
        if not isinstance(policy, dict):
            return
        base: SpecPath = ("tenant", "connectionFilter")
        allowed = _networks(policy.get("ipAllowList"))
        senders = [(net, name) for name, connector in _dicts(self.doc.get("connectors")).items()
                   if connector.get("direction", "inbound") == "inbound"
                   for _, net in _networks(connector.get("senderIPs"))]
        for key in ("ipBlockList", "ipAllowList"):
            entries = policy.get(key)
            for i, ip in enumerate(entries if isinstance(entries, list) else []):
                # The schema's pattern lets host bits through (203.0.113.5/24); _networks leaves them out.
                problem = sender_ip_syntax(ip) if _ok("senderIp", ip) else None
                if problem:
                    yield Issue(base + (key, i), problem)
            seen: list[tuple[int, ipaddress.IPv4Network]] = []
            for i, network in _networks(policy.get(key)):
                path = base + (key, i)
                space = reserved_space(str(network))
                earlier = next((j for j, net in seen if net.overlaps(network)), None)
                if space:
                    yield Issue(path, f"{_text(network)} is in {space}; connection filtering sees the public IPv4 "
                                      "address a sending server connects from, never this space")
                elif earlier is not None:
                    yield Issue(path, f"{_text(network)} overlaps {key}[{earlier}]; list each address once")
                elif key == "ipBlockList":
                    yield from _blocked_but_allowed_or_relaying(path, network, allowed, senders)
                seen.append((i, network))

    def send_as(self) -> Iterator[Issue]:
        first: dict[tuple[str, str], int] = {}
        for i, grant in _items(self.doc.get("sendAs")):
            path: SpecPath = ("sendAs", i)
            trustee, mailbox = grant.get("trustee"), grant.get("mailbox")
            if isinstance(trustee, str) and _ok("name", trustee) and trustee not in self.accounts:
                yield Issue(path + ("trustee",), f"{trustee!r} is not a declared service account; "
                                                 + _hint(trustee, set(self.accounts)))
            yield from self.mailbox(path + ("mailbox",), mailbox)
            if isinstance(trustee, str) and isinstance(mailbox, str):
                key = (trustee, mailbox.casefold())
                if key in first:
                    yield Issue(path, f"repeats the grant of sendAs[{first[key]}]; list each grant once")
                first.setdefault(key, i)

    def authentication_policies(self) -> Iterator[Issue]:
        """Senders named once, by a declared policy; the default declared; and no mailbox sender (basic
        SMTP AUTH) left with a policy that blocks basic SMTP: Exchange would refuse it (5.7.139)."""
        policies = _dicts(self.doc.get("authenticationPolicies"))
        own: dict[str, str] = {}
        for name, policy in policies.items():
            for i, account in enumerate(policy.get("appliesTo") or []):
                path: SpecPath = ("authenticationPolicies", name, "appliesTo", i)
                if not _ok("name", account):
                    continue
                if account not in self.accounts:
                    yield Issue(path, f"{account!r} is not a declared service account; "
                                      + _hint(account, set(self.accounts)))
                elif account in own:
                    yield Issue(path, f"{account} is also in authenticationPolicies.{own[account]}.appliesTo; "
                                      "a user has one authentication policy: keep it in one")
                else:
                    own[account] = name
        tenant = self.doc.get("tenant")
        default = tenant.get("defaultAuthenticationPolicy") if isinstance(tenant, dict) else None
        if isinstance(default, str) and default not in policies:
            yield Issue(("tenant", "defaultAuthenticationPolicy"), f"{default!r} is not a declared "
                        f"authentication policy; {_hint(default, set(policies), 'authenticationPolicies.')}")
        for account, spec in self.accounts.items():
            applied = own.get(account, default if isinstance(default, str) else None)
            if spec.get("kind") == "mailbox" and applied in policies and _blocks_basic_smtp(policies[applied]):
                how = f"its policy {applied!r}" if account in own else f"the tenant's default policy {applied!r}"
                yield Issue(("serviceAccounts", account),
                            f"sends with basic SMTP AUTH (kind: mailbox) but {how} blocks basic SMTP: Exchange "
                            "would refuse it (535 5.7.139); add smtp to that policy's allowBasicAuth, give the "
                            "sender a policy that allows it, or move it to kind: application (OAuth)")

    def waivers(self) -> Iterator[Issue]:
        first: dict[tuple[str, str], int] = {}
        for i, waiver in _items(self.doc.get("waivers")):
            path: SpecPath = ("waivers", i)
            expires, target, rule = waiver.get("expires"), waiver.get("target"), waiver.get("rule")
            if isinstance(expires, str) and _ok("isoDate", expires):
                try:
                    date.fromisoformat(expires)
                except ValueError as error:
                    yield Issue(path + ("expires",), f"{expires!r} is not a real date ({error}); "
                                                     "write YYYY-MM-DD, e.g. 2027-03-31")
            if isinstance(target, str):
                yield from self.target(path + ("target",), target)
            if isinstance(rule, str) and isinstance(target, str):
                if (rule, target) in first:
                    yield Issue(path, f"repeats the waiver of waivers[{first[(rule, target)]}]; "
                                      "keep one waiver per rule and target")
                first.setdefault((rule, target), i)

    def target(self, path: SpecPath, target: str) -> Iterator[Issue]:
        """A waiver target must name something the spec declares."""
        section, _, name = target.partition(".")
        declared = {
            "domains": self.domain_names,
            "serviceAccounts": set(self.accounts),
            "connectors": _keys(self.doc.get("connectors")),
            "authenticationPolicies": _keys(self.doc.get("authenticationPolicies")),
        }.get(section)
        if declared is None or name in declared:
            return  # 'tenant', or a malformed target the schema has reported
        yield Issue(path, f"{target!r} names nothing in the spec; {_hint(name, declared, section + '.')}")


def _blocks_basic_smtp(policy: dict[str, Any]) -> bool:
    allowed = policy.get("allowBasicAuth", [])
    return isinstance(allowed, list) and "smtp" not in allowed


def _networks(value: Any) -> list[tuple[int, ipaddress.IPv4Network]]:
    """The well-formed sender-IP entries of a list, with their indexes (the schema reports the rest); no
    entry with host bits is well-formed, so each parses strictly."""
    entries = value if isinstance(value, list) else []
    return [(i, ipaddress.IPv4Network(ip)) for i, ip in enumerate(entries)
            if _ok("senderIp", ip) and sender_ip_syntax(ip) is None]


def _text(network: ipaddress.IPv4Network) -> str:
    """An address as users write it: a single address without ``/32``."""
    return str(network.network_address) if network.prefixlen == 32 else str(network)


def _blocked_but_allowed_or_relaying(path: SpecPath, network: ipaddress.IPv4Network,
                                     allowed: list[tuple[int, ipaddress.IPv4Network]],
                                     senders: list[tuple[ipaddress.IPv4Network, str]]) -> Iterator[Issue]:
    both = next((i for i, net in allowed if net.overlaps(network)), None)
    if both is not None:
        yield Issue(path, f"{_text(network)} is also on ipAllowList[{both}]; Exchange lets the allow list win, so "
                          "this block does nothing: remove one of the two")
    relays = sorted({name for net, name in senders if net.overlaps(network)})
    if relays:
        yield Issue(path, f"{_text(network)} blocks the devices of connector {', '.join(relays)}: Exchange would "
                          "refuse their mail (550 5.7.513); remove the entry or the connector's address")


def _credential(path: SpecPath, credential: dict[str, Any]) -> Iterator[Issue]:
    kind = credential.get("type")
    if not isinstance(kind, str) or kind not in _CREDENTIAL_FIELDS:
        return
    allowed, required = _CREDENTIAL_FIELDS[kind]
    for key in required:
        if key not in credential:
            yield Issue(path, f"a {kind} credential needs '{key}'")
    for key in credential:
        if key not in allowed and any(key in f for f, _ in _CREDENTIAL_FIELDS.values()):  # another kind's key
            yield Issue(path + (key,), f"'{key}' does not apply to a {kind} credential; remove it "
                                       f"(a {kind} credential takes: {', '.join(sorted(allowed))})",
                        on_key=True)


def _outbound_connector(path: SpecPath, connector: dict[str, Any]) -> Iterator[Issue]:
    """Which mail (recipient domains xor a transport rule), where to (smart hosts xor MX), what TLS."""
    domains, scoped = connector.get("recipientDomains"), connector.get("transportRuleScoped") is True
    if domains and scoped:
        yield Issue(path + ("transportRuleScoped",), "give 'recipientDomains' or 'transportRuleScoped: true', "
                                                     "not both: a transport-rule-scoped connector takes only "
                                                     "the mail a rule routes to it", on_key=True)
    elif domains is None and not scoped:
        yield Issue(path, "an outbound connector needs 'recipientDomains' (the domains whose mail it takes, "
                          "or '*' for all) or 'transportRuleScoped: true'")
    hosts, use_mx = connector.get("smartHosts"), connector.get("useMxRecord") is True
    if hosts is not None and use_mx:
        yield Issue(path + ("smartHosts",), "'smartHosts' applies only when useMxRecord is false; remove it, "
                                            "or remove 'useMxRecord: true' to deliver to the smart hosts",
                    on_key=True)
    elif hosts is None and not use_mx:
        yield Issue(path, "an outbound connector needs 'smartHosts' (where to deliver) or 'useMxRecord: true' "
                          "(deliver to each recipient domain's MX)")
    tls, has_domain = connector.get("tls"), "tlsDomain" in connector
    if has_domain and tls != "DomainValidation":
        yield Issue(path + ("tlsDomain",), "'tlsDomain' applies only with tls: DomainValidation; remove it "
                                           "or set tls: DomainValidation", on_key=True)
    elif tls == "DomainValidation" and not has_domain:
        yield Issue(path, "tls: DomainValidation needs 'tlsDomain': the domain the receiving server's "
                          "certificate must name")
