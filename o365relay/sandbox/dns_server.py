"""The world's DNS as the sandbox sees it: its DNS view, served over UDP on loopback.

The DNS view (``/_sandbox/dns``) is what Set-DkimSigningConfig -Enabled checks; serving it lets the
stack's record checks and ``relayctl dns`` resolve the same records with dnspython, as they would
against a real server (``Sandbox.env()`` gives the address as ``RELAY_NAMESERVER``). What a name holds
(CNAME, TXT, MX) is :mod:`.dns_view`'s; names it does not know get NXDOMAIN.

``dns_team=True`` models a DNS team with automation that publishes a domain's DKIM selector CNAMEs
as soon as Exchange has made them (a DKIM signing config exists): the first query for
``selectorN._domainkey.<domain>`` publishes the target the tenant holds, then answers it. The values
are the tenant's own, never the stack's. Off by default: a plain sandbox makes you publish them.
"""

from __future__ import annotations

import re
import socket
import threading

import dns.exception
import dns.flags
import dns.message
import dns.rcode
import dns.rdatatype
import dns.rrset

from o365relay.sandbox import dns_view
from o365relay.sandbox import store as st

_SELECTOR = re.compile(r"^(selector[12])\._domainkey\.(.+)$")


class DnsViewServer:
    """Answers queries from the sandbox's DNS view (:func:`.dns_view.answer`)."""

    def __init__(self, store: st.Store, host: str = "127.0.0.1", dns_team: bool = False) -> None:
        self._store = store
        self._dns_team = dns_team
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._sock.bind((host, 0))
        self._sock.settimeout(0.2)
        self.address = f"{host}:{self._sock.getsockname()[1]}"
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="sandbox-dns", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                data, peer = self._sock.recvfrom(4096)
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                reply = self._answer(dns.message.from_wire(data))
            except dns.exception.DNSException:
                continue  # not a DNS query: a real server drops it too
            self._sock.sendto(reply.to_wire(), peer)

    def target(self, name: str) -> str | None:
        """The CNAME target of ``name`` in the DNS view (publishing DKIM selectors first with dns_team)."""
        record = self._store.get(st.DNS_RECORD, name)
        if record is None and self._dns_team:
            record = self._publish_selector(name)
        return str(record["value"]) if record else None

    def _publish_selector(self, name: str) -> st.Doc | None:
        match = _SELECTOR.match(name)
        config = self._store.get(st.DKIM_CONFIG, match.group(2)) if match else None
        if match is None or config is None:
            return None
        dns_view.publish(self._store, name, "CNAME", str(config[f"{match.group(1).capitalize()}CNAME"]))
        return self._store.get(st.DNS_RECORD, name)

    def _answer(self, query: dns.message.Message) -> dns.message.Message:
        response = dns.message.make_response(query)
        response.flags |= dns.flags.AA
        question = query.question[0]
        name = question.name.to_text().rstrip(".").lower()
        self.target(name)  # the DNS team publishes a selector on its first query
        rtype = "CNAME" if question.rdtype == dns.rdatatype.ANY else dns.rdatatype.to_text(question.rdtype)
        records = dns_view.answer(self._store, name, rtype)
        if records is None:
            response.set_rcode(dns.rcode.NXDOMAIN)
        elif records:
            response.answer.append(dns.rrset.from_text_list(question.name, 3600, "IN", rtype, records))
        return response

    def stop(self) -> None:
        self._stop.set()
        self._sock.close()
        self._thread.join(2)
