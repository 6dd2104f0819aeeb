"""The sandbox's Entra model: its APIs take only this tenant's access tokens, and its OIDC stand-in issues
federated assertions only, signed with a key of its own.

Three tokens every API must refuse, each correctly formed otherwise:
- signed with the sandbox's token key but for another tenant (``tid``);
- signed with the sandbox's token key but with no ``tid``;
- an assertion from the OIDC stand-in, presented as an access token.
Each is tried on Graph (401 InvalidAuthenticationToken), the Exchange admin endpoint (401,
x-ms-diagnostics 2000001) and SMTP XOAUTH2 (535 5.7.3), next to the untouched token that works.
"""

from __future__ import annotations

import base64
import smtplib
import ssl
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest

from o365relay.sandbox import store as st
from o365relay.sandbox.runner import Sandbox
from o365relay.sandbox.seed import DEFAULT_SEED
from o365relay.sandbox.tokens import EXCHANGE_RESOURCE, GRAPH_RESOURCE

SUBJECT = "repo:contoso/erp:environment:prod"
GITHUB = "https://token.actions.githubusercontent.com"
SEED = f"""
extends: {DEFAULT_SEED}
users:
  erp@contoso.com: {{smtpAuth: enabled}}
applications:
  erp-mailer: {{secret: generate, roles: [SMTP.SendAsApp], exchangeServicePrincipal: true}}
exchange:
  mailboxPermissions:
    - {{mailbox: erp@contoso.com, user: erp-mailer}}
"""


@pytest.fixture
def tenant(sandbox_factory: Callable[..., Sandbox], tmp_path: Path) -> Sandbox:
    seed = tmp_path / "seed.yaml"
    seed.write_text(SEED)
    return sandbox_factory(seed=seed)


def _resign(sandbox: Sandbox, token: str, **changes: Any) -> str:
    """``token`` with claims changed (None removes one), signed again with the sandbox's own token key."""
    claims = jwt.decode(token, options={"verify_signature": False})
    claims.update({k: v for k, v in changes.items() if v is not None})
    for key in [k for k, v in changes.items() if v is None]:
        claims.pop(key)
    kid = jwt.get_unverified_header(token)["kid"]
    return jwt.encode(claims, sandbox.ctx.pki.token_key, algorithm="RS256", headers={"kid": kid})


def _stand_in(sandbox: Sandbox, **body: str) -> httpx.Response:
    trust = ssl.create_default_context(cafile=str(sandbox.ca_file))
    return httpx.post(f"{sandbox.base_url}/_sandbox/oidc/token", json=body, verify=trust)


def _forged(sandbox: Sandbox, token: str, case: str) -> str:
    other = str(uuid.uuid4())
    if case == "another tenant":
        return _resign(sandbox, token, tid=other)
    if case == "another tenant and its issuer":
        return _resign(sandbox, token, tid=other, iss=f"https://sts.windows.net/{other}/")
    if case == "no tid":
        return _resign(sandbox, token, tid=None)
    audience = jwt.decode(token, options={"verify_signature": False})["aud"]
    assertion = _stand_in(sandbox, issuer=GITHUB, subject=SUBJECT)
    assert assertion.status_code == 200, assertion.text
    assert _stand_in(sandbox, issuer=GITHUB, subject=SUBJECT, audience=audience).status_code == 400
    return str(assertion.json()["token"])


CASES = ["another tenant", "another tenant and its issuer", "no tid", "OIDC stand-in assertion"]


@pytest.mark.parametrize("case", CASES)
def test_graph_and_exchange_refuse_tokens_not_issued_for_this_tenant(tenant: Sandbox, case: str) -> None:
    tokens = tenant.ctx.tokens
    graph_token = tokens.issue(tenant.deployer_client_id, GRAPH_RESOURCE)
    exo_token = tokens.issue(tenant.deployer_client_id, EXCHANGE_RESOURCE)
    graph_url = f"{tenant.base_url}/v1.0/domains"
    exo_url = f"{tenant.base_url}/adminapi/beta/{tenant.tenant_id}/InvokeCommand"
    body = {"CmdletInput": {"CmdletName": "Get-TransportConfig", "Parameters": {}}}
    with httpx.Client(verify=ssl.create_default_context(cafile=str(tenant.ca_file))) as http:
        for token, expected in ((graph_token, 200), (_forged(tenant, graph_token, case), 401)):
            reply = http.get(graph_url, headers={"Authorization": f"Bearer {token}"})
            assert reply.status_code == expected, reply.text
        error = reply.json()["error"]
        assert error["code"] == "InvalidAuthenticationToken"
        assert error["message"].startswith("Access token validation failure.")
        assert "Invalid audience" not in error["message"]

        for token, expected in ((exo_token, 200), (_forged(tenant, exo_token, case), 401)):
            reply = http.post(exo_url, json=body, headers={"Authorization": f"Bearer {token}"})
            assert reply.status_code == expected, reply.text
        assert reply.headers["x-ms-diagnostics"].startswith("2000001;")
        assert 'error="invalid_token"' in reply.headers["WWW-Authenticate"]


@pytest.mark.parametrize("case", CASES)
def test_smtp_xoauth2_refuses_tokens_not_issued_for_this_tenant(tenant: Sandbox, case: str) -> None:
    app = tenant.store.find(st.APPLICATION, displayName="erp-mailer")
    token = tenant.ctx.tokens.issue(app["appId"], EXCHANGE_RESOURCE)

    def auth(access_token: str) -> tuple[int, bytes]:
        raw = f"user=erp@contoso.com\x01auth=Bearer {access_token}\x01\x01".encode()
        with smtplib.SMTP(tenant.smtp_host, tenant.smtp_port, timeout=30) as client:
            client.starttls(context=ssl.create_default_context(cafile=str(tenant.ca_file)))
            client.ehlo()
            return client.docmd("AUTH", "XOAUTH2 " + base64.b64encode(raw).decode())

    assert auth(token)[0] == 235
    code, text = auth(_forged(tenant, token, case))
    assert code == 535 and text.startswith(b"5.7.3 Authentication unsuccessful")


def test_the_stand_in_issues_only_federated_assertions_under_its_own_key(tenant: Sandbox) -> None:
    assertion = _stand_in(tenant, issuer=GITHUB, subject=SUBJECT).json()["token"]
    claims = jwt.decode(assertion, tenant.ctx.pki.oidc_key.public_key(), algorithms=["RS256"],
                        audience="api://AzureADTokenExchange", issuer=GITHUB)
    assert claims["sub"] == SUBJECT and not {"tid", "roles", "appid"} & set(claims)
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(assertion, tenant.ctx.pki.token_key.public_key(), algorithms=["RS256"],
                   audience="api://AzureADTokenExchange")
    refused = [
        _stand_in(tenant, issuer=tenant.ctx.tokens.issuer(), subject=SUBJECT),  # Entra's own issuer
        _stand_in(tenant, issuer=f"https://login.microsoftonline.com/{tenant.tenant_id}/v2.0", subject=SUBJECT),
        _stand_in(tenant, issuer=GITHUB, subject=SUBJECT, audience=GRAPH_RESOURCE),  # a resource
        _stand_in(tenant, issuer=GITHUB, subject=SUBJECT, audience="00000002-0000-0ff1-ce00-000000000000"),
        _stand_in(tenant, issuer=GITHUB, subject=""),
        _stand_in(tenant, subject=SUBJECT),
    ]
    assert [r.status_code for r in refused] == [400] * len(refused)


def test_a_federated_app_gets_a_token_only_with_the_stand_in_assertion(tenant: Sandbox) -> None:
    """As at Entra: the assertion is the client credential; an access token re-signed as an assertion,
    or no assertion at all, gets nothing."""
    app = tenant.store.find(st.APPLICATION, displayName="erp-mailer")
    app["federatedIdentityCredentials"] = [
        {"id": "f1", "name": "gh", "issuer": GITHUB, "subject": SUBJECT, "audiences": ["api://AzureADTokenExchange"]}
    ]
    tenant.store.put(st.APPLICATION, app)
    url = f"{tenant.base_url}/{tenant.tenant_id}/oauth2/v2.0/token"
    form = {"grant_type": "client_credentials", "client_id": app["appId"], "scope": f"{EXCHANGE_RESOURCE}/.default",
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}
    assertion = _stand_in(tenant, issuer=GITHUB, subject=SUBJECT).json()["token"]
    claims = jwt.decode(assertion, options={"verify_signature": False})
    forged = jwt.encode(claims, tenant.ctx.pki.token_key, algorithm="RS256")  # right claims, wrong issuer key
    with httpx.Client(verify=ssl.create_default_context(cafile=str(tenant.ca_file))) as http:
        good = http.post(url, data={**form, "client_assertion": assertion})
        assert good.status_code == 200, good.text
        wrong_key = http.post(url, data={**form, "client_assertion": forged})
        assert wrong_key.status_code == 401 and wrong_key.json()["error_codes"] == [700027]
        bare = {k: v for k, v in form.items() if k != "client_assertion_type"}
        none = http.post(url, data=bare)
        assert none.status_code == 401 and none.json()["error_codes"] == [7000218]
        assert none.json()["error_description"].startswith("AADSTS7000218:")
