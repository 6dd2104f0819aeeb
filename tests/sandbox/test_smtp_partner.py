"""Partner inbound connectors at the sandbox's MX endpoint, from the SaaS partner's side: a ticketing
platform sends as support@contoso.com into the tenant with Debian's swaks (XCLIENT says which public IP
it sends from; STARTTLS verified against the sandbox CA; a client certificate when the connector wants one).

Once RejectDirectSend is on, its mail is refused (5.7.68) until a Partner connector scoped to the
domain matches it on source IP or certificate; a source that misses the connector's terms gets 5.7.51,
plain SMTP gets the TLS refusal, and a partner connector never relays outside the tenant (5.7.64).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from test_smtp import invoke, swaks_mx, token, traced

from o365relay.sandbox.certs import issue_client_certificate

SAAS_IP, ELSEWHERE = "192.0.2.25", "198.51.100.7"
SENDER, RECIPIENT = "support@contoso.com", "erp@contoso.com"


def tls(sandbox: Any, *more: str) -> tuple[str, ...]:
    return ("--tls", "--tls-verify", "--tls-ca-path", str(sandbox.ca_file), *more)


def presenting(sandbox: Any, name: str) -> tuple[str, ...]:
    """STARTTLS presenting a client certificate for ``name`` issued by the sandbox CA."""
    cert, key = issue_client_certificate(sandbox.state_dir, name)
    return tls(sandbox, "--tls-cert", str(cert), "--tls-key", str(key))


def partner(sandbox: Any, **parameters: Any) -> None:
    invoke(sandbox, "New-InboundConnector",
           {"Name": "Ticketing SaaS", "ConnectorType": "Partner", "SenderDomains": ["contoso.com"], **parameters})


def test_saas_sends_through_its_ip_restricted_partner_connector_and_is_refused_without_it(sandbox: Any) -> None:
    invoke(sandbox, "Set-OrganizationConfig", {"RejectDirectSend": True})
    before, _ = swaks_mx(sandbox, SAAS_IP, SENDER, RECIPIENT, *tls(sandbox))
    assert "550 5.7.68 TenantInboundAttribution; Direct Send not allowed" in before.stdout

    partner(sandbox, SenderIPAddresses=["192.0.2.0/24"], RestrictDomainsToIPAddresses=True)
    sent, mid = swaks_mx(sandbox, SAAS_IP, SENDER, RECIPIENT, *tls(sandbox))
    assert sent.returncode == 0, sent.stdout
    [row] = traced(sandbox, messageId=mid)
    assert (row["status"], row["fromIP"], row["senderAddress"]) == ("delivered", SAAS_IP, SENDER)

    plain, _ = swaks_mx(sandbox, SAAS_IP, SENDER, RECIPIENT)  # RequireTls is on by default
    assert "451 5.7.3 STARTTLS is required to send mail" in plain.stdout
    spoofed, _ = swaks_mx(sandbox, ELSEWHERE, SENDER, RECIPIENT, *tls(sandbox))
    assert "550 5.7.51 TenantInboundAttribution" in spoofed.stdout
    outside, _ = swaks_mx(sandbox, SAAS_IP, SENDER, "someone@fabrikam.example", *tls(sandbox))
    assert "550 5.7.64 TenantAttribution; Relay Access Denied" in outside.stdout

    invoke(sandbox, "Set-InboundConnector", {"Identity": "Ticketing SaaS", "Enabled": False})
    disabled, _ = swaks_mx(sandbox, SAAS_IP, SENDER, RECIPIENT, *tls(sandbox))
    assert "550 5.7.68 TenantInboundAttribution" in disabled.stdout


def test_a_wildcard_sender_domain_takes_the_domain_itself_and_its_subdomains(sandbox: Any) -> None:
    """New-InboundConnector documents ``*.contoso.com`` as contoso.com and all its subdomains."""
    invoke(sandbox, "Set-OrganizationConfig", {"RejectDirectSend": True})
    partner(sandbox, SenderDomains=["*.contoso.com"], SenderIPAddresses=[SAAS_IP], RestrictDomainsToIPAddresses=True)
    sent, mid = swaks_mx(sandbox, SAAS_IP, SENDER, RECIPIENT, *tls(sandbox))
    assert sent.returncode == 0, sent.stdout  # without the connector: 5.7.68, direct send refused
    assert [r["status"] for r in traced(sandbox, messageId=mid)] == ["delivered"]
    spoofed, _ = swaks_mx(sandbox, ELSEWHERE, SENDER, RECIPIENT, *tls(sandbox))
    assert "550 5.7.51 TenantInboundAttribution" in spoofed.stdout  # the connector scopes contoso.com


def test_certificate_restricted_partner_connector_wants_the_partners_certificate(sandbox: Any) -> None:
    invoke(sandbox, "Set-OrganizationConfig", {"RejectDirectSend": True})
    partner(sandbox, TlsSenderCertificateName="*.ticketing.example", RestrictDomainsToCertificate=True)
    sent, mid = swaks_mx(sandbox, SAAS_IP, SENDER, RECIPIENT, *presenting(sandbox, "mx1.ticketing.example"))
    assert sent.returncode == 0, sent.stdout
    assert [r["status"] for r in traced(sandbox, messageId=mid)] == ["delivered"]

    anonymous, _ = swaks_mx(sandbox, SAAS_IP, SENDER, RECIPIENT, *tls(sandbox))
    assert "550 5.7.51 TenantInboundAttribution" in anonymous.stdout
    wrong, _ = swaks_mx(sandbox, SAAS_IP, SENDER, RECIPIENT, *presenting(sandbox, "mail.crm.example"))
    assert "550 5.7.51 TenantInboundAttribution" in wrong.stdout


def test_an_unrestricted_partner_connector_attributes_nothing(sandbox: Any) -> None:
    """Without a listed IP or certificate to match, the connector lets direct send's refusal stand."""
    invoke(sandbox, "Set-OrganizationConfig", {"RejectDirectSend": True})
    partner(sandbox)
    refused, _ = swaks_mx(sandbox, SAAS_IP, SENDER, RECIPIENT, *tls(sandbox))
    assert "550 5.7.68 TenantInboundAttribution" in refused.stdout


def test_associated_accepted_domains_scope_the_connector(sandbox: Any) -> None:
    invoke(sandbox, "Set-OrganizationConfig", {"RejectDirectSend": True})
    partner(sandbox, SenderIPAddresses=[SAAS_IP], RestrictDomainsToIPAddresses=True,
            AssociatedAcceptedDomains=["notify.contoso.com"])
    scoped, _ = swaks_mx(sandbox, SAAS_IP, SENDER, "noc@notify.contoso.com", *tls(sandbox))
    assert scoped.returncode == 0, scoped.stdout
    unscoped, _ = swaks_mx(sandbox, SAAS_IP, SENDER, RECIPIENT, *tls(sandbox))
    assert "550 5.7.68 TenantInboundAttribution" in unscoped.stdout


@pytest.mark.parametrize(("parameters", "message"), [
    ({"RestrictDomainsToIPAddresses": True}, "RestrictDomainsToIPAddresses can be $true only when SenderIPAddresses"),
    ({"RestrictDomainsToCertificate": True}, "RestrictDomainsToCertificate can be $true only when TlsSender"),
    ({"AssociatedAcceptedDomains": ["fabrikam.example"]}, "isn't an accepted domain in this organization"),
])
def test_new_inbound_connector_refuses_partner_terms_that_cannot_hold(
    sandbox: Any, parameters: dict[str, Any], message: str
) -> None:
    reply = httpx.post(
        f"{sandbox.base_url}/adminapi/beta/{sandbox.tenant_id}/InvokeCommand",
        json={"CmdletInput": {"CmdletName": "New-InboundConnector", "Parameters": {
            "Name": "Bad partner", "ConnectorType": "Partner", "SenderDomains": ["contoso.com"], **parameters}}},
        headers={"Authorization": f"Bearer {token(sandbox, None)}"},
        verify=str(sandbox.ca_file),
    )
    assert reply.status_code == 400 and message in reply.text


def test_relayctl_sandbox_partner_cert_issues_what_the_mx_endpoint_trusts(sandbox: Any, capsys: Any) -> None:
    from o365relay.cli.main import main

    invoke(sandbox, "Set-OrganizationConfig", {"RejectDirectSend": True})
    partner(sandbox, TlsSenderCertificateName="mx1.ticketing.example", RestrictDomainsToCertificate=True)
    assert main(["sandbox", "partner-cert", "MX1.ticketing.example", "--state-dir", str(sandbox.state_dir)]) == 0
    printed = dict(line.split(maxsplit=1) for line in capsys.readouterr().out.splitlines()[:2])
    key = printed["key"].split()[0]
    assert oct(Path(key).stat().st_mode & 0o777) == "0o600"
    sent, _ = swaks_mx(sandbox, SAAS_IP, SENDER, RECIPIENT,
                       *tls(sandbox, "--tls-cert", printed["certificate"], "--tls-key", key))
    assert sent.returncode == 0, sent.stdout
    assert main(["sandbox", "partner-cert", "../escape", "--state-dir", str(sandbox.state_dir)]) == 2
    assert "'../escape' is not a DNS name" in capsys.readouterr().err
