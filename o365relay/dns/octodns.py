"""The relay's records as an octoDNS zone file (YamlProvider), merged into the zone file a team already has.

octoDNS owns a whole zone from one YAML file, so the relay's records are written into that file rather
than beside it: the apex TXT record keeps its other values (domain verification, vendors) and holds one
SPF record; a name's records of other types are kept; ``_dmarc`` and the selector CNAMEs replace what
was there. octoDNS wants ``;`` in TXT values escaped (``\\;``); a value longer than 255 octets is written
as its quoted 255-octet strings, the form octoDNS reads as pre-chunked.
"""

from __future__ import annotations

from typing import Any

import yaml

from o365relay.dns.txt import merge_txt, txt_strings
from o365relay.dns.zones import ZoneRecords
from o365relay.errors import UsageError


def zone_document(zone: ZoneRecords, existing: dict[str, Any] | None = None) -> dict[str, Any]:
    """The zone file's content: ``existing`` (parsed YAML, name -> record or list of records) with ours merged."""
    doc: dict[str, Any] = {name: _as_list(name, entry) for name, entry in (existing or {}).items()}
    for record in zone.records:
        name = "" if record.name == "@" else record.name
        entries = doc.setdefault(name, [])
        same = next((e for e in entries if str(e.get("type", "")).upper() == record.type), None)
        entry: dict[str, Any]
        if record.type == "TXT":
            values = merge_txt([_unescape(v) for v in _values(same)] if same else [], record.value)
            entry = {"type": "TXT", "values": [_escape(v) for v in values]}
        else:
            entry = {"type": record.type, "value": _absolute(record.value)}
        entry["ttl"] = same.get("ttl", record.ttl) if same else record.ttl
        if same is None:
            entries.append(entry)
        else:
            entries[entries.index(same)] = entry
    return {name: entries[0] if len(entries) == 1 else entries for name, entries in doc.items()}


def render(zone: ZoneRecords, existing: dict[str, Any] | None = None) -> str:
    """The zone file, names sorted, the apex written ``'':`` as octoDNS writes it (PyYAML alone would
    write the empty key in its explicit ``? ''`` form)."""
    lines = [f"# octoDNS zone {zone.zone}. (o365-relay records merged)", "---"]
    for name, entry in sorted(zone_document(zone, existing).items()):
        key = "''" if name == "" else yaml.safe_dump(name).splitlines()[0]
        body = yaml.safe_dump(entry, sort_keys=True, allow_unicode=False, width=10_000)
        lines.append(f"{key}:")
        lines += [f"  {line}" for line in body.splitlines()]
    return "\n".join(lines) + "\n"


def load_existing(text: str, source: str) -> dict[str, Any]:
    """A zone file as octoDNS's YamlProvider reads it; an empty file is an empty zone."""
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise UsageError(f"{source}: not YAML: {str(error).splitlines()[0]}") from None
    if doc is None:
        return {}
    if not isinstance(doc, dict):
        raise UsageError(f"{source}: an octoDNS zone file maps record names to records")
    return {str(name): entry for name, entry in doc.items()}


def _as_list(name: str, entry: Any) -> list[dict[str, Any]]:
    entries = entry if isinstance(entry, list) else [entry]
    if not all(isinstance(e, dict) and "type" in e for e in entries):
        raise UsageError(f"record {name or '@'!r} of the existing zone file has no type")
    return [dict(e) for e in entries]


def _values(entry: dict[str, Any]) -> list[str]:
    values = entry.get("values", [entry["value"]] if "value" in entry else [])
    return [str(v) for v in (values if isinstance(values, list) else [values])]


def _escape(value: str) -> str:
    escaped = value.replace(";", "\\;")
    if len(escaped.encode()) <= 255:
        return escaped
    return " ".join(f'"{part}"' for part in txt_strings(escaped))


def _unescape(value: str) -> str:
    """A TXT value as receivers read it: pre-chunked strings joined, ``\\;`` as ``;``."""
    if value.startswith('"') and value.endswith('"'):
        value = value[1:-1].replace('" "', "")
    return value.replace("\\;", ";")


def _absolute(name: str) -> str:
    return name if name.endswith(".") else name + "."

