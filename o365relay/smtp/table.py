"""The one table of SMTP refusals, sign-in failures and authentication verdicts a relay user meets.

Every place that has to tell a user why mail was refused (``relayctl explain``, ``test-send``,
``headers``) reads this table, so a cause and its fix are written once. Fixes are in this tool's
terms: the spec field to change, then ``pulumi up``; ``relayctl audit`` to see what the tenant holds.

``code`` forms: an enhanced status code ``5.7.139``, a range ``5.7.606-649``, a class ``4.4.*``,
an Entra sign-in code ``AADSTS7000215``, a local condition ``TLS-VERSION``, or a header verdict such
as ``spf=fail``, ``compauth=fail reason=000`` or ``SCL 5-9``. ``text`` (a regular expression, matched
case-insensitively against the pasted reply) picks a variant when one code has several meanings; the
first entry of a code without ``text`` is what the bare code means.
Sources, per SMTP code: docs/reply-codes.md (a test keeps it listing every code here).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Explanation:
    key: str  # unique and stable: used by test-send and headers to name a diagnosis
    code: str
    reply: str  # the reply as Microsoft sends it (an example line), or "" for non-SMTP conditions
    title: str
    cause: str
    fix: str
    text: str = ""  # regex selecting this variant among entries sharing ``code``
    transient: bool = False  # 4xx: the client should retry later


_SENDER = "serviceAccounts.<name>"
_APPLY = "then `pulumi up`; `relayctl audit SPEC` shows what the tenant holds"

TABLE: tuple[Explanation, ...] = (
    # --- SMTP AUTH (client submission, smtp.office365.com:587) ---------------------------------
    Explanation(
        "smtp-auth-off-tenant", "5.7.139",
        "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.",
        "SMTP AUTH is disabled for the tenant",
        "SMTP AUTH is switched off organisation-wide (tenant.smtpAuth: disabled, the safe default) and "
        "this mailbox has no per-mailbox exception.",
        f"Keep tenant.smtpAuth disabled and declare the sender under {_SENDER} (kind: application for "
        f"OAuth, or kind: mailbox): the stack switches SMTP AUTH on for that mailbox only; {_APPLY}.",
        text=r"disabled for the tenant"),
    Explanation(
        "smtp-auth-off-mailbox", "5.7.139",
        "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox.",
        "SMTP AUTH is disabled for this mailbox",
        "The mailbox's own SMTP AUTH switch (SmtpClientAuthenticationDisabled) is on. Both OAuth "
        "(XOAUTH2) and basic senders need the protocol enabled on the mailbox they authenticate as.",
        f"Declare the mailbox as {_SENDER}.mailbox so the stack enables SMTP AUTH on it; if it is "
        f"declared, someone switched it off by hand: `relayctl audit SPEC` reports the drift, "
        f"`pulumi up` restores it.",
        text=r"disabled for the mailbox"),
    Explanation(
        "smtp-auth-security-defaults", "5.7.139",
        "535 5.7.139 Authentication unsuccessful, user is locked by your organization's security "
        "defaults policy.",
        "Entra Security Defaults block basic SMTP AUTH",
        "Security Defaults block legacy (basic) authentication for every user, whatever the SMTP AUTH "
        "switches say.",
        f"Move the sender to OAuth: {_SENDER}.kind: application (client credentials and AUTH XOAUTH2 "
        f"are not legacy authentication); {_APPLY}. Security Defaults are outside the spec.",
        text=r"security defaults"),
    Explanation(
        "smtp-auth-criteria", "5.7.139",
        "535 5.7.139 Authentication unsuccessful, the request did not meet the criteria to be "
        "authenticated successfully. Contact your administrator.",
        "Sign-in blocked by policy (Conditional Access, MFA or basic auth turned off)",
        "Entra refused the sign-in behind the SMTP session: a Conditional Access policy, per-user MFA, "
        "or basic authentication disabled for SMTP AUTH. The Entra sign-in log names the policy.",
        f"Move the sender to OAuth ({_SENDER}.kind: application), or exclude this account from the "
        f"policy that blocks it; then retry with `relayctl test-send SPEC <name>`.",
        text=r"did not meet the criteria"),
    Explanation(
        "smtp-auth-policy", "5.7.139",
        "535 5.7.139 Authentication unsuccessful, basic authentication is disabled.",
        "An Exchange authentication policy blocks basic SMTP AUTH for this user",
        "The user's authentication policy (its AuthenticationPolicy in Set-User), or the organisation's default "
        "one when the user has none, has AllowBasicAuthSmtp off. Exchange refuses the password before it "
        "reaches Entra, so no sign-in is logged for it.",
        f"Move the sender to OAuth ({_SENDER}.kind: application); or declare a policy that allows smtp for "
        f"it (authenticationPolicies.<name>: {{allowBasicAuth: [smtp], appliesTo: [<sender>]}}); {_APPLY}. "
        "`relayctl audit SPEC` names the policy that blocks it.",
        text=r"basic authentication is disabled"),
    Explanation(
        "smtp-auth-bad-password", "5.7.139",
        "535 5.7.139 Authentication unsuccessful, the user credentials were incorrect.",
        "Wrong user name or password (basic SMTP AUTH)",
        "The SMTP AUTH switches are open and Exchange checked the basic-auth credentials: the user name "
        "or password is wrong (a changed or expired password, or the address instead of the UPN).",
        f"Give the device the account's current password, or better move it to OAuth "
        f"({_SENDER}.kind: application); then retry with `relayctl test-send SPEC <name>`.",
        text=r"credentials were incorrect|user credentials"),
    Explanation(
        "smtp-auth-disabled", "5.7.139",
        "535 5.7.139 Authentication unsuccessful",
        "SMTP AUTH refused (the text after the code says why)",
        "5.7.139 covers several refusals: the tenant switch (tenant.smtpAuth), the mailbox switch, an "
        "Entra policy (Security Defaults, Conditional Access, basic authentication turned off), or a "
        "wrong basic-auth password (\"the user credentials were incorrect\"). The bare code cannot tell "
        "which.",
        f"Declare the sender under {_SENDER} so the stack opens its mailbox; {_APPLY}. Paste the whole "
        f"reply line into `relayctl explain` to see which gate."),
    Explanation(
        "auth-rejected", "5.7.3",
        "535 5.7.3 Authentication unsuccessful [SN4PR0601CA0002.namprd06.prod.outlook.com]",
        "Credentials or OAuth token rejected",
        "For XOAUTH2: the token has no SMTP.SendAsApp role, the app's service principal is not "
        "registered in Exchange (New-ServicePrincipal), or it lacks FullAccess on the mailbox named "
        "in user=. Exchange gives the same reply for all three. (A wrong basic-auth password usually "
        "comes back as 5.7.139 \"the user credentials were incorrect\" instead.)",
        f"Declare the sender as {_SENDER} with kind: application: the stack grants SMTP.SendAsApp, "
        f"registers the Exchange service principal and grants it FullAccess on its mailbox; {_APPLY}. "
        f"`relayctl test-send SPEC <name>` names which of the three is missing."),
    Explanation(
        "auth-no-role", "5.7.3",
        "535 5.7.3 Authentication unsuccessful",
        "The OAuth token carries no SMTP.SendAsApp role",
        "The access token for https://outlook.office365.com/.default lists no SMTP.SendAsApp in its "
        "roles claim: the application permission is not granted (or admin consent is missing).",
        f"Declare the sender as {_SENDER}.kind: application: the stack assigns SMTP.SendAsApp on "
        f"Office 365 Exchange Online with admin consent; {_APPLY}.",
        text=r"SMTP\.SendAsApp|roles?\b"),
    Explanation(
        "auth-no-service-principal", "5.7.3",
        "535 5.7.3 Authentication unsuccessful",
        "The application is not registered as a service principal in Exchange",
        "Exchange maps an app-only token to a mailbox through its own service principal object "
        "(New-ServicePrincipal, with the application id and the enterprise application's object id); without it "
        "the token is refused.",
        f"Declare the sender as {_SENDER}.kind: application: the stack creates the Exchange service "
        f"principal (exchange:ServicePrincipal); {_APPLY}.",
        text=r"service principal"),
    Explanation(
        "auth-no-fullaccess", "5.7.3",
        "535 5.7.3 Authentication unsuccessful",
        "The application has no FullAccess on the mailbox it signs in as",
        "The Exchange service principal exists but holds no FullAccess permission on the mailbox in "
        "the XOAUTH2 user= field.",
        f"Set {_SENDER}.mailbox to the mailbox the device signs in as: the stack grants FullAccess "
        f"(exchange:FullAccessGrant); {_APPLY}. Use sendAs for the other From addresses.",
        text=r"full ?access"),
    Explanation(
        "starttls-required", "5.7.3",
        "451 5.7.3 STARTTLS is required to send mail",
        "STARTTLS required",
        "The connector or endpoint requires TLS and the client sent without issuing STARTTLS.",
        "Turn on STARTTLS (\"TLS\" or \"STARTTLS\", not \"SSL\" on port 465) in the device; keep "
        "connectors.<name>.requireTls: true.",
        text=r"STARTTLS"),
    Explanation(
        "auth-mechanism", "5.7.4",
        "504 5.7.4 Unrecognized authentication type",
        "AUTH mechanism not offered",
        "The client tried AUTH before STARTTLS (Exchange Online offers AUTH LOGIN and XOAUTH2 only "
        "inside TLS), or used a mechanism it does not support (PLAIN, CRAM-MD5).",
        "Configure the device for port 587 with STARTTLS, then AUTH LOGIN (kind: mailbox) or XOAUTH2 "
        "(kind: application)."),
    Explanation(
        "basic-auth-retired", "5.7.30",
        "550 5.7.30 Basic authentication is not supported for Client Submission.",
        "Basic authentication for SMTP AUTH is retired",
        "AUTH LOGIN with a password is refused: Microsoft disables basic authentication for SMTP AUTH "
        "by default from the end of December 2026 (reference section 4.1).",
        f"Move the sender from kind: mailbox to kind: application (OAuth client credentials, AUTH "
        f"XOAUTH2) in {_SENDER}; `relayctl lint SPEC` lists the remaining basic senders "
        f"(rule no-basic-smtp-auth); a waiver only records the exception, it does not re-enable it."),
    Explanation(
        "not-authenticated", "5.7.57",
        "530 5.7.57 Client not authenticated to send mail. Error: 530 5.7.57 SMTP; Client was not "
        "authenticated to send anonymous mail during MAIL FROM",
        "Client did not authenticate",
        "The device connected to the client submission endpoint (smtp.office365.com) and sent MAIL "
        "FROM without AUTH: no credentials configured, or AUTH failed and the device carried on.",
        f"Either give the device credentials ({_SENDER}) or, for a device that cannot authenticate, "
        f"send to the MX endpoint on port 25 through a declared connector (connectors.<name>)."),
    Explanation(
        "send-as-denied", "5.2.252",
        "554 5.2.252 SendAsDenied; erp@contoso.com not allowed to send as invoices@contoso.com; "
        "STOREDRV.Submission.Exception:SendAsDeniedException.MapiExceptionSendAsDenied",
        "Send-as denied for the From address",
        "The account authenticated, but the From address is another mailbox and the account holds no "
        "SendAs permission on it.",
        "Add `{trustee: <service account>, mailbox: <From address>}` to sendAs, then `pulumi up`; or "
        "send From the account's own mailbox. New permissions can take several minutes to apply.",
        text=r"SendAsDenied|not allowed to send as"),
    Explanation(
        "send-as-throttled", "5.2.252",
        "550 5.2.252 Sender throttled due to continuous send as denied errors.",
        "Sender throttled after repeated send-as refusals",
        "The device kept sending with a From address it may not use; Exchange now blocks SMTP AUTH "
        "for this mailbox for a while (continuous error throttling).",
        "Fix the send-as grant first (sendAs: {trustee, mailbox}, `pulumi up`), then stop the "
        "device's retries until the block expires.",
        text=r"throttled"),
    Explanation(
        "send-as-client", "5.7.60",
        "550 5.7.60 SMTP; Client does not have permissions to send as this sender",
        "No permission to send as this sender",
        "The authenticated account is not the From address and holds no SendAs on it.",
        "Add `{trustee: <service account>, mailbox: <From address>}` to sendAs, then `pulumi up`."),
    Explanation(
        "invalid-license-throttled", "5.2.253",
        "550 5.2.253 Sender throttled due to continuous invalid license errors.",
        "The sending mailbox has no Exchange Online licence",
        "SMTP AUTH needs a licensed mailbox; repeated failures got the sender throttled.",
        f"Give the mailbox a licence: {_SENDER}.create.license for mailboxes the stack creates, or "
        f"assign one in the admin centre; {_APPLY}."),
    Explanation(
        "error-throttled", "5.2.251-255",
        "550 5.2.251 Sender throttled due to continuous mailbox full errors.",
        "Sender throttled after repeated errors",
        "Exchange blocks SMTP AUTH for a mailbox that keeps failing with the same error (mailbox full, "
        "send-as denied, invalid licence, too many or invalid recipients).",
        "Read the error that preceded the block (`relayctl test-send SPEC <name>` shows it), fix it, "
        "and stop the device retrying until the block expires."),
    Explanation(
        "sender-thread-limit", "4.3.2",
        "432 4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded",
        "Too many concurrent connections for one mailbox",
        "More than three SMTP AUTH sessions submit for the same mailbox at once.",
        "Limit the application to one to three concurrent SMTP connections per sender; it may retry "
        "later.", transient=True),
    Explanation(
        "submission-quota", "5.2.0",
        "554 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException; Failed to process "
        "message due to a permanent exception with message Cannot submit message.",
        "Sending limit reached (10,000 recipients a day / 30 messages a minute)",
        "The mailbox exceeded the SMTP AUTH limits; the recipient limit is a rolling 24 hours.",
        "`relayctl usage SPEC` shows the sender's volume against the limits. Spread the load over "
        "several service accounts, or send bulk mail through a connector (connectors.<name>).",
        text=r"quota|SubmissionQuotaExceeded"),
    Explanation(
        "throttled", "4.7.0",
        "421 4.7.0 Temporary server error. Please try again later.",
        "Temporarily throttled",
        "Exchange Online deferred the session: too many messages or connections in a short time (the "
        "SMTP AUTH limit is 30 messages a minute), or a transient service condition.",
        "Let the device retry with backoff; if it persists, `relayctl usage SPEC` shows whether the "
        "sender runs near 30 messages a minute.", transient=True),
    Explanation(
        "tls-legacy-refused", "4.7.66",
        "421 4.7.66 TLS 1.0 and 1.1 are not supported. Please upgrade/update your client to support TLS 1.2.",
        "TLS 1.0/1.1 refused: the client must use TLS 1.2",
        "The device negotiated TLS 1.0 or 1.1 with smtp.office365.com after STARTTLS; Exchange Online "
        "accepts TLS 1.2 or later only. It is not a rate limit: retrying changes nothing.",
        "Update the device's firmware or OS so it offers TLS 1.2. For a device that cannot, Microsoft's "
        "opt-in legacy endpoint smtp-legacy.office365.com (enabled per tenant with Set-TransportConfig "
        "-AllowLegacyTLSClients $true) is a stopgap, not a fix; a connector relay from a TLS 1.2 host is "
        "the lasting one."),
    Explanation(
        "eop-ip-deferred", "4.7.500-699",
        "451 4.7.500 Access denied, please try again later. AS(7230)",
        "Exchange Online Protection defers mail from this IP (often a new relay IP)",
        "EOP does not yet trust the connecting IP, or is throttling it: typical for a relay IP that has "
        "not sent to Microsoft 365 before, or one whose volume jumped. The ASxxx number is EOP's own "
        "reason code.",
        "Let the relay queue and retry (the deferral is temporary), ramp volume up gradually from a new "
        "IP, and make sure the IP is in connectors.<name>.senderIPs so the mail is attributed to the "
        "tenant; if it persists for days, check the IP at sender.office.com.", transient=True),
    Explanation(
        "spam-abuse-blocked", "5.7.501-503",
        "550 5.7.501 Access denied, spam abuse detected.",
        "Sender blocked after spam was detected (spam abandonment or banned sender)",
        "Exchange Online Protection detected spam from this account or connection and blocked it; the "
        "5.7.502 and 5.7.503 variants name a banned sender.",
        "Treat the sender as compromised: rotate its credential (`pulumi up` for kind: application), "
        "check `relayctl usage SPEC` for the burst, then ask Microsoft support (or the Defender portal's "
        "Restricted entities) to lift the block."),
    Explanation(
        "terrl", "5.7.233",
        "550 5.7.233 Remote server returned 'Message rejected due to tenant external recipient rate "
        "limit'",
        "Tenant external recipient rate limit (TERRL)",
        "The whole tenant exceeded its daily external recipient allowance (500 × licences^0.7 + 9,500; "
        "5,000 on trial tenants). Every sender in the tenant counts, not only this one.",
        "`relayctl usage SPEC` shows which senders drive the volume; move bulk mail to High Volume "
        "Email (internal) or a dedicated bulk service. The limit resets over a rolling 24 hours."),
    Explanation(
        "hve-external", "5.5.105",
        "550 5.5.105 External sending is not supported for High Volume Email accounts",
        "High Volume Email cannot reach external recipients",
        "HVE accounts (smtp-hve.office365.com) deliver to recipients inside the tenant only.",
        "Send external mail through a service account on smtp.office365.com or a connector."),
    # --- Connector relay and direct send (the MX endpoint, port 25) ----------------------------
    Explanation(
        "relay-denied", "5.7.64",
        "550 5.7.64 TenantAttribution; Relay Access Denied",
        "Relay denied: no connector recognises the sender",
        "Mail for an external recipient reached the MX endpoint from an IP address (or TLS "
        "certificate) that no inbound connector of the tenant matches, so Exchange will not relay it.",
        "Add the device's public egress IP to connectors.<name>.senderIPs (or set certificateName "
        "to a name in its certificate), then `pulumi up`; `relayctl headers` on a received message "
        "shows the connecting IP (CIP) Exchange saw."),
    Explanation(
        "direct-send-rejected", "5.7.68",
        "550 5.7.68 TenantInboundAttribution; Direct Send not allowed for this organization from "
        "unauthorized sources",
        "Direct send is rejected for this tenant",
        "tenant.rejectDirectSend is true and the message, From one of our domains, arrived "
        "unauthenticated and not through a connector.",
        "Keep rejectDirectSend on and send through a declared connector (connectors.<name>.senderIPs "
        f"with the device's public IP) or authenticate ({_SENDER}); for a SaaS platform sending as our "
        "domain, declare a partner connector (type: partner) with its IPs or certificate; then `pulumi up`."),
    Explanation(
        "partner-connector-restricted", "5.7.51",
        "550 5.7.51 TenantInboundAttribution; There is a partner connector configured that matched the "
        "message's sender domain",
        "A partner connector refused the source",
        "A Partner inbound connector scopes the sender's domain and restricts it to IP addresses "
        "(RestrictDomainsToIPAddresses) or a certificate (RestrictDomainsToCertificate), and the "
        "connecting server matched neither: a partner sending from a new IP, a renewed certificate with "
        "another name, or someone else sending as that domain.",
        "Compare the connecting IP (`relayctl headers` shows the CIP) and the certificate the partner "
        "presents with connectors.<name>.senderIPs / certificateName; if the partner changed them, update "
        "the spec from the partner's published list and `pulumi up`. Mail from anyone else is rightly refused."),
    Explanation(
        "tenant-threshold", "5.7.705",
        "550 5.7.705 Access denied, tenant has exceeded threshold.",
        "The whole tenant is blocked from sending for spam or bulk volume",
        "Exchange Online blocked the tenant's outbound mail after it sent too much spam or bulk mail, "
        "typically from a compromised server relaying through a connector or a compromised admin that "
        "created one; rarely, a renewed subscription is blocked for a day.",
        "Find the source: `relayctl audit SPEC` lists connectors nobody declared and `relayctl usage "
        "SPEC` the senders driving the volume; close it, then ask Microsoft support to remove the block."),
    Explanation(
        "tenant-ip-refused", "5.7.708",
        "550 5.7.708 Service unavailable. Access denied, traffic not accepted from this IP.",
        "Microsoft refuses relay traffic from this tenant",
        "Typically a new or trial tenant, or relayed traffic judged risky: Microsoft stops relaying "
        "through the tenant's connectors until its reputation is established.",
        "Check the connector IPs are static and used only by you (connectors.<name>.senderIPs), that "
        "the sending domains pass SPF/DKIM/DMARC (`relayctl dns SPEC`); send through SMTP AUTH "
        "meanwhile and ask Microsoft support to review the tenant."),
    Explanation(
        "unregistered-domain", "5.7.750",
        "550 5.7.750 Service unavailable. Client blocked from sending from unregistered domains.",
        "Sending domain not registered in the tenant",
        "Mail relayed through a connector came From a domain that is not an accepted domain of the "
        "tenant.",
        "Send From a domain declared under domains (and verified in the tenant), and list it in "
        "connectors.<name>.senderDomains."),
    Explanation(
        "banned-ip", "5.7.606-649",
        "550 5.7.606 Access denied, banned sending IP [203.0.113.7]",
        "Sending IP on Microsoft's block list",
        "The public IP the mail came from is on Microsoft's blocked senders list.",
        "Request delisting at sender.office.com, and check that the relay host is not an open relay "
        "or compromised."),
    Explanation(
        "customer-block-list", "5.7.513",
        "550 5.7.513 Service unavailable, Client host [203.0.113.7] blocked by contoso.com using Customer "
        "Block list (AS16012607)",
        "Sending IP on the receiving tenant's own IP Block List",
        "The connecting IP is on the IP Block List of the receiving tenant's connection filter policy, "
        "so Exchange refused the mail before any "
        "filtering; such refusals do not appear in message trace.",
        "If the tenant is yours: remove the address from tenant.connectionFilter.ipBlockList, " + _APPLY
        + " (it reports block entries nobody declared as unexpected). If it is someone else's, only "
        "they can remove it."),
    Explanation(
        "bad-outbound-sender", "5.1.8",
        "550 5.1.8 Access denied, bad outbound sender",
        "Account restricted for sending spam",
        "Microsoft blocked the account from sending after it sent mail judged as spam, often with "
        "stolen credentials.",
        "Rotate the service account's credential (for kind: application a new secret or certificate, "
        "`pulumi up`), check `relayctl usage SPEC` for the burst, then release the account from "
        "Restricted entities in the Defender portal."),
    Explanation(
        "blocklisted-client", "5.7.1",
        "550 5.7.1 Service unavailable, Client host [203.0.113.7] blocked using Spamhaus",
        "Connecting IP is on a public block list",
        "Direct send or relay from an IP listed on a block list Microsoft consults.",
        "Delist the IP with the list's operator; `relayctl dns SPEC` checks the connector IPs "
        "against DNS block lists.",
        text=r"blocked using|block ?list"),
    Explanation(
        "recipient-rejected", "5.4.1",
        "550 5.4.1 Recipient address rejected: Access denied. AS(201806281)",
        "Recipient address does not exist in the tenant (directory-based edge blocking)",
        "The recipient's domain is an accepted domain of the receiving tenant and no mailbox, group or "
        "contact there has that address, so Exchange Online refused it at the edge. For a test "
        "message through a connector: the To address is wrong, not the relay.",
        "Check the recipient address (`relayctl test-send SPEC <sender> --to` an existing mailbox). If "
        "the domain's mail is hosted elsewhere too, its accepted domain must be Internal Relay, which "
        "is outside the spec."),
    # --- TLS and the network ----------------------------------------------------------------------
    Explanation(
        "tls-version", "TLS-VERSION",
        "",
        "TLS version below 1.2",
        "Exchange Online accepts TLS 1.2 or later only; the client offered TLS 1.0/1.1 (old firmware "
        "or operating system), so the handshake failed.",
        "Update the device firmware or OS to support TLS 1.2; the legacy TLS endpoint "
        "smtp-legacy.office365.com is an opt-in stopgap, not a fix.",
        text=r"unsupported protocol|protocol version|wrong version number|TLSv1(\.[01])?\b|tls ?1\.[01]\b"),
    Explanation(
        "no-starttls", "STARTTLS-MISSING",
        "",
        "The server offered no STARTTLS",
        "The session had no STARTTLS to upgrade to: wrong port (465 is not supported), or a firewall "
        "doing SMTP inspection strips STARTTLS from the greeting.",
        "Use port 587 with STARTTLS for SMTP AUTH (port 25 for relay), and turn off SMTP/ESMTP "
        "inspection on the firewall in between.",
        text=r"STARTTLS extension not supported|must issue a STARTTLS|no starttls"),
    Explanation(
        "tls-certificate", "TLS-CERTIFICATE",
        "",
        "Server certificate not trusted",
        "The client could not verify the server's certificate: it connected by IP address instead of "
        "the DNS name, or its CA bundle is out of date (against the sandbox: its CA is not trusted).",
        "Connect to the DNS name (smtp.office365.com, or the MX endpoint) and update the CA bundle; "
        "for the sandbox set RELAY_CA_FILE to its ca.pem. Never turn verification off.",
        text=r"certificate verify failed|CERTIFICATE_VERIFY_FAILED|hostname mismatch"),
    Explanation(
        "network", "4.4.*",
        "421 4.4.2 Connection dropped due to SocketError",
        "Network or routing failure",
        "The connection dropped, timed out or was refused, or a message aged out of the queue (4.4.7). "
        "Many ISPs and clouds block outbound port 25.",
        "Check that the host can reach the endpoint on port 587 (SMTP AUTH) or 25 (MX); `relayctl dns "
        "SPEC` shows the MX endpoint of each domain.", transient=True,
        text=r"connection (refused|dropped|reset)|timed out|socketerror"),
    # --- Entra sign-in (the token request before XOAUTH2) ----------------------------------------
    Explanation(
        "aad-bad-secret", "AADSTS7000215",
        "AADSTS7000215: Invalid client secret provided.",
        "Wrong client secret",
        "The secret presented is not one of the application's current secrets (a typo, or the value's "
        "ID was copied instead of the value).",
        "Give the device the current secret the stack created for this service account (credential "
        "type secret); never pass it as a command-line flag."),
    Explanation(
        "aad-expired-secret", "AADSTS7000222",
        "AADSTS7000222: The provided client secret keys for app are expired.",
        "Client secret expired",
        "Every secret of the application has passed its end date.",
        f"{_SENDER}.credential.expiresInDays sets the lifetime; `pulumi up` issues a new secret; "
        f"prefer credential type federated or certificate."),
    Explanation(
        "aad-app-not-found", "AADSTS700016",
        "AADSTS700016: Application with identifier '...' was not found in the directory '...'.",
        "Application not found in the tenant",
        "The client id is wrong, the app was deleted, or the token was requested from another tenant.",
        "Check tenant.id and the client id the stack output for the service account; `pulumi up` "
        "creates missing apps."),
    Explanation(
        "aad-tenant-not-found", "AADSTS90002",
        "AADSTS90002: Tenant '...' not found.",
        "Tenant not found",
        "The tenant id or domain in the token request does not exist in this cloud.",
        "Set tenant.id (and RELAY_TENANT_ID / AZURE_TENANT_ID) to the tenant GUID."),
    Explanation(
        "aad-bad-assertion", "AADSTS700027",
        "AADSTS700027: Client assertion failed signature validation.",
        "Certificate not registered on the application",
        "The certificate that signed the client assertion is not a credential of the application.",
        f"{_SENDER}.credential.certificateFile must be the public certificate of the key the device "
        f"holds; `pulumi up` registers it."),
    Explanation(
        "aad-federation-mismatch", "AADSTS70021",
        "AADSTS70021: No matching federated identity record found for presented assertion.",
        "Workload identity token does not match the federated credential",
        "The external token's issuer, subject or audience differs from the app's federated identity "
        "credential (e.g. a different branch or environment).",
        f"Align {_SENDER}.credential.issuer, subject and audiences with the workload's token claims "
        f"(for GitHub: repo:<org>/<repo>:environment:<env>), then `pulumi up`.",
        text=r"federated|assertion"),
    Explanation(
        "aad-bad-scope", "AADSTS70011",
        "AADSTS70011: The provided value for the input parameter 'scope' isn't valid.",
        "Wrong token scope",
        "Client-credentials tokens for SMTP must ask for https://outlook.office365.com/.default.",
        "Use the scope https://outlook.office365.com/.default (`relayctl test-send` does)."),
    Explanation(
        "aad-no-exchange", "AADSTS500011",
        "AADSTS500011: The resource principal named https://outlook.office365.com was not found in "
        "the tenant.",
        "Exchange Online is not provisioned in the tenant",
        "The tenant has no Exchange Online (no licence that includes it) so no token can be issued "
        "for it.",
        "Add an Exchange Online licence to the tenant before using SMTP senders."),
    # --- Authentication verdicts in received headers (relayctl headers) --------------------------
    Explanation(
        "spf-fail", "spf=fail",
        "spf=fail (sender IP is 192.0.2.77) smtp.mailfrom=contoso.com",
        "SPF failed: the sending IP is not authorised for the envelope domain",
        "The connecting IP is not in the domain's SPF record (a new NAT address, a device sending "
        "directly instead of through the relay).",
        "If the IP is a relay egress, add it to connectors.<name>.senderIPs: the domain's SPF gains it "
        "(computed, `relayctl dns SPEC` checks it is published); otherwise route the device through "
        "the connector or SMTP AUTH.",
        text=r"spf=(fail|softfail)"),
    Explanation(
        "dkim-fail", "dkim=fail",
        "dkim=fail (no key for signature) header.d=contoso.com",
        "DKIM failed",
        "The signature did not verify: the selector has no published key (wrong selector, CNAME "
        "missing or proxied), or the message was altered in transit.",
        "Keep domains.<d>.dkim.enabled: true and publish both selector CNAMEs the stack outputs "
        "(targets read from the tenant); `relayctl dns SPEC` checks them."),
    Explanation(
        "dkim-none", "dkim=none",
        "dkim=none (message not signed) header.d=none",
        "The message was not DKIM-signed",
        "Exchange signs outbound mail with the domain's key only when DKIM is enabled for it; mail that "
        "bypassed Exchange (direct from the device to the recipient) is never signed.",
        "Set domains.<d>.dkim.enabled: true and send through Microsoft 365 (SMTP AUTH or a connector)."),
    Explanation(
        "dmarc-fail", "dmarc=fail",
        "dmarc=fail action=oreject header.from=contoso.com",
        "DMARC failed: neither SPF nor DKIM aligned with the From domain",
        "The From domain's DMARC record asks receivers to act when neither an aligned SPF pass nor an "
        "aligned DKIM pass exists.",
        "Fix SPF (connector IPs in domains.<d>.spf via connectors.<name>.senderIPs) or DKIM "
        "(domains.<d>.dkim) for the From domain; relax domains.<d>.dmarc.policy only while you fix it."),
    Explanation(
        "compauth-explicit", "compauth=fail reason=000",
        "compauth=fail reason=000",
        "Composite authentication failed explicitly (DMARC fail with reject/quarantine)",
        "The message failed DMARC and the From domain's policy is quarantine or reject.",
        "Make SPF or DKIM pass aligned for the From domain (see the spf/dkim verdicts above)."),
    Explanation(
        "compauth-implicit", "compauth=fail reason=001",
        "compauth=fail reason=001",
        "Composite authentication failed implicitly",
        "The From domain publishes no DMARC (or p=none, SPF softfail/neutral) and Microsoft's own "
        "checks judged the message spoofed.",
        "Declare domains.<d>.dmarc and make SPF/DKIM pass for the domain; `relayctl dns SPEC`."),
    Explanation(
        "compauth-blocked", "compauth=fail reason=002",
        "compauth=fail reason=002",
        "Sender/domain pair blocked by an admin spoof policy",
        "An admin blocked this sender/domain pair from sending spoofed mail (tenant allow/block list).",
        "Outside the spec: review the spoof intelligence entries in the Defender portal."),
    Explanation(
        "compauth-intra-org", "compauth=fail reason=010",
        "compauth=fail reason=010",
        "Intra-organisation spoofing refused (DMARC fail on our own domain)",
        "Mail From one of the tenant's accepted domains failed DMARC (reject/quarantine): typically a "
        "device sending directly or from an IP missing from the connector and SPF.",
        "Route the device through a declared connector whose senderIPs include its public IP (SPF "
        "gains it) or through SMTP AUTH, so the mail is attributed to the tenant."),
    Explanation(
        "compauth-intra-org-implicit", "compauth=fail reason=6xx",
        "compauth=fail reason=601",
        "Intra-organisation spoofing (implicit)",
        "Mail From one of the tenant's accepted domains failed implicit authentication.",
        "Same as reason 010: send through a declared connector or SMTP AUTH, and publish DMARC."),
    Explanation(
        "ip-allow-listed", "IPV:CAL",
        "X-Forefront-Antispam-Report: CIP:203.0.113.7;IPV:CAL;SFV:SKN;SCL:-1",
        "Spam filtering skipped: the sending IP is on the connection filter's IP Allow List",
        "The connecting IP is on the tenant's IP Allow List (IPV:CAL), so the message skipped spam "
        "filtering and the SPF, DKIM and DMARC verdicts (CIS 2.1.12); anyone sending from that address "
        "gets the same pass.",
        "Recognise the device by a connector (connectors.<name>.senderIPs) and remove the address from "
        "tenant.connectionFilter.ipAllowList (`relayctl audit SPEC` lists every entry and the connector "
        "it duplicates), " + _APPLY + ".",
        text=r"IPV:CAL|IP Allow List"),
    Explanation(
        "spam-verdict", "SCL 5-9",
        "X-MS-Exchange-Organization-SCL: 5",
        "Filtered as spam (spam confidence level 5 or more)",
        "Exchange Online Protection scored the message as spam (SFV:SPM) and routed it to Junk or "
        "quarantine; failed authentication (compauth) is the most common reason for relay mail.",
        "Fix the authentication failures listed with it first; mail that passes SPF/DKIM/DMARC through "
        "a connector or SMTP AUTH is rarely filtered. Never add a blanket SCL -1 bypass rule."),
)
