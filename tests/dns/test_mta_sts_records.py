"""The _mta-sts record's id is derived from the policy file: senders refetch the policy only when it changes."""

from __future__ import annotations

from dataclasses import replace

from o365relay.records import mta_sts_policy, mta_sts_value, tls_rpt_value
from o365relay.spec.model import MtaSts, TlsRpt


def test_the_policy_file_is_rfc_8461_lines_with_crlf() -> None:
    policy = MtaSts(mode="enforce", mx=("*.mail.protection.outlook.com", "backup.contoso.com"), max_age=86400)
    assert mta_sts_policy(policy) == ("version: STSv1\r\nmode: enforce\r\nmx: *.mail.protection.outlook.com\r\n"
                                      "mx: backup.contoso.com\r\nmax_age: 86400\r\n")


def test_the_id_changes_exactly_when_the_policy_does() -> None:
    testing = MtaSts()
    assert mta_sts_value(testing) == mta_sts_value(MtaSts())
    ids = {mta_sts_value(p) for p in (testing, replace(testing, mode="enforce"), replace(testing, max_age=86400),
                                       replace(testing, mx=("*.contoso-com.r-v1.mx.microsoft",)))}
    assert len(ids) == 4
    assert all(v.startswith("v=STSv1; id=") and v[12:].isalnum() and len(v[12:]) <= 32 for v in ids)


def test_tls_rpt_lists_every_report_uri() -> None:
    assert tls_rpt_value(TlsRpt(rua=("mailto:tls@contoso.com", "https://reports.example/tlsrpt"))) == (
        "v=TLSRPTv1; rua=mailto:tls@contoso.com,https://reports.example/tlsrpt")


def test_the_id_of_an_unchanged_policy_is_stable_across_releases() -> None:
    """A new id makes every sending server refetch the policy: upgrading o365-relay must not cause that."""
    assert mta_sts_value(MtaSts()) == "v=STSv1; id=f946149ece0e06e09301"
