"""A reply's words are the server's: escape sequences and markup in them print as written, never acting
on the terminal (a line-by-line SMTP server that refuses with hostile text)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from testsend_helpers import SPEC

from o365relay.cli.main import main

HOSTILE = "550 5.7.1 \x1b]8;;https://evil.example\x07click\x1b]8;;\x07 \x1b[2J[bold]no[/bold]"


@pytest.fixture
def refusing_server() -> Iterator[int]:
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def serve() -> None:
        conn, _ = listener.accept()
        with conn, conn.makefile("rwb") as wire:
            wire.write(b"220 hostile.example ESMTP\r\n")
            wire.flush()
            for line in wire:
                verb = line.split(b" ", 1)[0].strip().upper()
                answer = {b"EHLO": b"250 hostile.example", b"QUIT": b"221 bye"}.get(verb, HOSTILE.encode())
                wire.write(answer + b"\r\n")
                wire.flush()
                if verb == b"QUIT":
                    return

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield port
    listener.close()
    thread.join(timeout=10)


def test_refusal_text_reaches_the_terminal_as_written(refusing_server: int, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: Any) -> None:
    monkeypatch.setenv("RELAY_TENANT_ID", "7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a")
    monkeypatch.setenv("RELAY_MX_HOST", "127.0.0.1")
    monkeypatch.setenv("RELAY_MX_PORT", str(refusing_server))
    code = main(["test-send", SPEC, "dc1-relay", "--to", "erp@contoso.com", "--no-trace"])
    out = capsys.readouterr().out
    assert code == 1
    assert "\x1b" not in out and "\x07" not in out
    assert "reply: 550 5.7.1 \\u001b]8;;https://evil.example\\u0007click" in out and "[bold]no[/bold]" in out
