"""``tenant.evidence`` names a file beside the spec; its JSON is read into the document before validation
(o365relay/spec/evidence_file.py), and every way of naming a wrong file is one clear problem."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from o365relay.spec.document import evidence_document, to_document
from o365relay.spec.evidence_file import LIMIT, inline_evidence
from o365relay.spec.loader import load_spec, spec_from_document
from o365relay.spec.model import Evidence, SeenSender

EVIDENCE = {"tenant": "7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a", "start": "2026-11-01T00:00:00Z",
            "end": "2026-11-30T00:00:00Z", "signInLog": "read"}


def day(d: int, h: int = 0, m: int = 0) -> datetime:
    return datetime(2026, 11, d, h, m, tzinfo=UTC)


def problems(doc: dict, spec_dir: Path | None) -> list[tuple[tuple, str]]:
    return [(i.path, i.message) for i in inline_evidence(doc, spec_dir)]


def test_the_file_beside_the_spec_is_read_into_the_document(tmp_path: Path) -> None:
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "evidence.json").write_text(json.dumps(EVIDENCE), encoding="utf-8")
    doc = {"tenant": {"id": "x", "evidence": "logs/evidence.json"}}
    assert inline_evidence(doc, tmp_path) == []
    assert doc == {"tenant": {"id": "x", "evidence": EVIDENCE}}


@pytest.mark.parametrize("doc", [
    [], {"version": 1}, {"tenant": "x"}, {"tenant": {"id": "x"}}, {"tenant": {"evidence": ""}},
    {"tenant": {"evidence": EVIDENCE}},
])
def test_a_document_naming_no_file_is_left_as_it_is(doc, tmp_path: Path) -> None:
    before = json.dumps(doc)
    assert inline_evidence(doc, tmp_path) == [] and json.dumps(doc) == before


def test_a_spec_given_as_text_cannot_name_a_file() -> None:
    assert problems({"tenant": {"evidence": "evidence.json"}}, None) == [
        (("tenant", "evidence"), "an evidence file can be read only beside a spec loaded from a file")]


def test_a_file_outside_the_spec_folder_is_refused(tmp_path: Path) -> None:
    spec_dir = tmp_path / "stack"
    spec_dir.mkdir()
    (tmp_path / "evidence.json").write_text(json.dumps(EVIDENCE), encoding="utf-8")
    assert problems({"tenant": {"evidence": "../evidence.json"}}, spec_dir) == [
        (("tenant", "evidence"), f"evidence file ../evidence.json is outside the spec's folder {spec_dir.resolve()}; "
                                 "keep it beside the spec")]


@pytest.mark.parametrize(("content", "message"), [
    ("{not json", "evidence file e.json is not JSON (Expecting property name enclosed in double quotes at line 1); "
                  "write it again with relayctl smtp-auth-report --evidence"),
    ("\n\n[1, 2]", "evidence file e.json must hold a JSON object"),
])
def test_a_file_that_is_not_an_evidence_object_is_refused(content: str, message: str, tmp_path: Path) -> None:
    (tmp_path / "e.json").write_text(content, encoding="utf-8")
    assert problems({"tenant": {"evidence": "e.json"}}, tmp_path) == [(("tenant", "evidence"), message)]


def test_a_missing_or_oversized_file_is_one_problem(tmp_path: Path) -> None:
    [(path, message)] = problems({"tenant": {"evidence": "absent.json"}}, tmp_path)
    assert path == ("tenant", "evidence") and message.startswith(f"cannot read {tmp_path.resolve() / 'absent.json'}: ")
    (tmp_path / "big.json").write_bytes(b" " * (LIMIT + 1))
    [(_, message)] = problems({"tenant": {"evidence": "big.json"}}, tmp_path)
    assert message.endswith(f"it is larger than {LIMIT:,} bytes, the limit for the evidence file")



def test_the_evidence_read_from_the_file_is_in_the_model_and_in_the_canonical_document(tmp_path: Path) -> None:
    seen = {"address": "scanner3@contoso.com", "count": 4, "first": "2026-11-02T08:00:00Z",
            "last": "2026-11-29T17:30:00+00:00", "ips": ["203.0.113.7"]}
    sent = {"address": "erp@contoso.com", "count": 12, "first": "2026-11-03T00:00:00Z", "last": "2026-11-04T00:00:00Z"}
    (tmp_path / "evidence.json").write_text(json.dumps({**EVIDENCE, "basicSignIns": [seen], "senders": [sent]}),
                                            encoding="utf-8")
    (tmp_path / "relay.yaml").write_text(
        "version: 1\ntenant:\n  id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a\n  initialDomain: contoso.onmicrosoft.com\n"
        "  evidence: evidence.json\n", encoding="utf-8")
    spec = load_spec(tmp_path / "relay.yaml")
    assert spec.tenant.evidence == Evidence(
        tenant=EVIDENCE["tenant"], start=day(1), end=day(30), sign_in_log="read",
        basic_sign_ins=(SeenSender("scanner3@contoso.com", 4, day(2, 8), day(29, 17, 30), ("203.0.113.7",)),),
        senders=(SeenSender("erp@contoso.com", 12, day(3), day(4)),))
    document = to_document(spec)
    assert spec_from_document(document).tenant.evidence == spec.tenant.evidence  # the policy pack reads this


def test_evidence_without_rows_has_no_senders(tmp_path: Path) -> None:
    (tmp_path / "evidence.json").write_text(json.dumps(EVIDENCE), encoding="utf-8")
    (tmp_path / "relay.yaml").write_text(
        "version: 1\ntenant:\n  id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a\n  initialDomain: contoso.onmicrosoft.com\n"
        "  evidence: evidence.json\n", encoding="utf-8")
    assert load_spec(tmp_path / "relay.yaml").tenant.evidence == Evidence(
        tenant=EVIDENCE["tenant"], start=day(1), end=day(30), sign_in_log="read", basic_sign_ins=(), senders=())


def test_the_evidence_file_form_is_what_the_loader_reads_back(tmp_path: Path) -> None:
    sent = {"address": "erp@contoso.com", "count": 12, "first": "2026-11-03T00:00:00+00:00",
            "last": "2026-11-04T00:00:00+00:00"}
    evidence = Evidence(tenant=EVIDENCE["tenant"], start=day(1), end=day(30), sign_in_log="read",
                        senders=(SeenSender("erp@contoso.com", 12, day(3), day(4)),))
    assert evidence_document(evidence) == {**EVIDENCE, "start": "2026-11-01T00:00:00+00:00",
                                           "end": "2026-11-30T00:00:00+00:00", "senders": [sent]}
