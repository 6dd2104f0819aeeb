"""``relayctl test-send SPEC SENDER``: send as the device would, then confirm it in message trace."""

from __future__ import annotations

import argparse

DESCRIPTION = """SENDER is a service account (kind application: OAuth client credentials and AUTH XOAUTH2;
kind mailbox: AUTH LOGIN), a connector (relay to the MX endpoint on port 25) or a partner connector
(type: partner: the SaaS platform's server sending as your domain to the MX endpoint, with
--client-cert/--client-key when the connector pins the partner's certificate); --method direct sends
unauthenticated to the MX endpoint. The message gets a unique Message-ID and is followed in
message trace until delivered, failed or --timeout; the path it took (connector, direct send, SMTP
AUTH) is read from message trace, not assumed. Refusals are explained (relayctl explain); a relay
refused with 5.7.64/5.7.68 names the IP missing from the connector's senderIPs.

Without --to, an authenticating sender writes to its own mailbox and a connector to the first mailbox
the spec declares that exists in the tenant.

Secrets never come from flags: the OAuth sender's secret from RELAY_SENDER_CLIENT_SECRET (or a
certificate from RELAY_SENDER_CERTIFICATE_PATH), a mailbox password from RELAY_SMTP_PASSWORD or a
prompt. Endpoints: smtp.office365.com:587 unless RELAY_SMTP_HOST/RELAY_SMTP_PORT say otherwise (the
sandbox sets them); the MX endpoint from Graph's serviceConfigurationRecords unless RELAY_MX_HOST/
RELAY_MX_PORT. Exit 0 delivered the way asked, 1 refused/failed/not traced in time/gone another way,
2 bad input, 3 tenant failure."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from o365relay.testsend.plan import METHODS

    parser.add_argument("spec", metavar="SPEC")
    parser.add_argument("sender", metavar="SENDER", help="a serviceAccounts or connectors name (relay or partner)")
    parser.add_argument("--to", help="recipient (default: the sender's own mailbox, or for a connector the "
                                     "first declared mailbox that exists in the tenant)")
    parser.add_argument("--from", dest="from_addr", help="From address (default: the sender's mailbox)")
    parser.add_argument("--method", choices=METHODS, help="default: from the sender's declaration")
    parser.add_argument("--client-id", help="OAuth sender's application id (or RELAY_SENDER_CLIENT_ID)")
    parser.add_argument("--client-ip", help="sandbox only: the public IP the device sends from (XCLIENT)")
    parser.add_argument("--client-cert", metavar="PEM", help="partner: the certificate its server presents "
                        "(sandbox: `relayctl sandbox partner-cert NAME` issues one)")
    parser.add_argument("--client-key", metavar="PEM", help="partner: the certificate's private key file")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds to wait for trace (default 300)")
    parser.add_argument("--no-trace", action="store_true", help="send only; do not follow in message trace")
    parser.add_argument("--spam-test", action="store_true",
                        help="carry the GTUBE test string: trace shows filteredAsSpam unless spam filtering "
                             "is skipped (e.g. the IP Allow List)")


def run(args: argparse.Namespace) -> int:
    from o365relay.errors import UsageError
    from o365relay.spec.loader import load_spec
    from o365relay.tenant.settings import Endpoints
    from o365relay.testsend.runner import TestSendOptions, run_test_send

    if bool(args.client_cert) != bool(args.client_key):
        raise UsageError("--client-cert and --client-key go together: the certificate and its private key")
    spec = load_spec(args.spec)
    options = TestSendOptions(args.sender, method=args.method, to_addr=args.to, from_addr=args.from_addr,
                              client_id=args.client_id, client_ip=args.client_ip, timeout=args.timeout,
                              client_cert=(args.client_cert, args.client_key) if args.client_cert else None,
                              trace=not args.no_trace, spam_test=args.spam_test)
    return run_test_send(spec, options, Endpoints.from_env())
