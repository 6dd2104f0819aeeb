"""What ``switch-enforce-evidence`` tells a reviewer: who would break, how often, when, from where, and how sure
the evidence is (o365relay/rules/rollout.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

from rule_fixtures import build, clean_doc

from o365relay.rules import LintOptions, lint

COPIER = {"address": "copier@contoso.com", "count": 3, "first": "2026-11-26T08:00:00Z",
          "last": "2026-11-26T17:30:00Z", "ips": ["203.0.113.9", "198.51.100.4"]}
LAPTOP = {"address": "laptop@contoso.com", "count": 1, "first": "2026-11-26T09:00:00Z", "last": "2026-11-26T09:00:00Z"}
WINDOW = "evidence 2026-11-26 00:00 to 2026-11-27 00:00 UTC"


def messages(sign_in_log: str, basic: list[dict[str, Any]], senders: list[dict[str, Any]]) -> list[str]:
    doc = clean_doc()
    doc["tenant"]["smtpAuth"] = {"stage": "enforce", "evidenceDays": 1}
    doc["tenant"]["evidence"] = {"tenant": doc["tenant"]["id"], "start": "2026-11-26T00:00:00Z",
                                 "end": "2026-11-27T00:00:00Z", "signInLog": sign_in_log,
                                 "basicSignIns": basic, "senders": senders}
    return [f.message for f in lint(build(doc), LintOptions(today=date(2026, 11, 27)))
            if f.rule == "switch-enforce-evidence"]


def test_basic_sign_ins_by_an_undeclared_account_are_counted_as_sign_ins() -> None:
    assert messages("read", [COPIER], []) == [
        "enforce refused (SMTP AUTH off) would break copier@contoso.com: 3 Basic sign-ins 2026-11-26 08:00 to "
        "2026-11-26 17:30 from 203.0.113.9, 198.51.100.4 (Basic SMTP AUTH by an account the spec does not declare: "
        f"it fails once SMTP AUTH is off); {WINDOW}"]


def test_without_a_sign_in_log_senders_count_as_messages_and_the_doubt_is_said() -> None:
    doubt = ("(no sign-in log (Entra ID P1/P2) to tell whether it uses SMTP AUTH: counted as if it did); "
             f"{WINDOW}; no sign-in log (Entra ID P1/P2), message trace only")
    assert messages("unlicensed", [], [COPIER, LAPTOP]) == [
        "enforce refused (SMTP AUTH off) would break copier@contoso.com: 3 messages 2026-11-26 08:00 to "
        f"2026-11-26 17:30 from 203.0.113.9, 198.51.100.4 {doubt}",
        f"enforce refused (SMTP AUTH off) would break laptop@contoso.com: 1 message 2026-11-26 09:00 to "
        f"2026-11-26 09:00 {doubt}"]
