"""The SMTP replies Exchange Online gives, as the sandbox's endpoints give them.

Texts follow Microsoft's documentation and published NDR references (section 3-4 of the reference
notes); the bracketed host name ends most of them, as on the real service. Kept in one place so the
explain table (o365relay/smtp) and the tests can name them.
"""

from __future__ import annotations

HOST = "SANDBOX01.prod.outlook.com"

AUTH_OK = "235 2.7.0 Authentication successful"
AUTH_FAILED = f"535 5.7.3 Authentication unsuccessful [{HOST}]"
SMTP_AUTH_DISABLED = (
    "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the "
    "{scope}. Visit https://aka.ms/smtp_auth_disabled for more information. [" + HOST + "]"
)
# An authentication policy (the user's, else the org default) with AllowBasicAuthSmtp False; the tail is
# one of those Microsoft lists for 5.7.139 (reference notes, "SMTP replies checked on 2026-11-30").
BASIC_AUTH_DISABLED = f"535 5.7.139 Authentication unsuccessful, basic authentication is disabled. [{HOST}]"
BASIC_REFUSED = f"550 5.7.30 Basic authentication is not supported for Client Submission. [{HOST}]"
AUTH_NEEDS_TLS = f"504 5.7.4 Unrecognized authentication type [{HOST}]"
NOT_AUTHENTICATED = f"530 5.7.57 Client not authenticated to send mail. [{HOST}]"
SEND_AS_DENIED = (
    "554 5.2.252 SendAsDenied; {mailbox} not allowed to send as {sender}; "
    "STOREDRV.Submission.Exception:SendAsDeniedException.MapiExceptionSendAsDenied; "
    "Failed to process message due to a permanent exception with message "
    "[BeginDiagnosticData]Cannot submit message. [EndDiagnosticData] [" + HOST + "]"
)
SUBMISSION_QUOTA = (
    "554 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException; "
    "Failed to process message due to a permanent exception with message "
    "[BeginDiagnosticData]Cannot submit message. [EndDiagnosticData] [" + HOST + "]"
)
RECIPIENT_QUOTA = (
    f"550 5.1.90 Your message can't be sent because you've reached your daily limit for message recipients. [{HOST}]"
)
TENANT_ATTRIBUTION = f"550 5.7.64 TenantAttribution; Relay Access Denied [{HOST}]"
DIRECT_SEND_DENIED = (
    "550 5.7.68 TenantInboundAttribution; Direct Send not allowed for this organization "
    f"from unauthorized sources [{HOST}]"
)
CUSTOMER_BLOCK_LIST = (
    "550 5.7.513 Service unavailable, Client host [{ip}] blocked by {domain} using Customer Block list "
    "(AS16012607) [" + HOST + "]"
)
# The code and its cause (a Partner connector restricting its sender domains to IPs or a certificate
# the source missed) per Microsoft's NDR references as relayed by SaaS vendors' notes (ServiceNow
# KB2438997); the exact text after the code is [UNCONFIRMED].
PARTNER_RESTRICTED = (
    "550 5.7.51 TenantInboundAttribution; There is a partner connector configured that matched the "
    "message's sender domain, and it restricts that domain to IP addresses or a certificate this "
    f"source doesn't match [{HOST}]"
)
RECIPIENT_UNKNOWN = f"550 5.4.1 Recipient address rejected: Access denied. [{HOST}]"
CONNECTOR_NEEDS_TLS = f"451 5.7.3 STARTTLS is required to send mail [{HOST}]"
XCLIENT_DENIED = "550 5.7.0 Error: insufficient authorization"
XCLIENT_BAD_ADDR = "501 5.5.4 Bad ADDR syntax: {value}"
RECIPIENT_OK = "250 2.1.5 Recipient OK"
SENDER_OK = "250 2.1.0 Sender OK"


def queued(message_id: str) -> str:
    """The end-of-DATA reply for an accepted message."""
    return f"250 2.0.0 OK {message_id} [Hostname={HOST}]"


def customer_block_list(ip: str, domain: str) -> str:
    """The recipient tenant's connection filter IP Block List holds the connecting IP (Microsoft's NDR
    table: 5.7.513)."""
    return CUSTOMER_BLOCK_LIST.format(ip=ip, domain=domain)


def smtp_auth_disabled(scope: str) -> str:
    """``scope`` is "Tenant" (org switch, mailbox inherits) or "Mailbox" (the mailbox's own switch)."""
    return SMTP_AUTH_DISABLED.format(scope=scope)
