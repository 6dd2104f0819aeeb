"""The explain table: every entry is reachable, pasted replies pick the right variant, the CLI prints it."""

from __future__ import annotations

import json

import pytest

from o365relay.cli.main import main
from o365relay.smtp.explain import by_key, explain, render
from o365relay.smtp.table import TABLE

# Variants that real Exchange words identically (535 5.7.3 for all three): test-send names them from
# its own diagnosis, so their example reply resolves to the generic entry.
DIAGNOSIS_ONLY = {"auth-no-role", "auth-no-service-principal", "auth-no-fullaccess"}


def test_keys_are_unique_and_every_entry_has_cause_and_fix():
    keys = [e.key for e in TABLE]
    assert len(keys) == len(set(keys))
    for entry in TABLE:
        assert entry.title and len(entry.cause) > 20 and len(entry.fix) > 20, entry.key


@pytest.mark.parametrize("entry", [e for e in TABLE if e.reply], ids=lambda e: e.key)
def test_each_example_reply_resolves_to_its_own_entry(entry):
    expected = "auth-rejected" if entry.key in DIAGNOSIS_ONLY else entry.key
    assert explain(entry.reply).explanation.key == expected


@pytest.mark.parametrize(
    ("pasted", "key"),
    [
        ("535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. "
         "Visit https://aka.ms/smtp_auth_disabled for more information. [MW4PR03CA0056.namprd03.prod.outlook.com]",
         "smtp-auth-off-tenant"),
        ("535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox.",
         "smtp-auth-off-mailbox"),
        ("5.7.139", "smtp-auth-disabled"),
        ("535 5.7.3 Authentication unsuccessful [SN4PR0601CA0002.namprd06.prod.outlook.com]", "auth-rejected"),
        ("451 5.7.3 STARTTLS is required to send mail [BN6PR1101CA0010]", "starttls-required"),
        ("554 5.2.252 SendAsDenied; scanner3@contoso.com not allowed to send as ceo@contoso.com", "send-as-denied"),
        ("550 5.7.30 Basic authentication is not supported for Client Submission.", "basic-auth-retired"),
        ("550 5.7.64 TenantAttribution; Relay Access Denied [DM6NAM12FT045.eop-nam12.prod.protection.outlook.com]",
         "relay-denied"),
        ("550 5.7.68 TenantInboundAttribution; Direct Send not allowed", "direct-send-rejected"),
        ("550 5.7.51 TenantInboundAttribution; There is a partner connector configured that matched the message's "
         "sender domain", "partner-connector-restricted"),
        ("530 5.7.57 Client not authenticated to send mail.", "not-authenticated"),
        ("5.7.620", "banned-ip"),  # inside the 5.7.606-649 range
        ("4.4.7", "network"),  # the 4.4.* class
        ("421 4.7.66 TLS 1.0 and 1.1 are not supported. Please upgrade/update your client to support TLS 1.2.",
         "tls-legacy-refused"),
        ("4.7.66", "tls-legacy-refused"),
        ("451 4.7.500 Access denied, please try again later. AS(7230) [BN8NAM12FT023]", "eop-ip-deferred"),
        ("451 4.7.650 The mail server [203.0.113.7] has been temporarily rate limited due to IP reputation.",
         "eop-ip-deferred"),
        ("550 5.7.501 Access denied, spam abuse detected. For more information please go to "
         "http://go.microsoft.com/fwlink/?LinkId=526653", "spam-abuse-blocked"),
        ("5.7.503", "spam-abuse-blocked"),
        ("550 5.7.705 Access denied, tenant has exceeded threshold.", "tenant-threshold"),
        ("550 5.4.1 Recipient address rejected: Access denied. AS(201806281) [SANDBOX01.prod.outlook.com]",
         "recipient-rejected"),
        ("535 5.7.139 Authentication unsuccessful, the user credentials were incorrect. "
         "[AM0PR02CA0123.eurprd02.prod.outlook.com]", "smtp-auth-bad-password"),
        ("535 5.7.139 Authentication unsuccessful, basic authentication is disabled.", "smtp-auth-policy"),
        ("550 5.7.233 tenant external recipient rate limit", "terrl"),
        ("550 5.5.105 External sending is not supported for High Volume Email accounts", "hve-external"),
        ("AADSTS7000215: Invalid client secret provided. Trace ID: 1234", "aad-bad-secret"),
        ("[SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1000)", "tls-version"),
        ("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed", "tls-certificate"),
        ("compauth=fail reason=601", "compauth-intra-org-implicit"),
        ("spf=softfail (sender IP is 10.5.3.2) smtp.mailfrom=contoso.com", "spf-fail"),
        ("X-MS-Exchange-Organization-SCL: 6", "spam-verdict"),
        ("auth-no-fullaccess", "auth-no-fullaccess"),  # by key, as test-send prints it
    ],
)
def test_pasted_lines_pick_the_right_variant(pasted, key):
    assert explain(pasted).explanation.key == key


def test_an_ip_address_is_not_read_as_an_enhanced_code():
    # "10.5.3.2" contains "5.3.2"; the reply's own code must win.
    assert explain("550 5.7.64 relay from 10.5.3.2 denied").code == "5.7.64"


def test_bare_code_lists_its_other_meanings():
    diagnosis = explain("5.7.3")
    assert diagnosis.explanation.key == "auth-rejected"
    assert {e.key for e in diagnosis.alternatives} == DIAGNOSIS_ONLY | {"starttls-required"}


def test_unknown_code_has_no_explanation_and_says_what_is_covered():
    diagnosis = explain("5.9.999 something odd")
    assert diagnosis.explanation is None
    assert "5.7.139" in render(diagnosis)


def test_render_formats():
    diagnosis = explain("5.7.30")
    assert "Fix." in render(diagnosis, "markdown")
    data = json.loads(render(diagnosis, "json"))
    assert data["explanation"]["key"] == "basic-auth-retired"
    assert "kind: application" in render(diagnosis, "text")


def test_cli_explains_a_pasted_line(capsys):
    code = main(["explain", "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is "
                 "disabled for the Tenant."])
    out = capsys.readouterr().out
    assert code == 0
    assert "SMTP AUTH is disabled for the tenant" in out and "serviceAccounts.<name>" in out


def test_cli_unknown_code_exits_1_and_empty_input_exits_2(capsys):
    assert main(["explain", "9.9.9"]) == 1
    assert main(["explain", "  "]) == 2
    assert "nothing to explain" in capsys.readouterr().err


def test_by_key():
    assert by_key("send-as-denied").code == "5.2.252"


def test_4_7_66_is_a_tls_refusal_not_a_rate_limit():
    entry = explain("421 4.7.66 TLS 1.0 and 1.1 are not supported.").explanation
    assert not entry.transient and "TLS 1.2" in entry.fix and "smtp-legacy.office365.com" in entry.fix
    assert "rate" not in entry.title.lower()


def test_bare_5_7_139_does_not_claim_credentials_were_never_checked():
    diagnosis = explain("5.7.139")
    assert "before the credentials" not in diagnosis.explanation.title
    assert "smtp-auth-bad-password" in {e.key for e in diagnosis.alternatives}
