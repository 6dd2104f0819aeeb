"""A small authoritative DNS server on loopback (UDP), answering CNAME queries from a dict.

It stands in for the DNS a team publishes records to: the providers' record checks resolve through
it with dnspython exactly as they would against a real server (the host gets its address as the
stack config ``o365-relay:nameserver``). Unknown names get NXDOMAIN.
"""

from __future__ import annotations

import socket
import threading

import dns.flags
import dns.message
import dns.rcode
import dns.rdatatype
import dns.rrset


class CnameServer:
    def __init__(self, host: str = "127.0.0.1") -> None:
        self.records: dict[str, str] = {}  # lower-case FQDN (no trailing dot) -> target
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._sock.bind((host, 0))
        self._sock.settimeout(0.2)
        self.address = f"{host}:{self._sock.getsockname()[1]}"
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                data, peer = self._sock.recvfrom(4096)
            except TimeoutError:
                continue
            except OSError:
                return
            self._sock.sendto(self._answer(dns.message.from_wire(data)).to_wire(), peer)

    def _answer(self, query: dns.message.Message) -> dns.message.Message:
        response = dns.message.make_response(query)
        response.flags |= dns.flags.AA
        question = query.question[0]
        name = question.name.to_text().rstrip(".").lower()
        target = self.records.get(name)
        if target is None:
            response.set_rcode(dns.rcode.NXDOMAIN)
        elif question.rdtype in (dns.rdatatype.CNAME, dns.rdatatype.ANY):
            response.answer.append(dns.rrset.from_text(question.name, 3600, "IN", "CNAME", target + "."))
        return response

    def close(self) -> None:
        self._stop.set()
        self._sock.close()
        self._thread.join(2)

    def __enter__(self) -> CnameServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
