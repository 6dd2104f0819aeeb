"""The sandbox's DNS view over UDP (what record checks resolve) and its request journal."""

from __future__ import annotations

from collections.abc import Callable

import dns.message
import dns.query
import dns.rcode
import dns.rdatatype

from o365relay.sandbox.runner import Sandbox


def ask(sandbox: Sandbox, name: str) -> dns.message.Message:
    host, port = sandbox.env()["RELAY_NAMESERVER"].split(":")
    return dns.query.udp(dns.message.make_query(name, dns.rdatatype.CNAME), host, port=int(port), timeout=2)


def test_dns_view_is_served_and_selectors_wait_for_someone_to_publish_them(exo) -> None:
    assert ask(exo.sandbox, "selector1._domainkey.contoso.com").rcode() == dns.rcode.NXDOMAIN
    exo.http.post(f"{exo.sandbox.base_url}/_sandbox/dns",
                  json={"records": [{"name": "selector1._domainkey.contoso.com", "value": "target.example"}]})
    answer = ask(exo.sandbox, "selector1._domainkey.contoso.com").answer
    assert [str(r.target) for r in answer[0]] == ["target.example."]


def test_dns_team_publishes_what_the_tenant_made_and_nothing_else(
        sandbox_factory: Callable[..., Sandbox], exo_for) -> None:
    exo = exo_for(sandbox_factory(dns_team=True))
    config = exo.ok("Get-DkimSigningConfig", {"Identity": "contoso.com"})[0]
    answer = ask(exo.sandbox, "selector2._domainkey.contoso.com").answer
    assert [str(r.target) for r in answer[0]] == [config["Selector2CNAME"].lower().rstrip(".") + "."]
    assert ask(exo.sandbox, "selector1._domainkey.fabrikam.com").rcode() == dns.rcode.NXDOMAIN
    assert ask(exo.sandbox, "www.contoso.com").rcode() == dns.rcode.NXDOMAIN
    # published for real: Exchange now accepts enabling signing for the domain
    ask(exo.sandbox, "selector1._domainkey.contoso.com")
    exo.ok("Set-DkimSigningConfig", {"Identity": "contoso.com", "Enabled": True})


def test_request_log_names_each_cmdlet_in_order_with_timings(exo) -> None:
    exo.ok("Get-TransportConfig")
    exo.ok("Set-CASMailbox", {"Identity": "scanner3@contoso.com", "SmtpClientAuthenticationDisabled": False})
    log = exo.http.get(f"{exo.sandbox.base_url}/_sandbox/requests").json()["requests"]
    exchange = [e for e in log if e["path"].startswith("/adminapi/")]
    assert [e["cmdlets"] for e in exchange] == [["Get-TransportConfig"], ["Set-CASMailbox"]]
    assert all(e["status"] == 200 and e["end"] >= e["start"] for e in exchange)
    assert any(e["path"].endswith("/oauth2/v2.0/token") for e in log)  # the token request is there too
    assert exo.http.delete(f"{exo.sandbox.base_url}/_sandbox/requests").status_code == 204
    assert exo.http.get(f"{exo.sandbox.base_url}/_sandbox/requests").json()["requests"] == []


def test_a_request_is_logged_before_its_reply_ends() -> None:
    """A client holding the whole reply (a test counting requests right after a call) finds it logged."""
    import asyncio

    from o365relay.sandbox.request_log import RequestLog, RequestLogMiddleware

    log = RequestLog()
    seen_at_last_byte: list[int] = []

    async def app(scope: dict, receive: Callable, send: Callable) -> None:
        await receive()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{", "more_body": True})
        await send({"type": "http.response.body", "body": b"}"})

    async def receive() -> dict:
        return {"type": "http.request", "body": b'{"CmdletInput": {"CmdletName": "Get-User"}}'}

    async def send(message: dict) -> None:
        if message["type"] == "http.response.body" and not message.get("more_body"):
            seen_at_last_byte.append(len(log.entries()))

    scope = {"type": "http", "method": "POST", "path": "/adminapi/beta/t/InvokeCommand"}
    asyncio.run(RequestLogMiddleware(app, log)(scope, receive, send))
    assert seen_at_last_byte == [1]
    [entry] = log.entries()  # logged once, not again when the app returns
    assert (entry["status"], entry["cmdlets"]) == (200, ["Get-User"])
