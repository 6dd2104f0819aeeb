"""A real DNS server on loopback for DNS tests: Debian's dnsmasq, authoritative for every name.

``--local=/#/`` makes dnsmasq answer NXDOMAIN for names it has no record of (instead of REFUSED for
want of an upstream), so "no such record" looks the way it does on the internet.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from pathlib import Path

import dns.nameserver
import dns.resolver

Record = tuple[str, ...]  # ("txt", name, text) | ("cname", name, target) | ("mx", name, host, pref) | ("a", name, ip)


def _free_port(host: str) -> int:
    """A port free for both UDP and TCP on host (dnsmasq serves both)."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.bind((host, 0))
            port = udp.getsockname()[1]
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
                try:
                    tcp.bind((host, port))
                except OSError:
                    continue
                return port
    raise RuntimeError("no free port")


def _conf_line(record: Record) -> str:
    kind, name, *rest = record
    if kind == "txt":
        return f'txt-record={name},"{rest[0]}"'
    if kind == "cname":
        return f"cname={name},{rest[0]}"
    if kind == "mx":
        return f"mx-host={name},{rest[0]},{rest[1] if len(rest) > 1 else 0}"
    if kind == "a":
        return f"host-record={name},{rest[0]}"
    raise ValueError(kind)


class DnsServer:
    def __init__(self, workdir: Path, host: str = "127.0.0.1"):
        self.workdir = workdir
        self.host = host
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def start(self, records: list[Record]) -> str:
        conf = self.workdir / "dnsmasq.conf"
        conf.write_text("\n".join(_conf_line(r) for r in records) + "\n", encoding="utf-8")
        self.port = _free_port(self.host)
        self.process = subprocess.Popen(
            ["dnsmasq", "--no-daemon", f"--conf-file={conf}", f"--port={self.port}",
             f"--listen-address={self.host}", "--bind-interfaces", "--no-resolv", "--no-hosts",
             "--local=/#/", "--pid-file=", "--cache-size=0", "--log-facility=-",
             *(["--user=root"] if os.geteuid() == 0 else [])],
            stdout=subprocess.DEVNULL, stderr=(self.workdir / "dnsmasq.log").open("wb"),
        )
        self._wait_ready()
        return self.address

    def _wait_ready(self) -> None:
        resolver = dns.resolver.Resolver(configure=False)
        resolver.nameservers = [dns.nameserver.Do53Nameserver(self.host, self.port)]
        resolver.lifetime = 0.2
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                log = (self.workdir / "dnsmasq.log").read_text()
                raise RuntimeError(f"dnsmasq exited: {log}")
            try:
                resolver.resolve("ready.probe.invalid", "A")
            except dns.resolver.NXDOMAIN:
                return
            except Exception:
                time.sleep(0.05)
        raise RuntimeError("dnsmasq did not answer within 5 s")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=5)
