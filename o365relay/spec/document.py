"""Convert between the spec model and its plain document (the camelCase mapping YAML holds).

``to_document`` gives the canonical form: keys as in YAML, values equal to the model's default
left out, so the document is as short as a hand-written spec. ``from_document`` is its inverse for
a document that has already passed validation (the loader calls it last).
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from typing import Any

from o365relay.spec import model as m

# Field names whose camelCase form is not the mechanical one.
_CAMEL_OVERRIDES = {"sender_ips": "senderIPs"}
# Fields that are the key of their entry in a map, not a property of it.
_KEY_FIELDS = {"name"}
# RelaySpec fields that are bookkeeping, not part of the document.
_NOT_IN_DOCUMENT = {"source", "positions", "ends"}
# RelaySpec fields written into another document key, each entry marked by a discriminator key and value:
# outbound connectors live under ``connectors`` with ``direction: outbound``, partner connectors with
# ``type: partner``; the rest of ``connectors`` are relay connectors.
DISCRIMINATOR = "direction"
OUTBOUND = "outbound"
KIND = "type"
PARTNER = "partner"
MERGED_FIELDS = {"outbound_connectors": ("connectors", DISCRIMINATOR, OUTBOUND),
                 "partner_connectors": ("connectors", KIND, PARTNER)}


def camel(name: str) -> str:
    """The document key of a model field: ``sender_ips`` -> ``senderIPs``, ``key_size`` -> ``keySize``."""
    if name in _CAMEL_OVERRIDES:
        return _CAMEL_OVERRIDES[name]
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def default_of(f: dataclasses.Field[Any]) -> Any:
    """A dataclass field's default value, or ``dataclasses.MISSING``."""
    if f.default_factory is not dataclasses.MISSING:
        return f.default_factory()
    return f.default


def to_document(spec: m.RelaySpec) -> dict[str, Any]:
    """The canonical plain dict of ``spec`` (JSON-serialisable; defaults omitted)."""
    document = _plain(spec)
    document["version"] = spec.version  # always written, though it equals the only version
    for field_name, (key, marker, value) in MERGED_FIELDS.items():
        merged = document.pop(camel(field_name), {})
        if merged:
            document.setdefault(key, {}).update({name: {marker: value, **c} for name, c in merged.items()})
    return document


def evidence_document(evidence: m.Evidence) -> dict[str, Any]:
    """The evidence as its file holds it (what ``tenant.evidence`` names)."""
    document: dict[str, Any] = _plain(evidence)
    return document


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out: dict[str, Any] = {}
        for f in dataclasses.fields(value):
            if f.name in _KEY_FIELDS | _NOT_IN_DOCUMENT:
                continue
            item = getattr(value, f.name)
            if item != default_of(f):
                out[camel(f.name)] = _plain(item)
        return out
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def from_document(doc: dict[str, Any], source: str, positions: dict[m.SpecPath, m.Position],
                  ends: dict[m.SpecPath, m.Position] | None = None) -> m.RelaySpec:
    """Build the model from a validated document (unchecked input here is a programming error)."""
    return m.RelaySpec(
        version=doc["version"],
        tenant=_tenant(doc["tenant"]),
        domains={name: _domain(name, d) for name, d in doc.get("domains", {}).items()},
        service_accounts={name: _account(name, a) for name, a in doc.get("serviceAccounts", {}).items()},
        connectors={name: _build(m.Connector, _unmarked(c), name=name)
                    for name, c in doc.get("connectors", {}).items() if _form(c) is None},
        outbound_connectors={name: _build(m.OutboundConnector, _unmarked(c), name=name)
                             for name, c in doc.get("connectors", {}).items() if _form(c) == "outbound_connectors"},
        partner_connectors={name: _build(m.PartnerConnector, _unmarked(c), name=name)
                            for name, c in doc.get("connectors", {}).items() if _form(c) == "partner_connectors"},
        send_as=tuple(_build(m.SendAsGrant, g) for g in doc.get("sendAs", [])),
        authentication_policies={name: _build(m.AuthenticationPolicy, p, name=name)
                                 for name, p in doc.get("authenticationPolicies", {}).items()},
        waivers=tuple(_build(m.Waiver, w, expires=date.fromisoformat(w["expires"]))
                      for w in doc.get("waivers", [])),
        source=source,
        positions=positions,
        ends=ends or {},
    )


def _form(connector: dict[str, Any]) -> str | None:
    """The RelaySpec field a ``connectors`` entry belongs to by its markers; None for a relay connector."""
    return next((f for f, (_, marker, value) in MERGED_FIELDS.items() if connector.get(marker) == value), None)


def _unmarked(connector: dict[str, Any]) -> dict[str, Any]:
    """The entry without its discriminators: the model says the form by its class."""
    return {k: v for k, v in connector.items() if k not in (DISCRIMINATOR, KIND)}


def _build(cls: type, data: dict[str, Any], **given: Any) -> Any:
    """``cls`` from a mapping: keys to field names, lists to tuples; ``given`` overrides."""
    names = {camel(f.name): f.name for f in dataclasses.fields(cls)}
    kwargs = {names[key]: tuple(value) if isinstance(value, list) else value for key, value in data.items()}
    return cls(**{**kwargs, **given})


def _tenant(data: dict[str, Any]) -> m.Tenant:
    """Switches are a plain value or a rollout mapping; the evidence is inlined by then (the loader);
    the connection filter is a mapping of its own."""
    parts: dict[str, Any] = {k: _build(m.Rollout, v) for k in ("smtpAuth", "rejectDirectSend")
                             if isinstance(v := data.get(k), dict)}
    if isinstance(data.get("evidence"), dict):
        parts["evidence"] = _evidence(data["evidence"])
    if "connectionFilter" in data:
        parts["connectionFilter"] = _build(m.ConnectionFilter, data["connectionFilter"])
    names = {camel(f.name): f.name for f in dataclasses.fields(m.Tenant)}
    plain = {names[k]: v for k, v in data.items() if k not in parts}
    return m.Tenant(**plain, **{names[k]: v for k, v in parts.items()})


def _evidence(data: dict[str, Any]) -> m.Evidence:
    """The times are text and the seen senders rows of mappings: the parsed values are given to ``_build``,
    and what is given wins over the raw keys."""
    def seen(row: dict[str, Any]) -> m.SeenSender:
        return _build(m.SeenSender, row, first=_moment(row["first"]), last=_moment(row["last"]))

    return _build(m.Evidence, data,
                  start=_moment(data["start"]), end=_moment(data["end"]),
                  basic_sign_ins=tuple(seen(r) for r in data.get("basicSignIns", [])),
                  senders=tuple(seen(r) for r in data.get("senders", [])))


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text)  # Python 3.11 reads a trailing Z as UTC


def _domain(name: str, data: dict[str, Any]) -> m.Domain:
    parts = {"spf": m.Spf, "dkim": m.Dkim, "dmarc": m.Dmarc, "dns": m.DnsHosting, "mtaSts": m.MtaSts,
             "tlsRpt": m.TlsRpt}
    return _build(m.Domain, {k: _build(parts[k], v) for k, v in data.items()}, name=name)


def _account(name: str, data: dict[str, Any]) -> m.ServiceAccount:
    nested = {"credential": m.Credential, "create": m.MailboxCreation}
    parts = {k: _build(nested[k], data[k]) for k in nested if k in data}
    plain = {k: v for k, v in data.items() if k not in nested}
    return _build(m.ServiceAccount, plain, name=name, **parts)
