"""Sending-domain rules: SPF, DKIM and DMARC, judged on what the product will publish."""

from __future__ import annotations

from collections.abc import Iterator

from o365relay.records import spf_value
from o365relay.reports.wording import plural
from o365relay.rules.base import LintOptions, Violation, rule
from o365relay.rules.spf import MAX_LOOKUPS, lookup_count, uncovered_ips
from o365relay.spec.model import MICROSOFT_SPF_INCLUDE, Dkim, RelaySpec, SpecPath

STRONG_DKIM_BITS = 2048


@rule(
    "spf-policy",
    rationale="SPF must authorise Microsoft 365 and fail everything else, or receivers cannot tell our mail "
    "from a forgery.",
    baselines=("MS.EXO.2.2v3", "CIS 2.1.8", "CISA.MS.EXO.2.2 (Maester Test-MtCisaSpfDirective)"),
    severity="high",
    fix="Keep `spf.protection.outlook.com` in domains.<name>.spf.include and end with `all: -all` "
    "(or `~all`).",
)
def spf_policy(spec: RelaySpec, options: LintOptions) -> Iterator[Violation]:
    for name, domain in spec.domains.items():
        path = ("domains", name, "spf")
        if domain.spf.all not in ("-all", "~all"):
            yield Violation((*path, "all"), f"SPF of {name} ends with {domain.spf.all}; use -all or ~all")
        if MICROSOFT_SPF_INCLUDE not in (i.lower() for i in domain.spf.include):
            yield Violation((*path, "include"), f"SPF of {name} does not include {MICROSOFT_SPF_INCLUDE}, so "
                            "mail sent through Microsoft 365 fails SPF")


@rule(
    "spf-lookup-limit",
    rationale="Past 10 DNS lookups an SPF record is a permanent error, and receivers treat every message "
    "as unauthenticated.",
    baselines=(),
    severity="high",
    fix="Remove includes from domains.<name>.spf.include, or replace a vendor include by the vendor's "
    "ip4 ranges in domains.<name>.spf.ip4.",
)
def spf_lookup_limit(spec: RelaySpec, options: LintOptions) -> Iterator[Violation]:
    for name, domain in spec.domains.items():
        count, unresolved = lookup_count(domain.spf, options.spf_include_lookups)
        if count > MAX_LOOKUPS:
            least = "at least " if unresolved else ""
            yield Violation(("domains", name, "spf", "include"), f"SPF of {name} needs {least}{count} DNS "
                            f"lookups (limit {MAX_LOOKUPS})")


@rule(
    "spf-lookups-unverified",
    rationale="Vendor includes nest DNS lookups that lint cannot count without DNS; their total is then "
    "only a lower bound, so the 10-lookup limit is unverified rather than passed.",
    baselines=(),
    severity="low",
    fix="Count them: `relayctl lint SPEC --resolve-dns` (or `relayctl dns SPEC` once published); replace a "
    "deeply nested vendor include by its ip4 ranges in domains.<name>.spf.ip4 if the count is near 10.",
    advisory_only=True,
)
def spf_lookups_unverified(spec: RelaySpec, options: LintOptions) -> Iterator[Violation]:
    for name, domain in spec.domains.items():
        count, unresolved = lookup_count(domain.spf, options.spf_include_lookups)
        if unresolved and count <= MAX_LOOKUPS:
            includes = ", ".join(f"include:{i}" for i in unresolved)
            yield Violation(("domains", name, "spf", "include"), f"SPF of {name} needs at least "
                            f"{plural(count, 'DNS lookup')}; the lookups nested in {includes} were not counted "
                            "(no DNS resolution)")


@rule(
    "spf-covers-connectors",
    rationale="Relayed mail reaches the internet from Microsoft's outbound IPs (covered by "
    "include:spf.protection.outlook.com), but Exchange Online Protection checks SPF on the device's public "
    "IP when the mail comes in through the connector; an IP the domain's SPF does not authorise makes our "
    "own mail look spoofed to EOP (Microsoft's multifunction-device guide, option 3).",
    baselines=("MS.EXO.2.2v3",),
    severity="high",
    fix="Let the product publish SPF for the domain (the connector IPs are added to the record), or "
    "narrow connectors.<name>.sendsFor to the domains whose SPF you publish.",
)
def spf_covers_connectors(spec: RelaySpec, options: LintOptions) -> Iterator[Violation]:
    for name in spec.domains:
        record = spf_value(spec, spec.domains[name])
        for connector in spec.connectors_sending_for(name):
            for ip in uncovered_ips(record, connector.sender_ips):
                yield Violation(("domains", name, "spf"), f"SPF of {name} ({record}) does not authorise "
                                f"{ip} of connector {connector.name}")


def dkim_violations(domain: str, dkim: Dkim, path: SpecPath) -> Iterator[Violation]:
    """The DKIM problems of one domain (shared with the policy pack's resource policy)."""
    if not dkim.enabled:
        yield Violation((*path, "enabled"), f"DKIM signing is off for {domain}")
    if dkim.key_size < STRONG_DKIM_BITS:
        yield Violation((*path, "keySize"), f"DKIM key of {domain} is {dkim.key_size} bits; use "
                        f"{STRONG_DKIM_BITS}")


@rule(
    "dkim-2048",
    rationale="DKIM lets receivers verify our mail survived unaltered; 1024-bit keys are within reach "
    "of forgery.",
    baselines=("MS.EXO.3.1v1", "CIS 2.1.9"),
    severity="high",
    fix="Set domains.<name>.dkim to `{enabled: true, keySize: 2048}` (the defaults) and publish the two "
    "selector CNAMEs the product outputs.",
    waivable=False,
)
def dkim_2048(spec: RelaySpec, options: LintOptions) -> Iterator[Violation]:
    for name, domain in spec.domains.items():
        yield from dkim_violations(name, domain.dkim, ("domains", name, "dkim"))


@rule(
    "dmarc-enforced",
    rationale="Without an enforcing DMARC policy, forged mail from our domains is delivered; without a "
    "report address, nobody sees it (p=quarantine passes here: it is dmarc-reject's lower finding).",
    baselines=("MS.EXO.4.1v1", "MS.EXO.4.2v1", "MS.EXO.4.4v1", "CIS 2.1.10", "MT.1182"),
    severity="high",
    fix="Set domains.<name>.dmarc to `{policy: reject, rua: [mailto:...]}` (quarantine while rolling out).",
)
def dmarc_enforced(spec: RelaySpec, options: LintOptions) -> Iterator[Violation]:
    for name, domain in spec.domains.items():
        path: SpecPath = ("domains", name, "dmarc")
        dmarc = domain.dmarc
        if dmarc is None:
            yield Violation(("domains", name), f"{name} declares no DMARC policy")
            continue
        if dmarc.policy not in ("quarantine", "reject"):
            yield Violation((*path, "policy"), f"DMARC of {name} is p={dmarc.policy}, which enforces nothing")
        if not dmarc.rua:
            yield Violation(path, f"DMARC of {name} has no aggregate report address (rua)")


@rule(
    "mta-sts-reporting",
    rationale="MTA-STS in testing mode does nothing but report, and an enforced policy that breaks delivery "
    "is seen only in the reports: a domain with mtaSts needs tlsRpt, or failures go unseen.",
    baselines=(),
    severity="low",
    fix="Add domains.<name>.tlsRpt: `{rua: [mailto:tls-reports@...]}` beside mtaSts.",
)
def mta_sts_reporting(spec: RelaySpec, options: LintOptions) -> Iterator[Violation]:
    for name, domain in spec.domains.items():
        if domain.mta_sts is not None and domain.mta_sts.mode != "none" and domain.tls_rpt is None:
            yield Violation(("domains", name, "mtaSts"), f"{name} has an MTA-STS policy in mode "
                            f"{domain.mta_sts.mode} and no TLS-RPT address to report failures to")


@rule(
    "dmarc-reject",
    rationale="ScubaGear MS.EXO.4.2v1: the DMARC policy SHALL be p=reject; quarantine is a rollout stage "
    "in which forged mail is still delivered to junk folders.",
    baselines=("MS.EXO.4.2v1",),
    severity="medium",
    fix="Finish the rollout: set domains.<name>.dmarc.policy to `reject` (and drop pct), or waive this "
    "rule with a reason and an expiry while quarantine runs.",
)
def dmarc_reject(spec: RelaySpec, options: LintOptions) -> Iterator[Violation]:
    for name, domain in spec.domains.items():
        dmarc = domain.dmarc
        if dmarc is not None and dmarc.policy == "quarantine":  # p=none is dmarc-enforced's, at high
            yield Violation(("domains", name, "dmarc", "policy"), f"DMARC of {name} is p=quarantine; "
                            "MS.EXO.4.2v1 requires p=reject")
