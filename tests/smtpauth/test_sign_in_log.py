"""The sandbox's Entra sign-in log as Graph serves it, and discovery when the tenant has no Entra ID P1/P2."""

from __future__ import annotations

import json
import smtplib
import ssl
from pathlib import Path
from typing import Any

import httpx
import pytest

from o365relay.cli.main import main
from o365relay.sandbox import store as st
from o365relay.sandbox.runner import Sandbox
from o365relay.sandbox.tokens import GRAPH_RESOURCE

PROD = str(Path(__file__).resolve().parents[2] / "relay.prod.yaml")
SCANNER = "scanner3@contoso.com"  # default seed: a mailbox with a password, SMTP AUTH from the org setting


def auth_login(sandbox: Sandbox, password: str) -> int:
    with smtplib.SMTP(sandbox.smtp_host, sandbox.smtp_port, timeout=30) as client:
        client.starttls(context=ssl.create_default_context(cafile=str(sandbox.ca_file)))
        try:
            code, _ = client.login(SCANNER, password)
        except smtplib.SMTPAuthenticationError as refused:
            code = refused.smtp_code
    return code


def sign_ins(sandbox: Sandbox, **params: str) -> httpx.Response:
    form = {"grant_type": "client_credentials", "client_id": sandbox.deployer_client_id,
            "client_secret": sandbox.deployer_client_secret, "scope": f"{GRAPH_RESOURCE}/.default"}
    token = httpx.post(f"{sandbox.base_url}/{sandbox.tenant_id}/oauth2/v2.0/token", data=form,
                       verify=str(sandbox.ca_file)).json()["access_token"]
    return httpx.get(f"{sandbox.base_url}/v1.0/auditLogs/signIns", params=params, verify=str(sandbox.ca_file),
                     headers={"Authorization": f"Bearer {token}"})


def test_auth_login_attempts_are_signed_in_and_served_as_graph_documents_them(sandbox: Sandbox) -> None:
    assert auth_login(sandbox, "wrong") == 535
    org = sandbox.store.organization()
    sandbox.store.update(st.ORGANIZATION, org["id"], {"smtpClientAuthenticationDisabled": False})
    assert auth_login(sandbox, str(sandbox.secret_for(SCANNER))) == 235
    reply = sign_ins(sandbox, **{"$filter": "clientAppUsed eq 'Authenticated SMTP' and "
                                            "createdDateTime ge 2020-01-01T00:00:00Z", "$top": "1"})
    assert reply.status_code == 200, reply.text
    body: dict[str, Any] = reply.json()
    [newest] = body["value"]
    assert body["@odata.context"].endswith("/$metadata#auditLogs/signIns") and "$skiptoken" in body["@odata.nextLink"]
    assert (newest["userPrincipalName"], newest["clientAppUsed"], newest["status"]["errorCode"]) == (
        SCANNER, "Authenticated SMTP", 0)
    assert newest["appId"] == "00000002-0000-0ff1-ce00-000000000000" and newest["ipAddress"] == "127.0.0.1"
    older = httpx.get(body["@odata.nextLink"], headers=reply.request.headers, verify=str(sandbox.ca_file)).json()
    assert [s["status"]["errorCode"] for s in older["value"]] == [50126]
    assert sign_ins(sandbox, **{"$filter": "createdDateTime ge 2099-01-01T00:00:00Z"}).json()["value"] == []


def test_a_tenant_without_entra_premium_gets_graphs_licence_error(sandbox: Sandbox) -> None:
    sandbox.store.update(st.ORGANIZATION, sandbox.store.organization()["id"], {"xEntraPremium": False})
    reply = sign_ins(sandbox)
    assert reply.status_code == 403
    assert reply.json()["error"]["code"] == "Authentication_RequestFromNonPremiumTenantOrB2CTenant"


def test_discovery_falls_back_to_message_trace_and_says_why(sandbox_env: Sandbox,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    sandbox_env.store.update(st.ORGANIZATION, sandbox_env.store.organization()["id"], {"xEntraPremium": False})
    assert main(["smtp-auth-report", PROD, "--days", "1"]) == 0
    out = capsys.readouterr().out
    assert "no Microsoft Entra ID P1 or P2 licence" in out and "message trace alone" in out
    assert main(["smtp-auth-report", PROD, "--days", "1", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["signInLog"] == "unlicensed"


def test_a_window_longer_than_sign_ins_are_kept_is_a_usage_error(sandbox_env: Sandbox,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["smtp-auth-report", PROD, "--days", "45"]) == 2
    assert "at most 30 days" in capsys.readouterr().err
