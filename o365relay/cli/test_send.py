"""``relayctl test-send SPEC SENDER``: send as the device would, then confirm it in message trace."""

from __future__ import annotations

import argparse
import os
from datetime import UTC, datetime
from typing import Any

from o365relay.errors import AuthError, UsageError
from o365relay.reports.wording import plural

DESCRIPTION = """SENDER is a service account (kind application: OAuth client credentials and AUTH XOAUTH2;
kind mailbox: AUTH LOGIN) or a connector (relay to the MX endpoint on port 25); --method direct
sends unauthenticated to the MX endpoint. The message gets a unique Message-ID and is followed in
message trace until delivered, failed or --timeout. Refusals are explained (relayctl explain).

Secrets never come from flags: the OAuth sender's secret from RELAY_SENDER_CLIENT_SECRET (or a
certificate from RELAY_SENDER_CERTIFICATE_PATH), a mailbox password from RELAY_SMTP_PASSWORD or a
prompt. Endpoints: smtp.office365.com:587 unless RELAY_SMTP_HOST/RELAY_SMTP_PORT say otherwise (the
sandbox sets them); the MX endpoint from Graph's serviceConfigurationRecords unless RELAY_MX_HOST/
RELAY_MX_PORT. Exit 0 delivered, 1 refused/failed/not traced in time, 3 tenant failure."""

METHODS = ("oauth", "mailbox", "connector", "direct")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("spec", metavar="SPEC")
    parser.add_argument("sender", metavar="SENDER", help="a serviceAccounts or connectors name")
    parser.add_argument("--to", help="recipient (default: the sender's own mailbox)")
    parser.add_argument("--from", dest="from_addr", help="From address (default: the sender's mailbox)")
    parser.add_argument("--method", choices=METHODS, help="default: from the sender's declaration")
    parser.add_argument("--client-id", help="OAuth sender's application id (or RELAY_SENDER_CLIENT_ID)")
    parser.add_argument("--client-ip", help="sandbox only: the public IP the device sends from (XCLIENT)")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds to wait for trace (default 300)")
    parser.add_argument("--no-trace", action="store_true", help="send only; do not follow in message trace")
    parser.add_argument("--spam-test", action="store_true",
                        help="carry the GTUBE test string: trace shows filteredAsSpam unless spam filtering "
                             "is skipped (e.g. the IP Allow List)")


def run(args: argparse.Namespace) -> int:
    from o365relay.smtp.explain import explain, render
    from o365relay.smtp.send import build_message, new_message_id
    from o365relay.spec.loader import load_spec
    from o365relay.tenant.settings import Endpoints

    spec = load_spec(args.spec)
    method, login, from_addr, to_addr = _plan(spec, args)
    endpoints = Endpoints.from_env()
    message_id = new_message_id(from_addr.rpartition("@")[2])
    msg = build_message(from_addr, to_addr, message_id, method, spam_test=args.spam_test)
    sent_at = datetime.now(UTC)
    print(f"test-send {args.sender} by {method}: From {from_addr} To {to_addr}\n  Message-ID {message_id}")
    try:
        result = _send(method, msg, login, args, endpoints)
    except AuthError as error:
        print(f"  token request refused: {error}\n" + render(explain(str(error))))
        return 3
    print(f"  reply: {result.reply}")
    connector = spec.connectors.get(args.sender) if method == "connector" else None
    if not result.accepted:
        print(render(result.diagnosis) if result.diagnosis else "  (no explanation in the table)")
        if connector is not None and any(code in result.reply for code in ("5.7.68", "5.7.64")):
            print(_not_recognised(args.sender, connector, args.client_ip))
        return 1
    path = _connector_path(endpoints, args.sender, args.client_ip) if connector is not None else ""
    if path:
        print(f"  path: {path}")
    code = 0 if args.no_trace else _trace(endpoints, message_id, sent_at, args.timeout)
    if code == 0 and path.startswith("direct send"):
        print(f"  not a relay test: the message did not go through connector {args.sender}")
        return 1
    return code


def _not_recognised(name: str, connector: Any, client_ip: str | None) -> str:
    """5.7.68/5.7.64 through a connector means Exchange matched no connector to the sending IP."""
    listed = ", ".join(connector.sender_ips) or "none"
    if client_ip:
        return (f"  the device sent from {client_ip}, which connectors.{name}.senderIPs ({listed}) does not "
                f"cover: add {client_ip} to senderIPs (or send from a listed address), then apply")
    return (f"  Exchange matched no connector to this host's public IP: connectors.{name}.senderIPs lists "
            f"{listed}; add the address this host's mail leaves from (after NAT), then apply")


def _connector_path(endpoints: Any, name: str, client_ip: str | None) -> str:
    """Which way the tenant takes this message: through the named inbound connector only if the
    tenant holds it, enabled, covering the sending IP; otherwise it went in as direct send."""
    import ipaddress

    from o365relay.kinds.inbound_connector import INBOUND_CONNECTOR
    from o365relay.tenant.exchange import ExchangeClient
    from o365relay.tenant.sync import run_sync

    async def read() -> list[Any]:
        async with ExchangeClient(endpoints) as exo:
            return list(await exo.invoke("Get-InboundConnector"))

    kind = INBOUND_CONNECTOR
    found = next((c for c in run_sync(read()) if kind.value(c, "name") == name.lower()), None)
    if found is None:
        return f"direct send: the tenant has no inbound connector {name} yet (apply the spec first)"
    if kind.value(found, "enabled") is False:
        return f"direct send: connector {name} is disabled in the tenant"
    ranges = kind.value(found, "sender_ips")
    if client_ip:
        address = ipaddress.IPv4Address(client_ip)
        if not any(address in ipaddress.IPv4Network(r, strict=False) for r in ranges):
            return f"direct send: connector {name} in the tenant does not cover {client_ip} ({', '.join(ranges)})"
    if client_ip:
        return f"connector {name}: the tenant's connector covers {client_ip}"
    return f"connector {name}, if this host's public IP is in its sender IPs ({', '.join(ranges)})"


def _plan(spec: Any, args: argparse.Namespace) -> tuple[str, str, str, str]:
    """(method, login mailbox, From, To) for the named sender."""
    account = spec.service_accounts.get(args.sender)
    connector = spec.connectors.get(args.sender)
    if account is None and connector is None:
        names = sorted([*spec.service_accounts, *spec.connectors])
        raise UsageError(f"{args.sender!r} is neither a service account nor a connector of the spec; "
                         f"declared: {', '.join(names)}")
    default = ("oauth" if account.kind == "application" else "mailbox") if account else "connector"
    method = args.method or default
    if method in ("oauth", "mailbox") and account is None:
        raise UsageError(f"--method {method} needs a service account; {args.sender!r} is a connector")
    mailbox = account.mailbox if account else None
    from_addr = args.from_addr or mailbox or f"relay-test@{next(iter(spec.domains), spec.tenant.initial_domain)}"
    return method, mailbox or from_addr, from_addr, args.to or mailbox or _declared_mailbox(spec, args.sender)


def _declared_mailbox(spec: Any, sender: str) -> str:
    """A recipient that exists: the first mailbox the spec declares (a relay's made-up From address
    would be refused with 5.4.1, which says nothing about the relay)."""
    for account in spec.service_accounts.values():
        return str(account.mailbox)
    for grant in spec.send_as:
        return str(grant.mailbox)
    raise UsageError(f"the spec declares no mailbox to send to: give the recipient with --to for {sender!r}")


def _send(method: str, msg: Any, login: str, args: argparse.Namespace, endpoints: Any) -> Any:
    from o365relay.smtp.send import deliver, submit
    from o365relay.tenant.sync import run_sync

    if method in ("connector", "direct"):
        host, port = _mx(endpoints, login.rpartition("@")[2])
        return deliver(host, port, msg, client_ip=args.client_ip, ca_file=endpoints.ca_file)
    host = os.environ.get("RELAY_SMTP_HOST", "smtp.office365.com")
    port = int(os.environ.get("RELAY_SMTP_PORT", "587"))
    if method == "mailbox":
        password = _password()  # before connecting: a missing password is the person's to fix first
        return submit(host, port, msg, login, password=lambda: password, ca_file=endpoints.ca_file)
    client_id = args.client_id or os.environ.get("RELAY_SENDER_CLIENT_ID")
    if not client_id:
        raise UsageError("an OAuth sender needs its application id: --client-id or RELAY_SENDER_CLIENT_ID")
    token = run_sync(_sender_token(endpoints, client_id))
    result = submit(host, port, msg, login, token=token, ca_file=endpoints.ca_file)
    if not result.accepted and result.diagnosis and result.diagnosis.explanation \
            and result.diagnosis.explanation.key == "auth-rejected":
        result.diagnosis = run_sync(_diagnose_oauth(endpoints, token, client_id, result.reply))
    return result


def _password() -> str:
    import getpass
    import sys

    if password := os.environ.get("RELAY_SMTP_PASSWORD"):
        return password
    if not sys.stdin.isatty():
        raise UsageError("a mailbox sender needs its password: set RELAY_SMTP_PASSWORD (there is no terminal "
                         "to prompt on)")
    try:
        return getpass.getpass("mailbox password: ")
    except EOFError:
        raise UsageError("no password given; set RELAY_SMTP_PASSWORD or type it at the prompt") from None


async def _sender_token(endpoints: Any, client_id: str) -> str:
    """Client credentials for https://outlook.office365.com/.default as the sender app (not the deployer)."""
    from azure.identity import aio

    from o365relay.tenant.credentials import bearer_token, certificate_file

    common: dict[str, Any] = {"authority": endpoints.login_authority}
    if not endpoints.is_microsoft_cloud:
        common["disable_instance_discovery"] = True
    if endpoints.ca_file:
        common["connection_verify"] = endpoints.ca_file
    if os.environ.get("RELAY_SENDER_CERTIFICATE_PATH"):
        path = certificate_file(os.environ, "RELAY_SENDER_CERTIFICATE_PATH")
        try:
            credential: Any = aio.CertificateCredential(endpoints.tenant_id, client_id, certificate_path=path,
                                                        **common)
        except ValueError as error:  # an encrypted key, or a PEM azure-identity cannot load
            raise UsageError(f"RELAY_SENDER_CERTIFICATE_PATH={path}: cannot load the key: {error}") from None
    elif secret := os.environ.get("RELAY_SENDER_CLIENT_SECRET"):
        credential = aio.ClientSecretCredential(endpoints.tenant_id, client_id, secret, **common)
    else:
        raise UsageError("set RELAY_SENDER_CLIENT_SECRET or RELAY_SENDER_CERTIFICATE_PATH for the sender app")
    async with credential:
        return await bearer_token(credential, endpoints.exchange_scope)


async def _diagnose_oauth(endpoints: Any, token: str, client_id: str, reply: str) -> Any:
    """Exchange answers 535 5.7.3 for three causes; name the one that applies."""
    from o365relay.smtp.explain import Diagnosis, by_key, explain
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


def _mx(endpoints: Any, domain: str) -> tuple[str, int]:
    if host := os.environ.get("RELAY_MX_HOST"):
        return host, int(os.environ.get("RELAY_MX_PORT", "25"))
    from o365relay.tenant.graph import GraphClient
    from o365relay.tenant.sync import run_sync

    async def lookup() -> list[Any]:
        async with GraphClient(endpoints) as graph:
            return await graph.service_configuration_records(domain)

    mx = [r for r in run_sync(lookup()) if str(getattr(r, "record_type", "")).lower() == "mx"]
    if not mx:
        raise UsageError(f"the tenant lists no MX endpoint for {domain} (is it a verified domain?)")
    return str(mx[0].mail_exchange), 25


def _trace(endpoints: Any, message_id: str, sent_at: datetime, timeout: float) -> int:
    from o365relay.smtp.follow import follow
    from o365relay.tenant.graph import GraphClient
    from o365relay.tenant.sync import run_sync

    async def watch() -> Any:
        async with GraphClient(endpoints) as graph:
            return await follow(graph, message_id, sent_at, timeout)

    rows, requests = run_sync(watch())
    print(f"  message trace ({plural(requests, 'request')}):")
    for row in rows:
        print(f"    {row.received:%H:%M:%S} {row.recipient:<32} {row.status:<12} from {row.from_ip or '-'}")
    if not rows:
        print(f"  not in message trace after {timeout:.0f} s (trace can lag minutes behind delivery)")
        return 1
    delivered = all(r.status.lower() == "delivered" for r in rows)
    print("  verdict: " + ("DELIVERED" if delivered else "NOT DELIVERED"))
    if any(r.status.lower() == "filteredasspam" for r in rows):
        from o365relay.smtp.explain import explain, render

        print(render(explain("SCL 9")))
    return 0 if delivered else 1
