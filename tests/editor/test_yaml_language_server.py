"""The editor experience, driven through yaml-language-server over LSP (what VS Code's YAML extension runs).

A workspace like a user's repository: the schema in ``schemas/``, the shipped ``.vscode/settings.json``,
a spec at the root (the example, with its modeline), one in ``stacks/`` with the modeline
``relayctl export`` writes there, and one in ``stacks/`` with no modeline (found by the workspace
setting). In each: no diagnostics on the valid example, the same positions as ``relayctl validate`` on
invalid copies, pattern errors in ``relayctl validate``'s words, and completion that knows a sender's kind.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from lsp import LanguageServer
from node_tools import require

from o365relay.errors import SpecError
from o365relay.spec.loader import load_spec
from o365relay.spec.schema import load_schema, modeline

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = (REPO / "relay.prod.yaml").read_text(encoding="utf-8")
MODELINE, BODY = EXAMPLE.split("\n", 1)

# Where a spec lives, and the first line it starts with there (None: no modeline, the workspace setting).
LOCATIONS = {
    "root-modeline": ("relay.prod.yaml", MODELINE),
    "subfolder-export-modeline": ("stacks/relay.staging.yaml", "export"),
    "subfolder-workspace-setting": ("stacks/relay.dev.yaml", None),
}

# Invalid copies of the example: (old text, new text), each a schema problem an editor can see.
INVALID = {
    "tenant-id-not-guid": ("id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a", "id: contoso"),
    "sender-ip-wider-than-24": ("203.0.113.0/28", "203.0.113.0/23"),
    "dmarc-policy-unknown": ("policy: reject", "policy: rejected"),
    "connector-key-misspelt": ("    senderIPs:", "    requireTLS: true\n    senderIPs:"),
    "credential-on-mailbox-sender": ("    kind: mailbox\n", "    kind: mailbox\n    credential: {type: secret}\n"),
    "create-on-application-sender": ("    description: ERP invoices and purchase orders\n",
                                     "    description: ERP invoices and purchase orders\n"
                                     "    create: {license: EXCHANGESTANDARD, usageLocation: US}\n"),
    "usage-location-lower-case": ("    kind: mailbox\n",
                                  "    kind: mailbox\n    create: {license: EXCHANGESTANDARD, usageLocation: us}\n"),
    "waiver-expiry-not-a-date": ("expires: 2027-03-31", "expires: 31/03/2027"),
    "pct-out-of-range": ("pct: 50", "pct: 150"),
}


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("workspace")
    (root / "schemas").mkdir()
    shutil.copy(REPO / "schemas" / "relay.v1.schema.json", root / "schemas")
    shutil.copytree(REPO / ".vscode", root / ".vscode")
    for folder in (root, root / "stacks"):
        shutil.copytree(REPO / "certs", folder / "certs")
    return root


@pytest.fixture(scope="module")
def server(workspace: Path) -> Iterator[LanguageServer]:
    package = require("yaml-language-server")
    settings = json.loads((workspace / ".vscode" / "settings.json").read_text())
    yaml_settings = {"validate": True, "completion": True, "hover": True, "schemas": settings["yaml.schemas"]}
    server = LanguageServer(["node", str(package / "bin" / "yaml-language-server"), "--stdio"], workspace,
                            {"yaml": yaml_settings})
    yield server
    server.close()


def write_spec(workspace: Path, location: str, body: str) -> Path:
    relative, first = LOCATIONS[location]
    path = workspace / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    head = {None: "", "export": modeline(path) + "\n"}.get(first, f"{first}\n")
    path.write_text(head + body, encoding="utf-8")
    return path


class Editor:
    """Open documents in the server, one version after another."""

    def __init__(self, server: LanguageServer) -> None:
        self.server = server
        self.versions: dict[str, int] = {}

    def open(self, path: Path) -> list[dict[str, Any]]:
        uri = path.as_uri()
        text = path.read_text(encoding="utf-8")
        if uri in self.versions:
            self.versions[uri] += 1
            self.server.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": self.versions[uri]},
                                                          "contentChanges": [{"text": text}]})
        else:
            self.versions[uri] = 1
            self.server.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "yaml",
                                                                         "version": 1, "text": text}})
        return self.server.diagnostics(uri)


@pytest.fixture(scope="module")
def editor(server: LanguageServer) -> Editor:
    return Editor(server)


def validate_problems(path: Path) -> list[tuple[int, int, str]]:
    with pytest.raises(SpecError) as caught:
        load_spec(path)
    return [(p.line, p.column, p.message) for p in caught.value.problems]


def positions(diagnostics: list[dict[str, Any]]) -> set[tuple[int, int]]:
    return {(d["range"]["start"]["line"] + 1, d["range"]["start"]["character"] + 1) for d in diagnostics}


@pytest.mark.parametrize("location", LOCATIONS)
def test_the_valid_example_has_no_diagnostics(workspace: Path, editor: Editor, location: str) -> None:
    spec = write_spec(workspace, location, BODY)
    load_spec(spec)
    assert editor.open(spec) == []


@pytest.mark.parametrize("mutation", INVALID)
@pytest.mark.parametrize("location", LOCATIONS)
def test_invalid_copies_get_the_positions_relayctl_validate_reports(workspace: Path, editor: Editor,
                                                                    location: str, mutation: str) -> None:
    old, new = INVALID[mutation]
    assert old in BODY
    spec = write_spec(workspace, location, BODY.replace(old, new, 1))
    expected = validate_problems(spec)
    diagnostics = editor.open(spec)
    assert positions(diagnostics) == {(line, column) for line, column, _ in expected}, diagnostics


def test_pattern_errors_say_what_relayctl_validate_says(workspace: Path, editor: Editor) -> None:
    spec = write_spec(workspace, "subfolder-export-modeline", BODY.replace(*INVALID["tenant-id-not-guid"]))
    [(_, _, said)] = validate_problems(spec)
    [diagnostic] = editor.open(spec)
    wanted = load_schema()["properties"]["tenant"]["properties"]["id"]["patternErrorMessage"]
    assert diagnostic["message"] == wanted and said == f"'contoso' {wanted}"


SENDERS = """\
serviceAccounts:
  app:
    kind: application
    mailbox: app@contoso.com
    {cursor}
  box:
    kind: mailbox
    mailbox: box@contoso.com
    {cursor}
"""


@pytest.mark.parametrize("location", LOCATIONS)
def test_completion_offers_the_keys_of_the_senders_kind(workspace: Path, server: LanguageServer,
                                                       editor: Editor, location: str) -> None:
    head = BODY.split("serviceAccounts:", 1)[0]
    spec = write_spec(workspace, location, head + SENDERS.replace("{cursor}", ""))
    editor.open(spec)
    lines = spec.read_text(encoding="utf-8").splitlines()
    cursors = [i for i, line in enumerate(lines) if line == "    "]
    assert len(cursors) == 2
    offered = [completion_labels(server, spec, line) for line in cursors]
    assert "credential" in offered[0] and "create" not in offered[0]
    assert "create" in offered[1] and "credential" not in offered[1]
    assert {"description"} <= offered[0] & offered[1]


def completion_labels(server: LanguageServer, spec: Path, line: int) -> set[str]:
    result = server.request("textDocument/completion", {"textDocument": {"uri": spec.as_uri()},
                                                        "position": {"line": line, "character": 4}})
    items = result["items"] if isinstance(result, dict) else result
    return {item["label"] for item in items}
