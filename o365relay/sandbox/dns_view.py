"""The world's DNS as the sandbox sees it: which records a name has, from what the sandbox itself holds.

Three sources, each the sandbox's own state (never computed from a spec):

- **Published records** (the DNS view, ``/_sandbox/dns``): CNAMEs (what Set-DkimSigningConfig -Enabled
  checks) and TXT/MX values someone published: the seed's world (vendors' SPF records, the domain
  verification value), a DNS team pasting a stack's zone snippet (``relayctl sandbox publish``).
- **Azure DNS**: the TXT record sets of the zones the sandbox's Resource Manager hosts
  (:mod:`.arm_dns`), i.e. what a stack with ``dns.backend: azure`` wrote.
- **The tenant's domains**: a verified domain other than the initial one receives its mail through
  this tenant, so its MX is the host serviceConfigurationRecords names (``mxTarget``).

A name none of them knows does not exist (NXDOMAIN); a name that exists without records of the type
asked has none (an empty answer).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from o365relay.errors import UsageError
from o365relay.sandbox import store as st

TYPES = ("CNAME", "TXT", "MX")
TXT_STRING = 255  # octets in one character-string (RFC 1035)


def _name(name: str) -> str:
    return name.strip().lower().rstrip(".")


def publish(store: st.Store, name: str, rtype: str, value: str | list[str]) -> None:
    """Add one record to the DNS view. TXT takes its character-strings (a list) or one string; MX is
    ``"<preference> <host>"``; CNAME replaces the name's target."""
    name, rtype = _name(name), rtype.upper()
    if rtype == "CNAME" and isinstance(value, str):
        store.put(st.DNS_RECORD, {"id": name, "type": "CNAME", "value": _name(value)})
    elif rtype == "TXT":
        strings = [value] if isinstance(value, str) else list(value)
        if not strings or not all(isinstance(s, str) and len(s.encode()) <= TXT_STRING for s in strings):
            raise UsageError(f"TXT {name}: give its character-strings, each at most {TXT_STRING} octets")
        joined = "".join(strings)
        store.put(st.DNS_VALUE, {"id": f"{name} TXT {joined}", "name": name, "type": "TXT", "value": joined,
                                 "strings": strings})
    elif rtype == "MX" and isinstance(value, str):
        preference, _, host = value.strip().partition(" ")
        if not preference.isdigit() or not host.strip():
            raise UsageError(f"MX {name}: expected '<preference> <host>', not {value!r}")
        value = f"{int(preference)} {_name(host)}"
        store.put(st.DNS_VALUE, {"id": f"{name} MX {value}", "name": name, "type": "MX", "value": value})
    else:
        raise UsageError(f"the sandbox DNS view holds {', '.join(TYPES)} records, not {rtype} {value!r}")


def replace(store: st.Store, name: str, rtype: str, values: Iterable[str | list[str]]) -> None:
    """Make ``values`` the whole record set of ``name``/``rtype`` in the DNS view."""
    name, rtype = _name(name), rtype.upper()
    for doc in store.list(st.DNS_VALUE, name=name, type=rtype):
        store.delete(st.DNS_VALUE, doc["id"])
    if rtype == "CNAME":
        store.delete(st.DNS_RECORD, name)
    for value in values:
        publish(store, name, rtype, value)


def unpublish(store: st.Store, name: str) -> bool:
    """Take every record of ``name`` out of the DNS view; False if it had none."""
    name = _name(name)
    found = store.delete(st.DNS_RECORD, name)
    for doc in store.list(st.DNS_VALUE, name=name):
        found = store.delete(st.DNS_VALUE, doc["id"]) or found
    return found


def published(store: st.Store) -> list[dict[str, object]]:
    """The DNS view as ``{name, type, value}`` rows (TXT values with their ``strings``)."""
    rows: list[dict[str, object]] = [{"name": r["id"], "type": r["type"], "value": r["value"]}
                                     for r in store.list(st.DNS_RECORD)]
    for doc in store.list(st.DNS_VALUE):
        row = {"name": doc["name"], "type": doc["type"], "value": doc["value"]}
        if doc["type"] == "TXT":
            row["strings"] = doc["strings"]
        rows.append(row)
    return rows


def answer(store: st.Store, name: str, rtype: str) -> list[str] | None:
    """The records of ``name``/``rtype`` in zone-file presentation (TXT quoted, names absolute), or
    None when the name does not exist at all."""
    name, rtype = _name(name), rtype.upper()
    cname = store.get(st.DNS_RECORD, name)
    if cname is not None:
        return [str(cname["value"]) + "."] if rtype == "CNAME" else []
    txt = [_quoted(strings) for strings in _txt(store, name)]
    mx = [f"{value}." for value in _mx(store, name)]
    if not txt and not mx and not _exists(store, name):
        return None
    return {"TXT": txt, "MX": mx}.get(rtype, [])


def _txt(store: st.Store, name: str) -> Iterator[list[str]]:
    for doc in store.list(st.DNS_VALUE, name=name, type="TXT"):
        yield list(doc["strings"])
    for record_set in store.list(st.AZURE_RECORD_SET):
        if _azure_fqdn(str(record_set["id"])) == name:
            yield from (list(strings) for strings in record_set["txt"])


def _mx(store: st.Store, name: str) -> Iterator[str]:
    domain = store.get(st.DOMAIN, name)
    if domain is not None and domain.get("isVerified", True) and domain.get("mxTarget"):
        yield f"0 {_name(str(domain['mxTarget']))}"
    for doc in store.list(st.DNS_VALUE, name=name, type="MX"):
        yield str(doc["value"])


def _exists(store: st.Store, name: str) -> bool:
    """A tenant domain or an Azure DNS zone apex exists even with no records of its own here."""
    zones = {str(z["id"]).split("/", 2)[2] for z in store.list(st.AZURE_DNS_ZONE)}
    return store.get(st.DOMAIN, name) is not None or name in zones


def _azure_fqdn(set_id: str) -> str:
    """``sub/rg/contoso.com/txt/_dmarc`` -> ``_dmarc.contoso.com``."""
    _, _, zone, _, relative = set_id.split("/", 4)
    return zone if relative == "@" else f"{relative}.{zone}"


def _quoted(strings: list[str]) -> str:
    return " ".join('"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"' for s in strings)
