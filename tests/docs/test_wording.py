"""Counts are worded in one place (o365relay/reports/wording.py): no module builds a plural by hand."""

from __future__ import annotations

import re
from pathlib import Path

from o365relay.reports.wording import plural

ROOT = Path(__file__).resolve().parents[2]
# "finding{'s' if n != 1 else ''}", "noun = 'file' if n == 1 else 'files'", "permission(s)"
HAND_MADE = re.compile(r"""['"]s['"] if |['"](\w+)['"] if [^\n]*== 1 else ['"]\1s['"]"""
                       r"""|[a-z]{2}\(s\)(?! for\b)(?=[ "':])""")


def test_no_hand_made_plurals_in_the_product() -> None:
    # the sandbox is left out: it words its replies as Microsoft does ("Dependent request(s) … failed.")
    sources = [p for d in ("o365relay", "components", "policies") for p in (ROOT / d).rglob("*.py")
               if "sandbox" not in p.parts]
    found = [f"{p.relative_to(ROOT)}:{n}: {line.strip()}" for p in sources
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
             if HAND_MADE.search(line) and p.name != "wording.py"]
    assert not found, "build these plurals with o365relay.reports.wording.plural:\n" + "\n".join(found)


def test_the_guard_recognises_each_hand_made_form() -> None:
    for line in ("f\"{n} finding{'s' if n != 1 else ''}\"", 'noun = "file" if files == 1 else "files"',
                 'f"{len(roles)} application permission(s)"'):
        assert HAND_MADE.search(line), line


def test_plural_reads_like_english() -> None:
    assert [plural(0, "finding"), plural(1, "finding"), plural(10_000, "recipient")] == [
        "0 findings", "1 finding", "10,000 recipients"]
    assert plural(2, "address", "addresses") == "2 addresses" and plural(3, "entry") == "3 entries"


def test_the_dns_summary_counts_findings_in_words() -> None:
    from o365relay.dnscheck.model import Check, DnsReport
    from o365relay.reports.dns import render_text

    one = DnsReport((Check("contoso.com", "spf", "finding", "no SPF record"),))
    assert render_text(one).rstrip().splitlines()[-1] == "1 finding, 0 unknown, 0 skipped, 0 ok"
    two = DnsReport(one.checks * 2)
    assert render_text(two).rstrip().splitlines()[-1] == "2 findings, 0 unknown, 0 skipped, 0 ok"
