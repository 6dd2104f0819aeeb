"""The relay spec as typed, immutable values.

The loader (``o365relay.spec.loader``) builds these from YAML after the JSON Schema and the semantic
checks pass, so code that receives a :class:`RelaySpec` may trust every field. Defaults here are the
defaults of the spec format: keep them in step with ``schemas/relay.v1.schema.json`` (a test checks).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

SPEC_VERSION = 1

SmtpAuthSetting = Literal["enabled", "disabled"]
SpfAll = Literal["-all", "~all"]
DmarcPolicy = Literal["none", "quarantine", "reject"]
AccountKind = Literal["application", "mailbox"]
CredentialType = Literal["federated", "certificate", "secret"]
DnsBackendKind = Literal["none", "azure", "cloudflare"]
ConnectorDirection = Literal["inbound", "outbound"]
InboundKind = Literal["relay", "partner"]
OutboundTls = Literal["EncryptionOnly", "CertificateValidation", "DomainValidation"]
RolloutStage = Literal["observe", "enforce"]
# The protocols an Exchange authentication policy can allow Basic authentication for
# (the AllowBasicAuth<Protocol> switches of New-/Set-AuthenticationPolicy).
BasicAuthProtocol = Literal["activeSync", "autodiscover", "imap", "mapi", "offlineAddressBook", "outlookService",
                            "pop", "powershell", "reportingWebServices", "rpc", "smtp", "webServices"]
SignInLog = Literal["read", "unlicensed"]
Switch = Literal["smtpAuth", "rejectDirectSend"]
SWITCHES: tuple[Switch, ...] = ("smtpAuth", "rejectDirectSend")

MICROSOFT_SPF_INCLUDE = "spf.protection.outlook.com"
GITHUB_OIDC_ISSUER = "https://token.actions.githubusercontent.com"
ENTRA_TOKEN_EXCHANGE_AUDIENCE = "api://AzureADTokenExchange"

# A location in the source file: (line, column), both 1-based.
Position = tuple[int, int]
# A path into the spec, e.g. ("connectors", "dc1-relay", "senderIPs", 0).
SpecPath = tuple[str | int, ...]


def format_path(path: SpecPath) -> str:
    """Render a spec path the way users read it: ``connectors.dc1-relay.senderIPs[0]``."""
    out = "spec"
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


@dataclass(frozen=True)
class ConnectionFilter:
    """The tenant's default connection filter policy (``HostedConnectionFilterPolicy`` "Default").

    Entries are single IPv4 addresses or /24-/32 ranges, as connector sender IPs are. The allow list
    and the safe list let mail skip spam filtering; both stay empty/off unless a waiver says why.
    """

    ip_block_list: tuple[str, ...] = ()
    ip_allow_list: tuple[str, ...] = ()
    enable_safe_list: bool = False


@dataclass(frozen=True)
class Rollout:
    """A tenant-wide switch on its way to the safe value: ``observe`` leaves the tenant's switch as it is
    (audit and plan show what enforcing would break); ``enforce`` flips it, which the policy rules allow
    only when ``Tenant.evidence`` covers the last ``evidence_days`` days with no undeclared sender."""

    stage: RolloutStage
    evidence_days: int = 14


@dataclass(frozen=True)
class SeenSender:
    """One sender seen in the tenant's logs: how often, when first and last, from which IPs."""

    address: str
    count: int
    first: datetime
    last: datetime
    ips: tuple[str, ...] = ()


@dataclass(frozen=True)
class Evidence:
    """What ``relayctl smtp-auth-report --evidence`` read from the tenant over [start, end]: who signed in
    to SMTP AUTH with a password (Entra sign-in log; ``unlicensed`` when the tenant has no Entra ID
    P1/P2) and who sent from the spec's domains (message trace). Raw observations: the rules judge them
    against the spec as it is now."""

    tenant: str
    start: datetime
    end: datetime
    sign_in_log: SignInLog
    basic_sign_ins: tuple[SeenSender, ...] = ()
    senders: tuple[SeenSender, ...] = ()


@dataclass(frozen=True)
class Tenant:
    id: str
    initial_domain: str
    smtp_auth: SmtpAuthSetting | Rollout = "disabled"  # a Rollout heads for "disabled"
    reject_direct_send: bool | Rollout = True  # a Rollout heads for True
    # None: the stack leaves the policy alone (its allow list and safe list are still audited).
    connection_filter: ConnectionFilter | None = None
    evidence: Evidence | None = None
    # An authenticationPolicies key: Set-OrganizationConfig's DefaultAuthenticationPolicy. None: the stack
    # leaves the org default alone (the audit still reports an undeclared one that blocks a sender).
    default_authentication_policy: str | None = None

    def rollout(self, switch: Switch) -> Rollout | None:
        value = self.smtp_auth if switch == "smtpAuth" else self.reject_direct_send
        return value if isinstance(value, Rollout) else None

    def enforced(self, switch: Switch) -> bool:
        """True when the program sets the switch (plain value, or a rollout at ``enforce``)."""
        rollout = self.rollout(switch)
        return rollout is None or rollout.stage == "enforce"


@dataclass(frozen=True)
class Spf:
    include: tuple[str, ...] = (MICROSOFT_SPF_INCLUDE,)
    ip4: tuple[str, ...] = ()
    all: SpfAll = "-all"


@dataclass(frozen=True)
class Dkim:
    enabled: bool = True
    key_size: int = 2048


@dataclass(frozen=True)
class Dmarc:
    policy: DmarcPolicy
    pct: int = 100
    rua: tuple[str, ...] = ()
    ruf: tuple[str, ...] = ()


MtaStsMode = Literal["testing", "enforce", "none"]


@dataclass(frozen=True)
class MtaSts:
    mode: MtaStsMode = "testing"
    mx: tuple[str, ...] = ("*.mail.protection.outlook.com",)
    max_age: int = 604800


@dataclass(frozen=True)
class TlsRpt:
    rua: tuple[str, ...]


@dataclass(frozen=True)
class DnsHosting:
    backend: DnsBackendKind = "none"
    resource_group: str | None = None
    zone: str | None = None
    zone_id: str | None = None  # Cloudflare's zone identifier (backend cloudflare)


@dataclass(frozen=True)
class Domain:
    name: str
    spf: Spf = field(default_factory=Spf)
    dkim: Dkim = field(default_factory=Dkim)
    dmarc: Dmarc | None = None
    dns: DnsHosting = field(default_factory=DnsHosting)
    mta_sts: MtaSts | None = None
    tls_rpt: TlsRpt | None = None


@dataclass(frozen=True)
class Credential:
    type: CredentialType
    # federated
    issuer: str | None = None
    subject: str | None = None
    audiences: tuple[str, ...] = (ENTRA_TOKEN_EXCHANGE_AUDIENCE,)
    # certificate: a PEM file of the public certificate (the key never leaves the device)
    certificate_file: str | None = None
    # secret: lifetime of the generated client secret
    expires_in_days: int | None = None


@dataclass(frozen=True)
class MailboxCreation:
    """Set when the stack creates the sender's mailbox (an Entra user plus a licence)."""

    license: str
    usage_location: str
    display_name: str | None = None


@dataclass(frozen=True)
class ServiceAccount:
    name: str
    kind: AccountKind
    mailbox: str
    description: str = ""
    credential: Credential | None = None  # application senders only
    create: MailboxCreation | None = None  # mailbox senders only


@dataclass(frozen=True)
class Connector:
    name: str
    sender_ips: tuple[str, ...] = ()
    certificate_name: str | None = None
    sender_domains: tuple[str, ...] = ("*",)
    sends_for: tuple[str, ...] = ()  # declared domains whose SPF must authorise the IPs; () = all
    require_tls: bool = True
    enabled: bool = True
    comment: str = ""


@dataclass(frozen=True)
class OutboundConnector:
    """A connector Exchange Online delivers through (``direction: outbound`` under ``connectors``).

    Exactly one of ``recipient_domains`` / ``transport_rule_scoped`` selects the mail; ``smart_hosts``
    or ``use_mx_record`` says where it goes; ``tls`` is None for Exchange's opportunistic TLS.
    """

    name: str
    recipient_domains: tuple[str, ...] = ()
    transport_rule_scoped: bool = False
    smart_hosts: tuple[str, ...] = ()
    use_mx_record: bool = False
    tls: OutboundTls | None = None
    tls_domain: str | None = None
    enabled: bool = True
    comment: str = ""


@dataclass(frozen=True)
class PartnerConnector:
    """An inbound ``Partner`` connector (``type: partner`` under ``connectors``): a SaaS platform that sends
    as the tenant's domains from outside it. Its ``sender_ips`` and ``certificate_name`` restrict its sender
    domains to that source (RestrictDomainsToIPAddresses / RestrictDomainsToCertificate, derived: set when
    given); ``accepted_domains`` scopes it to some of the tenant's accepted domains (empty: all)."""

    name: str
    sender_domains: tuple[str, ...]
    sender_ips: tuple[str, ...] = ()
    certificate_name: str | None = None
    accepted_domains: tuple[str, ...] = ()
    require_tls: bool = True
    enabled: bool = True
    comment: str = ""

    @property
    def restricted_to_ips(self) -> bool:
        """RestrictDomainsToIPAddresses: on when the spec names the partner's IPs."""
        return bool(self.sender_ips)

    @property
    def restricted_to_certificate(self) -> bool:
        """RestrictDomainsToCertificate: on when the spec names the partner's certificate."""
        return self.certificate_name is not None


@dataclass(frozen=True)
class AuthenticationPolicy:
    """An Exchange authentication policy (its Exchange name is the key) and the senders whose users get
    it. Basic authentication is blocked for every protocol not in ``allow_basic_auth``, as Exchange does
    for a new policy; ``applies_to`` names service accounts (``Set-User``'s AuthenticationPolicy)."""

    name: str
    allow_basic_auth: tuple[BasicAuthProtocol, ...] = ()
    applies_to: tuple[str, ...] = ()


@dataclass(frozen=True)
class SendAsGrant:
    trustee: str  # a service account name
    mailbox: str


@dataclass(frozen=True)
class Waiver:
    rule: str
    target: str
    reason: str
    expires: date


@dataclass(frozen=True)
class RelaySpec:
    version: int
    tenant: Tenant
    domains: dict[str, Domain] = field(default_factory=dict)
    service_accounts: dict[str, ServiceAccount] = field(default_factory=dict)
    connectors: dict[str, Connector] = field(default_factory=dict)  # inbound (relay) connectors
    # Written in the document under ``connectors`` with ``direction: outbound`` (names shared with
    # the inbound ones); kept apart here so code about relaying devices never meets them.
    outbound_connectors: dict[str, OutboundConnector] = field(default_factory=dict)
    # Written under ``connectors`` with ``type: partner``: SaaS senders, never relaying devices (their IPs
    # are the partner's, so no SPF of ours gains them).
    partner_connectors: dict[str, PartnerConnector] = field(default_factory=dict)
    send_as: tuple[SendAsGrant, ...] = ()
    authentication_policies: dict[str, AuthenticationPolicy] = field(default_factory=dict)
    waivers: tuple[Waiver, ...] = ()
    # Where each node came from, for error messages and SARIF: spec path -> (line, column), and where
    # the text at that position ends (the column after its last character).
    source: str = "<spec>"
    positions: dict[SpecPath, Position] = field(default_factory=dict, compare=False, repr=False)
    ends: dict[SpecPath, Position] = field(default_factory=dict, compare=False, repr=False)

    def position(self, path: SpecPath) -> Position:
        """The closest known position of ``path`` (walking up to its parents), else (1, 1)."""
        return self.region(path)[0]

    def region(self, path: SpecPath) -> tuple[Position, Position]:
        """Start and end of the text :meth:`position` points at (a SARIF region); a spec built
        without positions gives an empty region at its start."""
        while path and path not in self.positions:
            path = path[:-1]
        start = self.positions.get(path, (1, 1))
        return start, self.ends.get(path, start)

    def authentication_policy_of(self, account: str) -> AuthenticationPolicy | None:
        """The policy Exchange applies to a sender's user as declared: its own, else the declared org
        default, else None (none declared: the spec does not say)."""
        own = next((p for p in self.authentication_policies.values() if account in p.applies_to), None)
        default = self.tenant.default_authentication_policy
        return own or (self.authentication_policies.get(default) if default else None)

    def connectors_sending_for(self, domain: str) -> list[Connector]:
        """Connectors whose sender IPs a domain's SPF record must authorise."""
        return [c for c in self.connectors.values() if not c.sends_for or domain in c.sends_for]
