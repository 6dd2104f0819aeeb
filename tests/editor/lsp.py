"""A minimal Language Server Protocol client over stdio, enough to drive yaml-language-server."""

from __future__ import annotations

import json
import queue
import subprocess
import threading
from pathlib import Path
from typing import Any

TIMEOUT = 60.0


class LanguageServer:
    """One server process: requests wait for their response; notifications are queued by method."""

    def __init__(self, command: list[str], root: Path, settings: dict[str, Any]) -> None:
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL)
        self.next_id = 0
        self.responses: dict[int, queue.Queue[Any]] = {}
        self.notifications: queue.Queue[tuple[str, Any]] = queue.Queue()
        self.lock = threading.Lock()
        self.settings = settings
        threading.Thread(target=self._read, daemon=True).start()
        self.request("initialize", {"processId": None, "rootUri": root.as_uri(),
                                    "workspaceFolders": [{"uri": root.as_uri(), "name": root.name}],
                                    "capabilities": {"workspace": {"configuration": True},
                                                     "textDocument": {"completion": {"completionItem": {}}}}})
        self.notify("initialized", {})
        self.notify("workspace/didChangeConfiguration", {"settings": settings})

    def request(self, method: str, params: Any) -> Any:
        with self.lock:
            self.next_id += 1
            ident = self.next_id
            self.responses[ident] = queue.Queue()
        self._send({"jsonrpc": "2.0", "id": ident, "method": method, "params": params})
        message = self.responses[ident].get(timeout=TIMEOUT)
        if "error" in message:
            raise RuntimeError(f"{method}: {message['error']}")
        return message.get("result")

    def notify(self, method: str, params: Any) -> None:
        self._send({"jsonrpc": "2.0", "method": method, "params": params})

    def diagnostics(self, uri: str) -> list[dict[str, Any]]:
        """The next diagnostics the server publishes for ``uri``."""
        while True:
            method, params = self.notifications.get(timeout=TIMEOUT)
            if method == "textDocument/publishDiagnostics" and params["uri"] == uri:
                return list(params["diagnostics"])

    def close(self) -> None:
        try:
            self.request("shutdown", None)
            self.notify("exit", None)
            self.process.wait(timeout=10)
        except (OSError, RuntimeError, queue.Empty, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.wait()

    def _answer(self, request: dict[str, Any]) -> Any:
        """The client's side of a server request: settings sections it pulls, nothing for the rest."""
        if request["method"] == "workspace/configuration":
            return [self.settings.get(item.get("section"), {}) for item in request["params"]["items"]]
        return None

    def _send(self, message: dict[str, Any]) -> None:
        body = json.dumps(message).encode()
        assert self.process.stdin is not None
        self.process.stdin.write(f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
        self.process.stdin.flush()

    def _read(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        while True:
            length = 0
            while (line := stream.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode().partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            if not line:
                return
            message = json.loads(stream.read(length))
            if "id" in message and "method" in message:  # a request from the server
                self._send({"jsonrpc": "2.0", "id": message["id"], "result": self._answer(message)})
            elif "id" in message:
                self.responses[message["id"]].put(message)
            else:
                self.notifications.put((message["method"], message.get("params")))
