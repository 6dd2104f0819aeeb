"""Name the one cause among several that Exchange words alike."""

from __future__ import annotations

from o365relay.smtp.explain import Diagnosis, by_key, explain
from o365relay.spec.model import Connector
from o365relay.tenant.settings import Endpoints

NOT_RECOGNISED = ("5.7.64", "5.7.68")  # no connector matched the sending IP: tenant attribution failed


async def diagnose_oauth(endpoints: Endpoints, token: str, client_id: str, reply: str) -> Diagnosis:
    """Exchange answers 535 5.7.3 for a token without SMTP.SendAsApp, an app not registered as an
    Exchange service principal, and a missing FullAccess alike: check which applies."""
    from o365relay.smtp.xoauth2 import token_roles
    from o365relay.tenant.exchange import ExchangeClient

    if "SMTP.SendAsApp" not in token_roles(token):
        key = "auth-no-role"
    else:
        async with ExchangeClient(endpoints) as exo:
            sps = await exo.invoke("Get-ServicePrincipal")
        registered = any(str(sp.get("AppId", "")).lower() == client_id.lower() for sp in sps)
        key = "auth-no-fullaccess" if registered else "auth-no-service-principal"
    generic = explain(reply)
    return Diagnosis(reply, "5.7.3", by_key(key), tuple(e for e in (generic.explanation,) if e))


def not_recognised(connector: Connector, sending_ip: str | None) -> str:
    """What 5.7.64/5.7.68 means for a connector test: Exchange matched no connector to the IP the
    message came from, so that IP is missing from the connector's senderIPs."""
    listed = ", ".join(connector.sender_ips) or "none"
    where = f"connectors.{connector.name}.senderIPs ({listed})"
    if sending_ip:
        return (f"the message came from {sending_ip}, which {where} does not cover: add {sending_ip} to "
                f"senderIPs (or send from a listed address), then apply")
    return (f"Exchange matched no connector to this host's public IP: {where}; add the address this host's "
            f"mail leaves from (after NAT), then apply")
