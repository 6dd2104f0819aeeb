"""Loading from files: bad bytes on disk, size and time limits, positions, and good YAML features."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from o365relay.errors import SpecError
from o365relay.spec import loader, yamlsource
from o365relay.spec.loader import load_spec, load_text

ROOT = Path(__file__).resolve().parents[2]
HEAD = ("version: 1\ntenant:\n  id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a\n"
        "  initialDomain: contoso.onmicrosoft.com\n")


def problems(path: Path) -> list[str]:
    with pytest.raises(SpecError) as caught:
        load_spec(path)
    return [str(p) for p in caught.value.problems]


def test_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "relay.png.yaml"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert problems(path) == [f"{path}:1:1: spec: this is a binary file (NUL byte at offset 8); "
                              "a spec is a UTF-8 YAML text file"]


def test_latin1_file_points_at_the_bad_byte(tmp_path: Path) -> None:
    path = tmp_path / "relay.latin1.yaml"
    path.write_bytes(HEAD.encode() + "# caf\xe9\n".encode("latin-1"))
    assert problems(path) == [f"{path}:5:6: spec: invalid UTF-8 (byte 0xe9); save the file as UTF-8"]


def test_a_file_with_a_byte_order_mark_points_at_the_bad_byte_itself(tmp_path: Path) -> None:
    path = tmp_path / "relay.bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + HEAD.encode() + "# café \u00e9".encode() + b"\xff\n")
    assert problems(path) == [f"{path}:5:9: spec: invalid UTF-8 (byte 0xff); save the file as UTF-8"]
    path.write_bytes(b"\xef\xbb\xbf# caf\xff\n" + HEAD.encode())
    assert problems(path) == [f"{path}:1:6: spec: invalid UTF-8 (byte 0xff); save the file as UTF-8"]


def test_a_file_starting_with_nul_is_binary(tmp_path: Path) -> None:
    path = tmp_path / "relay.yaml"
    path.write_bytes(b"\x00version: 1\n")
    with pytest.raises(yamlsource.SourceError) as caught:
        yamlsource.read_source(path)
    assert str(caught.value) == "this is a binary file (NUL byte at offset 0); a spec is a UTF-8 YAML text file"


def test_file_over_the_size_limit_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yamlsource, "MAX_FILE_BYTES", 100)
    path = tmp_path / "relay.big.yaml"
    path.write_text(HEAD + "# padding\n" * 20, encoding="utf-8")
    assert problems(path) == [f"{path}:1:1: spec: cannot read the file: it is larger than 100 bytes, the limit "
                              "for a spec"]


def test_endless_device_is_refused_without_reading_it() -> None:
    start = time.perf_counter()
    assert problems(Path("/dev/zero")) == ["/dev/zero:1:1: spec: cannot read the file: it is a character device; "
                                           "a spec must be a regular file"]
    assert time.perf_counter() - start < 1


def test_fifo_without_writer_is_refused_not_waited_on(tmp_path: Path) -> None:
    fifo = tmp_path / "relay.fifo.yaml"
    os.mkfifo(fifo)
    assert problems(fifo) == [f"{fifo}:1:1: spec: cannot read the file: it is a FIFO (named pipe); "
                              "a spec must be a regular file"]


def test_directory_is_refused(tmp_path: Path) -> None:
    assert problems(tmp_path) == [f"{tmp_path}:1:1: spec: cannot read the file: it is a directory; "
                                  "a spec must be a regular file"]


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"
    assert problems(path) == [f"{path}:1:1: spec: cannot read the file: No such file or directory"]


def test_alias_bomb_fails_fast() -> None:
    levels = "".join(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9 if i else ["lol"] * 9) + "]\n"
                     for i in range(12))  # 9**12 strings if expanded
    start = time.perf_counter()
    with pytest.raises(SpecError) as caught:
        load_text(HEAD + levels)
    # Expanded, the document is 9**12 strings and would never finish; the bound only has to tell "refused
    # before expanding" from that, so it is loose enough for a loaded two-core CI machine.
    assert time.perf_counter() - start < 10
    assert "billion laughs" in caught.value.problems[0].message


def test_moderate_aliases_and_merge_keys_are_fine() -> None:
    spec = load_text(HEAD + """domains:
  contoso.com: {}
serviceAccounts:
  erp: &app
    kind: application
    mailbox: erp@contoso.com
    credential: &oidc {type: federated, issuer: https://token.actions.githubusercontent.com, subject: s}
  crm:
    <<: *app
    mailbox: crm@contoso.com
""")
    crm = spec.service_accounts["crm"]
    assert (crm.kind, crm.mailbox, crm.credential) == ("application", "crm@contoso.com",
                                                       spec.service_accounts["erp"].credential)


def test_yes_and_no_are_booleans_where_booleans_belong() -> None:
    spec = load_text(HEAD + "  rejectDirectSend: no\n")
    assert spec.tenant.reject_direct_send is False


def where(text: str, needle: str, nth: int = 0) -> tuple[int, int]:
    """(line, column) of the nth occurrence of ``needle`` in ``text``, 1-based."""
    index = -1
    for _ in range(nth + 1):
        index = text.index(needle, index + 1)
    return text.count("\n", 0, index) + 1, index - text.rfind("\n", 0, index)


def test_positions_of_the_example() -> None:
    """Scalars point at their value, block collections at their key, list items at the item."""
    text = (ROOT / "relay.prod.yaml").read_text(encoding="utf-8")
    spec = load_spec(ROOT / "relay.prod.yaml")
    assert spec.positions[("connectors", "dc1-relay", "senderIPs", 1)] == where(text, "198.51.100.25")
    assert spec.positions[("serviceAccounts", "erp-mailer")] == where(text, "erp-mailer:")
    assert spec.positions[("serviceAccounts", "erp-mailer", "mailbox")] == where(text, "erp@contoso.com")
    assert spec.positions[("sendAs", 1)] == where(text, "{trustee", nth=1)
    assert spec.positions[("waivers", 0, "expires")] == where(text, "2027-03-31")
    # defaults have no node: the nearest ancestor that has one answers
    credential = where(text, "credential:")
    assert spec.position(("serviceAccounts", "erp-mailer", "credential", "audiences")) == credential


def test_regions_cover_the_text_a_position_points_at() -> None:
    """SARIF regions: a scalar, a key whose value is below it, a flow list, and a block item that ends
    at its last value (not at the comment or blank line before the next token)."""
    text = HEAD + ("domains:\n  contoso.com: {}\nconnectors:\n  dc1-relay:\n    senderIPs: [203.0.113.0/28]\n"
                   "waivers:\n  - rule: no-open-relay\n    target: tenant\n    reason: why not\n"
                   "    expires: 2030-01-31\n\n# trailing comment\n")
    spec = load_text(text)
    lines = text.splitlines()

    def covered(*path: str | int) -> str:
        (line, column), (end_line, end_column) = spec.region(path)
        if line == end_line:
            return lines[line - 1][column - 1:end_column - 1]
        return "\n".join([lines[line - 1][column - 1:], *lines[line:end_line - 1],
                          lines[end_line - 1][:end_column - 1]])

    assert covered("tenant", "initialDomain") == "contoso.onmicrosoft.com"
    assert covered("connectors", "dc1-relay") == "dc1-relay"
    assert covered("connectors", "dc1-relay", "senderIPs") == "[203.0.113.0/28]"
    assert covered("waivers", 0) == ("rule: no-open-relay\n    target: tenant\n    reason: why not\n"
                                     "    expires: 2030-01-31")
    assert covered("waivers", 0, "nothing-here") == covered("waivers", 0)


def test_a_loaded_spec_names_its_source() -> None:
    assert load_spec(ROOT / "relay.prod.yaml").source == str(ROOT / "relay.prod.yaml")
    assert load_text(HEAD, "relay.dev.yaml").source == "relay.dev.yaml"


def test_an_issue_without_a_node_of_its_own_points_at_its_nearest_ancestor() -> None:
    parsed = yamlsource.Source({}, positions={(): (3, 1), ("connectors",): (7, 1), ("connectors", "dc1"): (8, 3)})
    assert loader._locate(yamlsource.Issue(("connectors", "dc1", "senderIPs", 0), "m"), parsed) == (8, 3)
    assert loader._locate(yamlsource.Issue(("connectors", "dc2"), "m"), parsed) == (7, 1)
    assert loader._locate(yamlsource.Issue(("waivers", 0), "m"), parsed) == (3, 1)  # the document's start


def test_nesting_past_the_yaml_parsers_own_limit_is_one_clear_problem() -> None:
    with pytest.raises(SpecError) as caught:
        load_text("[" * 2000 + "]" * 2000, "relay.yaml")
    assert [str(p) for p in caught.value.problems] == [
        "relay.yaml:1:1001: spec: nesting is deeper than 32 levels; a spec needs at most a handful"]
