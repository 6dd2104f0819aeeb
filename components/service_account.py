"""o365relay:identity:SmtpServiceAccount: an identity that authenticates to SMTP AUTH.

``application``: an Entra app + service principal holding ``SMTP.SendAsApp`` on Office 365 Exchange
Online, its credential (federated identity preferred, certificate, or a client secret kept secret),
its registration in Exchange and FullAccess on its mailbox. The identity running ``pulumi up`` is listed
as an owner of both: the azuread provider removes itself as owner of what it creates unless ``owners``
names it, and a deployer holding only ``Application.ReadWrite.OwnedBy`` could then never change (or add
the credential to) the application it just made.

``mailbox``: a mailbox the stack may also create (an Entra user with a generated password, always
secret, and a licence assigned after its usage location is set).

Either needs SMTP AUTH enabled on its mailbox: ``mailbox_smtp_auth`` makes one exception per mailbox,
named by the mailbox rather than the spec key, so renaming a key (or two keys sharing a mailbox and one
going away) never releases the exception a device still uses.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pulumi
import pulumi_azuread as azuread
import pulumi_random as random

from components.providers.full_access import FullAccessGrant
from components.providers.license import LicenseAssignment
from components.providers.mailbox_smtp_auth import MailboxSmtpAuth
from components.providers.service_principal import ServicePrincipal as ExchangeServicePrincipal
from o365relay.errors import UsageError
from o365relay.naming import application_display_name
from o365relay.spec.certificate import PublicCertificate, read_public_certificate
from o365relay.spec.model import Credential, ServiceAccount

EXCHANGE_ONLINE_APP_ID = "00000002-0000-0ff1-ce00-000000000000"  # Office 365 Exchange Online
SMTP_SEND_AS_APP = "SMTP.SendAsApp"
PASSWORD_LENGTH = 32


class SmtpServiceAccount(pulumi.ComponentResource):
    """One declared service account; ``trustee`` is its identity for Send As grants, ``needs`` what
    must exist before SMTP AUTH can be enabled on its mailbox (a licence, when the stack creates it)."""

    mailbox: pulumi.Output[str]
    trustee: pulumi.Output[str]
    client_id: pulumi.Output[str | None]
    secret: pulumi.Output[str | None]  # client secret or initial password; always a Pulumi secret

    def __init__(self, name: str, account: ServiceAccount, spec_dir: Path,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("o365relay:identity:SmtpServiceAccount", name, {}, opts)
        self._name = name
        self.address = account.mailbox
        self.needs: list[pulumi.Resource] = []
        self.mailbox = pulumi.Output.from_input(account.mailbox)
        self.client_id = pulumi.Output.from_input(None)
        self.secret = pulumi.Output.secret(None)
        if account.kind == "application":
            self._application(account, spec_dir)
        else:
            self._mailbox(account)
        self.register_outputs({"mailbox": self.mailbox, "trustee": self.trustee,
                               "client_id": self.client_id, "secret": self.secret})

    def _opts(self, **kwargs: object) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(parent=self, **kwargs)  # type: ignore[arg-type]

    def _application(self, account: ServiceAccount, spec_dir: Path) -> None:
        name = self._name
        display_name = application_display_name(account.name)
        deployer = azuread.get_client_config_output(opts=pulumi.InvokeOutputOptions(parent=self)).object_id
        app = azuread.Application(f"{name}-app", display_name=display_name, notes=account.description or None,
                                  sign_in_audience="AzureADMyOrg", tags=["o365-relay"], owners=[deployer],
                                  opts=self._opts())
        sp = azuread.ServicePrincipal(f"{name}-sp", client_id=app.client_id, tags=["o365-relay"], owners=[deployer],
                                      opts=self._opts())
        exchange_online = azuread.get_service_principal_output(
            client_id=EXCHANGE_ONLINE_APP_ID, opts=pulumi.InvokeOutputOptions(parent=self))
        azuread.AppRoleAssignment(
            f"{name}-smtp-sendasapp",
            app_role_id=exchange_online.app_role_ids.apply(lambda ids: ids[SMTP_SEND_AS_APP]),
            principal_object_id=sp.object_id, resource_object_id=exchange_online.object_id, opts=self._opts())
        self._credential(app, account.credential, spec_dir)

        registration = ExchangeServicePrincipal(
            f"{name}-exchange-sp", {"app_id": app.client_id, "object_id": sp.object_id, "display_name": display_name},
            self._opts())
        FullAccessGrant(f"{name}-fullaccess", {"mailbox": account.mailbox, "user": registration.identity,
                                               "service_account": account.name}, self._opts())
        self.client_id = app.client_id
        self.trustee = registration.identity

    def _credential(self, app: azuread.Application, credential: Credential | None, spec_dir: Path) -> None:
        name = self._name
        if credential is None or credential.type == "federated":
            if credential is None or not (credential.issuer and credential.subject):
                raise UsageError(f"service account {name}: a federated credential needs issuer and subject")
            azuread.ApplicationFederatedIdentityCredential(
                f"{name}-federated", application_id=app.id, display_name=f"o365-relay-{name}",
                issuer=credential.issuer, subject=credential.subject, audiences=list(credential.audiences),
                opts=self._opts())
        elif credential.type == "certificate":
            certificate = _read_certificate(spec_dir, credential.certificate_file, name)
            azuread.ApplicationCertificate(
                f"{name}-certificate", application_id=app.id, type="AsymmetricX509Cert", encoding="pem",
                value=certificate.pem, end_date=certificate.not_after.strftime("%Y-%m-%dT%H:%M:%SZ"),
                opts=self._opts())
        else:
            days = credential.expires_in_days
            password = azuread.ApplicationPassword(
                f"{name}-client-secret", application_id=app.id, display_name=application_display_name(name),
                end_date_relative=f"{days * 24}h" if days else None, opts=self._opts())
            self.secret = pulumi.Output.secret(password.value)

    def _mailbox(self, account: ServiceAccount) -> None:
        name = self._name
        if account.create is not None:
            create = account.create
            password = random.RandomPassword(f"{name}-initial-password", length=PASSWORD_LENGTH, special=True,
                                             min_lower=2, min_upper=2, min_numeric=2, min_special=2,
                                             opts=self._opts())
            user = azuread.User(
                f"{name}-user", user_principal_name=account.mailbox,
                display_name=create.display_name or account.name, mail_nickname=account.mailbox.split("@")[0],
                password=password.result, usage_location=create.usage_location,
                # a scanner cannot answer a "change your password" prompt or follow an expiry
                force_password_change=False, disable_password_expiration=True, opts=self._opts())
            self.needs.append(LicenseAssignment(
                f"{name}-license", {"user": user.user_principal_name, "sku_part_number": create.license,
                                    "usage_location": create.usage_location}, self._opts()))
            self.secret = pulumi.Output.secret(password.result)
        self.trustee = pulumi.Output.from_input(account.mailbox)


def mailbox_smtp_auth(accounts: Mapping[str, SmtpServiceAccount],
                      parent: pulumi.Resource) -> list[MailboxSmtpAuth]:
    """One SMTP AUTH exception per declared mailbox, whichever keys declare it.

    Keyed by the mailbox, a rename of the key is no change at all; the aliases take over the exceptions
    that older versions named ``<key>-smtp-auth`` under the account, so existing stacks do not replace.
    """
    owners: dict[str, list[tuple[str, SmtpServiceAccount]]] = {}
    for key, account in accounts.items():
        owners.setdefault(account.address.casefold(), []).append((key, account))
    return [MailboxSmtpAuth(
        f"{mailbox}-smtp-auth", {"mailbox": declared[0][1].address, "enabled": True},
        pulumi.ResourceOptions(parent=parent, depends_on=[n for _, a in declared for n in a.needs],
                               aliases=[pulumi.Alias(name=f"{key}-smtp-auth", parent=a) for key, a in declared]))
        for mailbox, declared in owners.items()]


def _read_certificate(spec_dir: Path, certificate_file: str | None, name: str) -> PublicCertificate:
    """The public certificate of a certificate credential (parsed; nothing else reaches state)."""
    if not certificate_file:
        raise UsageError(f"service account {name}: a certificate credential needs certificateFile")
    try:
        return read_public_certificate(spec_dir, certificate_file)
    except UsageError as error:
        raise UsageError(f"service account {name}: {error}") from None
