"""One SMTP conversation on the planned wire, with the sender's credential, and its reply explained."""

from __future__ import annotations

from email.message import EmailMessage

from o365relay.smtp.send import SendResult, deliver, submit
from o365relay.tenant.settings import Endpoints
from o365relay.tenant.sync import run_sync
from o365relay.testsend.credentials import mailbox_password, sender_client_id, sender_token
from o365relay.testsend.diagnose import diagnose_oauth
from o365relay.testsend.endpoints import mx_endpoint, submission_endpoint
from o365relay.testsend.plan import ANONYMOUS, SendPlan


def attempt(plan: SendPlan, msg: EmailMessage, endpoints: Endpoints, *, client_id: str | None = None,
            client_ip: str | None = None, client_cert: tuple[str, str] | None = None) -> SendResult:
    """Send ``msg`` as ``plan`` says: port 25 to the MX endpoint (connector, direct, partner; ``client_ip``
    is the sandbox's XCLIENT, ``client_cert`` the certificate and key a partner's server presents), or
    submission with AUTH LOGIN (mailbox) or XOAUTH2 (oauth)."""
    if plan.method in ANONYMOUS:
        host, port = mx_endpoint(endpoints, plan.login.rpartition("@")[2])
        return deliver(host, port, msg, client_ip=client_ip, ca_file=endpoints.ca_file, client_cert=client_cert)
    host, port = submission_endpoint()
    if plan.method == "mailbox":
        password = mailbox_password()
        return submit(host, port, msg, plan.login, password=lambda: password, ca_file=endpoints.ca_file)
    app_id = sender_client_id(client_id)
    token = run_sync(sender_token(endpoints, app_id))
    result = submit(host, port, msg, plan.login, token=token, ca_file=endpoints.ca_file)
    explanation = result.diagnosis.explanation if result.diagnosis else None
    if not result.accepted and explanation is not None and explanation.key == "auth-rejected":
        result.diagnosis = run_sync(diagnose_oauth(endpoints, token, app_id, result.reply))
    return result
