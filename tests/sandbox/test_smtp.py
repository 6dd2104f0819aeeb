"""The sandbox's SMTP endpoints driven by real clients: Python's smtplib and Debian's swaks (STARTTLS
verified against the sandbox CA), with every send checked in message trace through Graph.

swaks 20201014 (Debian 12) has no XOAUTH2, so XOAUTH2 is driven with smtplib; swaks covers AUTH LOGIN
and the MX endpoint (``--xclient-addr``). The tenant comes from a seed extending the default one with
three OAuth sender apps, SMTP AUTH switches and an OnPremises relay connector for 203.0.113.0/28.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import smtplib
import ssl
import subprocess
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from swaks_client import basic_login, swaks

from o365relay.sandbox import store as st
from o365relay.sandbox import trace
from o365relay.sandbox.seed import DEFAULT_SEED
from o365relay.sandbox.tokens import EXCHANGE_RESOURCE, GRAPH_RESOURCE

SEED = """
extends: {default}
users:
  erp@contoso.com: {{smtpAuth: enabled}}
  scanner3@contoso.com: {{smtpAuth: enabled}}
  purchasing@contoso.com: {{smtpAuth: disabled}}
applications:
  erp-mailer: {{secret: generate, roles: [SMTP.SendAsApp], exchangeServicePrincipal: true}}
  unregistered-mailer: {{secret: generate, roles: [SMTP.SendAsApp]}}
  roleless-mailer: {{secret: generate, exchangeServicePrincipal: true}}
exchange:
  inboundConnectors:
    Floor printers:
      ConnectorType: OnPremises
      SenderIPAddresses: [203.0.113.0/28]
      SenderDomains: ["*"]
      RequireTls: false
  mailboxPermissions:
    - {{mailbox: erp@contoso.com, user: erp-mailer}}
    - {{mailbox: purchasing@contoso.com, user: erp-mailer}}
    - {{mailbox: alerts@notify.contoso.com, user: erp-mailer}}
    - {{mailbox: erp@contoso.com, user: roleless-mailer}}
  recipientPermissions:
    - {{mailbox: invoices@contoso.com, trustee: erp-mailer}}
"""


@pytest.fixture
def tenant(sandbox_factory: Any, tmp_path: Path) -> Any:
    seed = tmp_path / "smtp-seed.yaml"
    seed.write_text(SEED.format(default=DEFAULT_SEED))
    return sandbox_factory(seed=seed)


def tls_context(sandbox: Any) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(sandbox.ca_file))


def token(sandbox: Any, app_name: str | None, resource: str = EXCHANGE_RESOURCE) -> str:
    """A token from the sandbox token endpoint (client credentials with the app's seeded secret)."""
    app_id = sandbox.deployer_client_id
    if app_name:
        app_id = sandbox.store.find(st.APPLICATION, displayName=app_name)["appId"]
    form = {
        "grant_type": "client_credentials",
        "client_id": app_id,
        "client_secret": sandbox.secret_for(app_id),
        "scope": f"{resource}/.default",
    }
    reply = httpx.post(
        f"{sandbox.base_url}/{sandbox.tenant_id}/oauth2/v2.0/token", data=form, verify=str(sandbox.ca_file)
    )
    assert reply.status_code == 200, reply.text
    return str(reply.json()["access_token"])


def xoauth2(user: str, access_token: str) -> str:
    return base64.b64encode(f"user={user}\x01auth=Bearer {access_token}\x01\x01".encode()).decode()


def submission(sandbox: Any) -> smtplib.SMTP:
    client = smtplib.SMTP(sandbox.smtp_host, sandbox.smtp_port, timeout=30)
    client.starttls(context=tls_context(sandbox))
    client.ehlo()
    return client


def message(sender: str, to: str, subject: str) -> tuple[str, bytes]:
    mid = f"<{uuid.uuid4().hex}@test.contoso.com>"
    return (
        mid,
        f"From: {sender}\r\nTo: {to}\r\nSubject: {subject}\r\nMessage-ID: {mid}\r\n\r\nbody\r\n".encode(),
    )


def traced(sandbox: Any, **equals: str) -> list[dict[str, Any]]:
    """Message-trace rows through Graph, filtered with ``field eq 'value'`` terms."""
    flt = " and ".join(f"{k} eq '{v}'" for k, v in equals.items())
    reply = httpx.get(
        f"{sandbox.base_url}/v1.0/admin/exchange/tracing/messageTraces",
        params={"$filter": flt},
        headers={"Authorization": f"Bearer {token(sandbox, None, GRAPH_RESOURCE)}"},
        verify=str(sandbox.ca_file),
    )
    assert reply.status_code == 200, reply.text
    return list(reply.json()["value"])


def invoke(sandbox: Any, cmdlet: str, parameters: dict[str, Any]) -> None:
    """Run an Exchange cmdlet through the sandbox's admin endpoint as the deployer."""
    reply = httpx.post(
        f"{sandbox.base_url}/adminapi/beta/{sandbox.tenant_id}/InvokeCommand",
        json={"CmdletInput": {"CmdletName": cmdlet, "Parameters": parameters}},
        headers={"Authorization": f"Bearer {token(sandbox, None)}"},
        verify=str(sandbox.ca_file),
    )
    assert reply.status_code == 200, reply.text


# -- client submission: XOAUTH2 (smtplib) -----------------------------------------------------------


def test_xoauth2_sends_and_send_as_is_enforced(tenant: Any) -> None:
    with submission(tenant) as client:
        code, text = client.docmd("AUTH", "XOAUTH2 " + xoauth2("erp@contoso.com", token(tenant, "erp-mailer")))
        assert (code, text) == (235, b"2.7.0 Authentication successful")
        mid, body = message("erp@contoso.com", "noc@notify.contoso.com", "Invoice run")
        assert client.sendmail("erp@contoso.com", ["noc@notify.contoso.com", "ap@fabrikam.example"], body) == {}

        granted_mid, granted = message("invoices@contoso.com", "noc@notify.contoso.com", "As invoices")
        client.sendmail("invoices@contoso.com", ["noc@notify.contoso.com"], granted)

        denied_mid, denied = message("purchasing@contoso.com", "noc@notify.contoso.com", "As purchasing")
        with pytest.raises(smtplib.SMTPDataError) as caught:
            client.sendmail("purchasing@contoso.com", ["noc@notify.contoso.com"], denied)
        assert caught.value.smtp_code == 554
        assert caught.value.smtp_error.startswith(
            b"5.2.252 SendAsDenied; erp@contoso.com not allowed to send as purchasing@contoso.com"
        )

    rows = traced(tenant, messageId=mid)
    assert sorted((r["recipientAddress"], r["status"]) for r in rows) == [
        ("ap@fabrikam.example", "delivered"),
        ("noc@notify.contoso.com", "delivered"),
    ]
    assert {r["senderAddress"] for r in rows} == {"erp@contoso.com"} and rows[0]["fromIP"] == "127.0.0.1"
    assert [r["status"] for r in traced(tenant, messageId=granted_mid)] == ["delivered"]
    assert [r["status"] for r in traced(tenant, messageId=denied_mid)] == ["failed"]


@pytest.mark.parametrize(
    ("app", "mailbox", "reply"),
    [
        ("roleless-mailer", "erp@contoso.com", b"5.7.3 Authentication unsuccessful"),  # no SMTP.SendAsApp
        (
            "unregistered-mailer",
            "erp@contoso.com",
            b"5.7.3 Authentication unsuccessful",
        ),  # no New-ServicePrincipal
        ("erp-mailer", "invoices@contoso.com", b"5.7.3 Authentication unsuccessful"),  # no FullAccess
        (
            "erp-mailer",
            "purchasing@contoso.com",
            b"5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox.",
        ),
        (
            "erp-mailer",
            "alerts@notify.contoso.com",
            b"5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.",
        ),
    ],
)
def test_xoauth2_refusals(tenant: Any, app: str, mailbox: str, reply: bytes) -> None:
    with submission(tenant) as client:
        code, text = client.docmd("AUTH", "XOAUTH2 " + xoauth2(mailbox, token(tenant, app)))
        assert code == 535 and text.startswith(reply)
        code, text = client.docmd("MAIL", f"FROM:<{mailbox}>")
        assert (code, text) == (
            530,
            b"5.7.57 Client not authenticated to send mail. [SANDBOX01.prod.outlook.com]",
        )


def test_xoauth2_refuses_a_graph_token_and_auth_before_starttls(tenant: Any) -> None:
    with submission(tenant) as client:
        graph_token = token(tenant, "erp-mailer", GRAPH_RESOURCE)
        code, text = client.docmd("AUTH", "XOAUTH2 " + xoauth2("erp@contoso.com", graph_token))
        assert code == 535 and text.startswith(b"5.7.3 Authentication unsuccessful")
    with smtplib.SMTP(tenant.smtp_host, tenant.smtp_port, timeout=30) as plain:
        plain.ehlo()
        assert not plain.has_extn("auth")  # AUTH is advertised only after STARTTLS
        code, _ = plain.docmd("AUTH", "XOAUTH2 " + xoauth2("erp@contoso.com", token(tenant, "erp-mailer")))
        assert code == 504


def test_submission_requires_tls_12_or_later(tenant: Any) -> None:
    old = ssl.create_default_context(cafile=str(tenant.ca_file))
    old.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
    old.maximum_version = ssl.TLSVersion.TLSv1_1
    old.set_ciphers("DEFAULT:@SECLEVEL=0")
    with smtplib.SMTP(tenant.smtp_host, tenant.smtp_port, timeout=30) as client, pytest.raises(ssl.SSLError):
        client.starttls(context=old)
    with submission(tenant) as client:
        assert client.sock.version() in ("TLSv1.2", "TLSv1.3")


def test_thirty_messages_a_minute_then_submission_quota_exceeded_even_after_a_restart(
    tenant: Any, sandbox_factory: Any
) -> None:
    with submission(tenant) as client:
        client.docmd("AUTH", "XOAUTH2 " + xoauth2("erp@contoso.com", token(tenant, "erp-mailer")))
        for n in range(30):
            client.sendmail("erp@contoso.com", ["noc@notify.contoso.com"], message("erp@contoso.com", "x", f"{n}")[1])
    tenant.stop()
    restarted = sandbox_factory(state_dir=tenant.state_dir)  # the quota is counted from the stored trace
    with submission(restarted) as client:
        client.docmd("AUTH", "XOAUTH2 " + xoauth2("erp@contoso.com", token(restarted, "erp-mailer")))
        mid, body = message("erp@contoso.com", "noc@notify.contoso.com", "31st")
        with pytest.raises(smtplib.SMTPDataError) as caught:
            client.sendmail("erp@contoso.com", ["noc@notify.contoso.com"], body)
        assert caught.value.smtp_code == 554
        assert b"SubmissionQuotaExceededException" in caught.value.smtp_error
    assert [r["status"] for r in traced(restarted, messageId=mid)] == ["failed"]
    assert len(traced(restarted, senderAddress="erp@contoso.com", status="delivered")) == 30


def test_ten_thousand_recipients_a_day(tenant: Any) -> None:
    earlier = dt.datetime.now(dt.UTC) - dt.timedelta(hours=3)
    trace.record(
        tenant.store,
        sender="erp@contoso.com",
        message_id="<bulk@contoso.com>",
        subject="bulk",
        size=10,
        from_ip="127.0.0.1",
        to_ip="",
        endpoint="submission",
        submitter="erp@contoso.com",
        received=earlier,
        outcomes=[trace.Outcome(f"r{n}@fabrikam.example", trace.DELIVERED, "ok") for n in range(9_999)],
    )
    with submission(tenant) as client:
        client.docmd("AUTH", "XOAUTH2 " + xoauth2("erp@contoso.com", token(tenant, "erp-mailer")))
        with pytest.raises(smtplib.SMTPDataError) as caught:
            client.sendmail(
                "erp@contoso.com",
                ["a@fabrikam.example", "b@fabrikam.example"],
                message("erp@contoso.com", "a", "two")[1],
            )
        assert caught.value.smtp_code == 550 and caught.value.smtp_error.startswith(b"5.1.90 ")
        assert (
            client.sendmail("erp@contoso.com", ["a@fabrikam.example"], message("erp@contoso.com", "a", "one")[1]) == {}
        )


# -- client submission: AUTH LOGIN (swaks) ----------------------------------------------------------


def test_auth_login_with_swaks(tenant: Any) -> None:
    password = tenant.secret_for("scanner3@contoso.com")

    def login(sender: str, *args: str, secret: str = password) -> subprocess.CompletedProcess[str]:
        return basic_login(tenant, "scanner3@contoso.com", secret, "--to", "erp@contoso.com", "--from", sender, *args)

    mid = f"<{uuid.uuid4().hex}@scanner3.contoso.com>"
    sent = login("scanner3@contoso.com", "--header", f"Message-Id: {mid}")
    assert sent.returncode == 0, sent.stdout
    assert "<~  235 2.7.0 Authentication successful" in sent.stdout
    assert [(r["senderAddress"], r["status"]) for r in traced(tenant, messageId=mid)] == [
        ("scanner3@contoso.com", "delivered")
    ]

    spoof_mid = f"<{uuid.uuid4().hex}@scanner3.contoso.com>"
    spoof = login("invoices@contoso.com", "--header", f"Message-Id: {spoof_mid}")
    assert spoof.returncode != 0
    assert (
        "<~* 554 5.2.252 SendAsDenied; scanner3@contoso.com not allowed to send as invoices@contoso.com" in spoof.stdout
    )
    assert [r["status"] for r in traced(tenant, messageId=spoof_mid)] == ["failed"]

    wrong = login("scanner3@contoso.com", secret="wrong-password")
    assert "<~* 535 5.7.3 Authentication unsuccessful" in wrong.stdout

    invoke(
        tenant,
        "Set-CASMailbox",
        {"Identity": "scanner3@contoso.com", "SmtpClientAuthenticationDisabled": True},
    )
    switched_off = login("scanner3@contoso.com")
    assert (
        "<~* 535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox"
        in switched_off.stdout
    )

    invoke(
        tenant,
        "Set-CASMailbox",
        {"Identity": "scanner3@contoso.com", "SmtpClientAuthenticationDisabled": False},
    )
    org = tenant.store.organization()
    tenant.store.update(st.ORGANIZATION, org["id"], {"allowBasicAuthSmtp": False})  # no cmdlet for it yet
    retired = login("scanner3@contoso.com")
    assert "<~* 550 5.7.30 Basic authentication is not supported for Client Submission." in retired.stdout


def test_a_password_that_starts_with_a_dash_signs_in(tenant: Any) -> None:
    """One generated password in 64 starts with "-", which swaks's option parser takes for an option."""
    password = "-x" + tenant.secret_for("scanner3@contoso.com")
    user = tenant.store.find(st.USER, userPrincipalName="scanner3@contoso.com")
    tenant.store.update(st.USER, user["id"], {"xPasswordHash": st.hash_secret(password)})
    sent = basic_login(tenant, "scanner3@contoso.com", password, "--from", "scanner3@contoso.com",
                       "--to", "erp@contoso.com")
    assert "<~  235 2.7.0 Authentication successful" in sent.stdout, sent.stderr
    assert password not in sent.stdout + sent.stderr


# -- the MX endpoint: connector relay and direct send (swaks --xclient-addr) -------------------------


def swaks_mx(sandbox: Any, ip: str, sender: str, to: str, *args: str) -> tuple[subprocess.CompletedProcess[str], str]:
    mid = f"<{uuid.uuid4().hex}@device.contoso.com>"
    run = swaks(
        "--server",
        sandbox.smtp_host,
        "--port",
        str(sandbox.mx_port),
        "--xclient-addr",
        ip,
        "--from",
        sender,
        "--to",
        to,
        "--header",
        f"Message-Id: {mid}",
        *args,
    )
    return run, mid


def test_connector_relay_reaches_the_internet(tenant: Any) -> None:
    run, mid = swaks_mx(tenant, "203.0.113.9", "printer@contoso.com", "partner@fabrikam.example")
    assert run.returncode == 0, run.stdout
    assert "-> XCLIENT ADDR=203.0.113.9" in run.stdout and "<-  250 2.0.0 OK" in run.stdout
    [row] = traced(tenant, messageId=mid)
    assert (row["status"], row["fromIP"], row["recipientAddress"]) == (
        "delivered",
        "203.0.113.9",
        "partner@fabrikam.example",
    )

    tls, tls_mid = swaks_mx(
        tenant,
        "203.0.113.10",
        "printer@contoso.com",
        "erp@contoso.com",
        "--tls",
        "--tls-verify",
        "--tls-ca-path",
        str(tenant.ca_file),
    )
    assert tls.returncode == 0 and "TLS started" in tls.stdout
    assert [r["status"] for r in traced(tenant, messageId=tls_mid)] == ["delivered"]


def test_direct_send_only_reaches_the_tenant(tenant: Any) -> None:
    inside, mid = swaks_mx(tenant, "198.51.100.7", "printer@contoso.com", "erp@contoso.com")
    assert inside.returncode == 0, inside.stdout
    assert [(r["status"], r["fromIP"]) for r in traced(tenant, messageId=mid)] == [("delivered", "198.51.100.7")]

    outside, _ = swaks_mx(tenant, "198.51.100.7", "printer@contoso.com", "partner@fabrikam.example")
    assert "<** 550 5.7.64 TenantAttribution; Relay Access Denied" in outside.stdout
    [row] = traced(tenant, recipientAddress="partner@fabrikam.example")
    assert (row["status"], row["fromIP"], row["senderAddress"]) == (
        "failed",
        "198.51.100.7",
        "printer@contoso.com",
    )

    ghost, _ = swaks_mx(tenant, "198.51.100.7", "printer@contoso.com", "ghost@contoso.com")
    assert "<** 550 5.4.1 Recipient address rejected: Access denied." in ghost.stdout


def test_reject_direct_send_spares_connector_traffic(tenant: Any) -> None:
    invoke(tenant, "Set-OrganizationConfig", {"RejectDirectSend": True})
    blocked, _ = swaks_mx(tenant, "198.51.100.7", "printer@contoso.com", "erp@contoso.com")
    assert (
        "<** 550 5.7.68 TenantInboundAttribution; Direct Send not allowed for this organization from "
        "unauthorized sources" in blocked.stdout
    )
    [row] = traced(tenant, senderAddress="printer@contoso.com", status="failed")
    assert row["fromIP"] == "198.51.100.7"

    external_sender, mid = swaks_mx(tenant, "198.51.100.7", "news@fabrikam.example", "erp@contoso.com")
    assert external_sender.returncode == 0  # only our own domains are refused
    relayed, relayed_mid = swaks_mx(tenant, "203.0.113.2", "printer@contoso.com", "erp@contoso.com")
    assert relayed.returncode == 0
    assert [r["status"] for r in traced(tenant, messageId=relayed_mid)] == ["delivered"]


def test_xclient_rejects_a_bad_address(tenant: Any) -> None:
    with smtplib.SMTP(tenant.smtp_host, tenant.mx_port, timeout=30) as client:
        client.ehlo()
        assert client.has_extn("xclient")
        assert client.docmd("XCLIENT", "ADDR=2001:db8::1")[0] == 501
        assert client.docmd("XCLIENT", "ADDR=203.0.113.4")[0] == 220
    with smtplib.SMTP(tenant.smtp_host, tenant.smtp_port, timeout=30) as submission_client:
        assert submission_client.docmd("XCLIENT", "ADDR=203.0.113.4")[0] == 500  # submission has no XCLIENT


def test_connector_requiring_tls_refuses_plain_smtp(tenant: Any) -> None:
    invoke(tenant, "Set-InboundConnector", {"Identity": "Floor printers", "RequireTls": True})
    plain, _ = swaks_mx(tenant, "203.0.113.3", "printer@contoso.com", "partner@fabrikam.example")
    assert "<** 451 5.7.3 STARTTLS is required to send mail" in plain.stdout
    tls, mid = swaks_mx(
        tenant,
        "203.0.113.3",
        "printer@contoso.com",
        "partner@fabrikam.example",
        "--tls",
        "--tls-verify",
        "--tls-ca-path",
        str(tenant.ca_file),
    )
    assert tls.returncode == 0, tls.stdout
    assert [r["status"] for r in traced(tenant, messageId=mid)] == ["delivered"]


# -- the product's own provisioning path, end to end ------------------------------------------------


def test_sender_provisioned_through_graph_and_exchange_sends_with_xoauth2(sandbox: Any, graph_session: Any) -> None:
    """Entra app + secret + SP + SMTP.SendAsApp via Graph, then New-ServicePrincipal, FullAccess and
    SendAs via Exchange, SMTP AUTH on for the mailbox: exactly what the relay spec's OAuth sender needs."""
    from msgraph.generated.applications.item.add_password.add_password_post_request_body import (
        AddPasswordPostRequestBody,
    )
    from msgraph.generated.models.app_role_assignment import AppRoleAssignment
    from msgraph.generated.models.application import Application
    from msgraph.generated.models.password_credential import PasswordCredential
    from msgraph.generated.models.service_principal import ServicePrincipal

    from o365relay.sandbox.catalog import EXCHANGE_APP_ROLES
    from o365relay.sandbox.tokens import EXCHANGE_APP_ID

    async def provision() -> tuple[str, str, str]:
        async with graph_session() as client:
            app = await client.applications.post(Application(display_name="relay-erp-sender"))
            secret = await client.applications.by_application_id(app.id).add_password.post(
                AddPasswordPostRequestBody(password_credential=PasswordCredential(display_name="relay"))
            )
            sp = await client.service_principals.post(ServicePrincipal(app_id=app.app_id))
            exchange = await client.service_principals_with_app_id(EXCHANGE_APP_ID).get()
            await client.service_principals.by_service_principal_id(exchange.id).app_role_assigned_to.post(
                AppRoleAssignment(
                    principal_id=uuid.UUID(sp.id),
                    resource_id=uuid.UUID(exchange.id),
                    app_role_id=uuid.UUID(EXCHANGE_APP_ROLES["SMTP.SendAsApp"]),
                )
            )
            return str(app.app_id), str(sp.id), str(secret.secret_text)

    app_id, sp_id, secret = asyncio.run(provision())
    invoke(sandbox, "New-ServicePrincipal", {"AppId": app_id, "ObjectId": sp_id})
    invoke(
        sandbox,
        "Add-MailboxPermission",
        {"Identity": "erp@contoso.com", "User": sp_id, "AccessRights": ["FullAccess"]},
    )
    invoke(
        sandbox,
        "Add-RecipientPermission",
        {"Identity": "invoices@contoso.com", "Trustee": sp_id, "AccessRights": ["SendAs"], "Confirm": False},
    )
    form = {
        "grant_type": "client_credentials",
        "client_id": app_id,
        "client_secret": secret,
        "scope": f"{EXCHANGE_RESOURCE}/.default",
    }
    access = httpx.post(
        f"{sandbox.base_url}/{sandbox.tenant_id}/oauth2/v2.0/token", data=form, verify=str(sandbox.ca_file)
    ).json()["access_token"]

    with submission(sandbox) as client:  # the default tenant has SMTP AUTH off org-wide
        code, text = client.docmd("AUTH", "XOAUTH2 " + xoauth2("erp@contoso.com", access))
        assert code == 535 and b"disabled for the Tenant" in text
    invoke(sandbox, "Set-CASMailbox", {"Identity": "erp@contoso.com", "SmtpClientAuthenticationDisabled": False})
    mid, body = message("invoices@contoso.com", "ap@fabrikam.example", "Invoice 42")
    with submission(sandbox) as client:
        assert client.docmd("AUTH", "XOAUTH2 " + xoauth2("erp@contoso.com", access))[0] == 235
        assert client.sendmail("invoices@contoso.com", ["ap@fabrikam.example"], body) == {}
    [row] = traced(sandbox, messageId=mid)
    assert (row["senderAddress"], row["recipientAddress"], row["status"]) == (
        "invoices@contoso.com",
        "ap@fabrikam.example",
        "delivered",
    )
