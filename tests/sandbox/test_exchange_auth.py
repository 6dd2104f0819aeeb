"""Who may call the Exchange endpoint, and the exact refusals (401 challenge, 403 of NUL bytes)."""

from __future__ import annotations

from o365relay.sandbox import store as st
from o365relay.sandbox.seed import SEEDS_DIR


def test_deployer_runs_cmdlets(exo) -> None:
    assert {r["DomainName"] for r in exo.ok("Get-AcceptedDomain")} == {
        "contoso.onmicrosoft.com",
        "contoso.com",
        "notify.contoso.com",
    }


def test_missing_expired_wrong_audience_and_forged_tokens_get_401(exo) -> None:
    tokens = exo.sandbox.ctx.tokens
    graph_token = exo.token(scope="https://graph.microsoft.com/.default")
    expired = tokens.issue(exo.sandbox.deployer_client_id, "https://outlook.office365.com", lifetime=-10)
    forged = exo.token()[:-8] + "AAAAAAAA"
    for token in ("", graph_token, expired, forged):
        response = exo.invoke("Get-TransportConfig", token=token)
        assert response.status_code == 401, token
        assert response.headers["WWW-Authenticate"].startswith("Bearer ")
        assert response.content == b""


def test_token_without_manage_as_app_role_gets_401(exo) -> None:
    store = exo.sandbox.store
    sp = store.find(st.SERVICE_PRINCIPAL, appId=exo.sandbox.deployer_client_id)
    for assignment in store.list(
        st.APP_ROLE_ASSIGNMENT, principalId=sp["id"], xRoleValue="Exchange.ManageAsApp"
    ):
        store.delete(st.APP_ROLE_ASSIGNMENT, assignment["id"])
    assert exo.invoke("Get-TransportConfig", token=exo.token()).status_code == 401


def test_no_directory_role_gets_403_with_nul_body(sandbox_factory, exo_for) -> None:
    caller = exo_for(sandbox_factory(seed=SEEDS_DIR / "no-exchange-role.yaml"))
    response = caller.invoke("Get-InboundConnector")
    assert response.status_code == 403
    assert response.content and set(response.content) == {0}


def test_unknown_cmdlet_gets_403_with_nul_body(exo) -> None:
    response = exo.invoke("Get-Recipient")
    assert response.status_code == 403 and set(response.content) == {0}


def test_read_only_role_can_read_but_not_write(exo) -> None:
    store = exo.sandbox.store
    sp = store.find(st.SERVICE_PRINCIPAL, appId=exo.sandbox.deployer_client_id)
    assignment = store.find(st.DIRECTORY_ROLE_ASSIGNMENT, principalId=sp["id"])
    store.update(st.DIRECTORY_ROLE_ASSIGNMENT, assignment["id"], {"xRoleName": "Global Reader"})
    assert exo.ok("Get-TransportConfig")[0]["SmtpClientAuthenticationDisabled"] is True
    response = exo.invoke("Set-TransportConfig", {"SmtpClientAuthenticationDisabled": False})
    assert response.status_code == 403 and set(response.content) == {0}


def test_tenant_in_url_must_be_the_tokens(exo) -> None:
    url = f"{exo.sandbox.base_url}/adminapi/beta/fabrikam.onmicrosoft.com/InvokeCommand"
    assert exo.invoke("Get-TransportConfig", url=url).status_code == 401
    by_domain = f"{exo.sandbox.base_url}/adminapi/beta/contoso.onmicrosoft.com/InvokeCommand"
    assert exo.invoke("Get-TransportConfig", url=by_domain).status_code == 200


def test_unknown_parameter_and_missing_mandatory_parameter(exo) -> None:
    exc, text = exo.fails("Get-InboundConnector", {"Identiti": "x"})
    assert exc == "System.Management.Automation.ParameterBindingException"
    assert text == "A parameter cannot be found that matches parameter name 'Identiti'."
    exc, text = exo.fails("New-InboundConnector", {"Name": "x", "SenderIPAddresses": ["203.0.113.5"]})
    assert (
        text == "Cannot process command because of one or more missing mandatory parameters: SenderDomains."
    )


def test_null_parameters_are_refused_not_treated_as_empty(exo) -> None:
    response = exo.http.post(
        exo.url,
        json={"CmdletInput": {"CmdletName": "Get-TransportConfig", "Parameters": None}},
        headers={"Authorization": f"Bearer {exo.token()}"},
    )
    assert response.status_code == 400 and "not null" in response.text
