"""SMTP AUTH and sender-credential rules.

The spec cannot declare an SMTP AUTH exception by itself: the program switches SMTP AUTH on for the
mailbox of each declared service account (OAuth senders need it too) and for nothing else. So at spec
level "exceptions only for declared senders" holds by construction; what a rule can check here is the
org-wide switch. The policy pack's stack policy checks the program's ``exchange:MailboxSmtpAuth``
resources against the spec, and the audit finds undeclared exceptions in the tenant.

Authentication policies: the loader refuses a policy that blocks a mailbox sender's basic SMTP; the
rule here catches the opposite, a policy that opens more than the relay needs.
"""

from __future__ import annotations

from collections.abc import Iterator

from o365relay.rules.base import LintOptions, Violation, rule
from o365relay.spec.model import RelaySpec, ServiceAccount, SpecPath


@rule(
    "no-basic-smtp-auth",
    rationale="Basic authentication for SMTP AUTH is off by default from the end of December 2026; "
    "a password sender then stops working and meanwhile is a phishable credential.",
    baselines=("MS.EXO.5.1v1", "CIS 6.5.4"),
    severity="high",
    fix="Move the device to OAuth: declare it as `kind: application` with a federated or certificate "
    "credential, or send through a connector (connectors.<name>.senderIPs) instead of SMTP AUTH.",
)
def no_basic_smtp_auth(spec: RelaySpec, options: LintOptions) -> Iterator[Violation]:
    if not options.basic_smtp_auth_forbidden:
        return
    for name, account in spec.service_accounts.items():
        if account.kind == "mailbox":
            yield Violation(("serviceAccounts", name), f"service account {name} sends as {account.mailbox} "
                            "with Basic SMTP AUTH (a mailbox password)")


@rule(
    "org-smtp-auth-off",
    rationale="SMTP AUTH stays off for the organisation; only the mailboxes of declared senders get an "
    "exception, so no other mailbox can be used to submit mail with a password.",
    baselines=("MS.EXO.5.1v1", "CIS 6.5.4"),
    severity="high",
    fix="Set `tenant.smtpAuth: disabled`; each declared service account's mailbox gets its own exception.",
    waivable=False,
)
def org_smtp_auth_off(spec: RelaySpec, options: LintOptions) -> Iterator[Violation]:
    return org_smtp_auth_violations("enabled" if spec.tenant.smtp_auth == "enabled" else "disabled")


def org_smtp_auth_violations(setting: str) -> Iterator[Violation]:
    """The org-wide switch alone (shared with the policy pack's ``exchange:OrgSmtpAuth`` policy)."""
    if setting != "disabled":
        yield Violation(("tenant", "smtpAuth"), "SMTP AUTH is enabled for every mailbox in the organisation")


def credential_violations(
    account: ServiceAccount, path: SpecPath, max_secret_days: int
) -> Iterator[Violation]:
    credential = account.credential
    if credential is None:
        yield Violation(path, f"application sender {account.name} declares no credential")
        return
    if credential.type != "secret":
        return
    days = credential.expires_in_days
    if days is None:
        yield Violation((*path, "credential"), f"application sender {account.name} uses a client secret "
                        f"without an expiry (policy: at most {max_secret_days} days)")
    elif days > max_secret_days:
        yield Violation((*path, "credential", "expiresInDays"), f"application sender {account.name} uses a "
                        f"client secret valid for {days} days (policy: at most {max_secret_days})")


@rule(
    "oauth-strong-credential",
    rationale="A federated identity or a certificate leaves no reusable secret to leak; a client secret "
    "is tolerated only with a short expiry.",
    baselines=(),
    severity="medium",
    fix="Use `credential: {type: federated, issuer: ..., subject: ...}` (CI, workload identity) or "
    "`{type: certificate, certificateFile: ...}`; if a secret is unavoidable, set "
    "`credential.expiresInDays` within the policy maximum (lint --max-secret-days).",
)
def oauth_strong_credential(spec: RelaySpec, options: LintOptions) -> Iterator[Violation]:
    for name, account in spec.service_accounts.items():
        if account.kind == "application":
            yield from credential_violations(account, ("serviceAccounts", name), options.max_secret_days)


@rule(
    "auth-policy-basic-scope",
    rationale="A relay sender needs Basic authentication for SMTP only; Basic allowed for other protocols, "
    "or for every user through the org default, is a password-spray target nobody declared a need for.",
    baselines=(),
    severity="medium",
    fix="List only smtp in authenticationPolicies.<name>.allowBasicAuth, give it only to the mailbox "
    "senders that need it (appliesTo), and make tenant.defaultAuthenticationPolicy one that allows nothing.",
)
def auth_policy_basic_scope(spec: RelaySpec, options: LintOptions) -> Iterator[Violation]:
    for name, policy in spec.authentication_policies.items():
        extra = [p for p in policy.allow_basic_auth if p != "smtp"]
        if extra:
            yield Violation(("authenticationPolicies", name, "allowBasicAuth"),
                            f"authentication policy {name} allows Basic authentication for {', '.join(extra)}")
    default = spec.authentication_policies.get(spec.tenant.default_authentication_policy or "")
    if default is not None and "smtp" in default.allow_basic_auth:
        yield Violation(("tenant", "defaultAuthenticationPolicy"),
                        f"the org default authentication policy {default.name} allows basic SMTP AUTH for "
                        "every user without a policy of their own")
