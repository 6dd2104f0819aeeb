"""Judge evidence (what the tenant's logs showed) against the spec as it is now: who would break.

Pure, so the report, ``relayctl lint`` and the policy pack reach the same verdict from the same inputs.

SMTP AUTH senders:

- a Basic sign-in (Entra ``Authenticated SMTP``) by a declared ``kind: mailbox`` sender: **declared-basic**
  (its mailbox keeps a per-mailbox exception; the waiver that lets it use Basic is named);
- by a declared ``kind: application`` sender's mailbox: **basic-on-oauth** (its exception stays, but it
  should be using its OAuth credential; Basic goes away at Microsoft's final removal);
- by anyone else: **undeclared** -- it breaks when ``smtpAuth`` is enforced;
- a message-trace sender covered by an OAuth sender (its mailbox or a send-as mailbox) with no Basic
  sign-in: **declared-oauth**.

Direct send (message trace; Graph's trace rows do not say how a message arrived, so this is by
elimination): a sender in the spec's domains with no Basic sign-in that is no declared sender's
mailbox or send-as mailbox is **connector** when every IP it sent from is in a declared connector's
``senderIPs``, else **undeclared** -- it breaks when ``rejectDirectSend`` is enforced.

Without the sign-in log (``signInLog: unlicensed``: no Entra ID P1/P2) Basic and OAuth cannot be told
apart; every undeclared trace sender then also counts as an undeclared SMTP AUTH sender (the safe side).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from o365relay.spec.model import Connector, Evidence, PartnerConnector, RelaySpec, Rollout, SeenSender, Switch
from o365relay.usage.analysis import declared_senders, ip_in, partners_for

Category = Literal["declared-oauth", "declared-basic", "basic-on-oauth", "connector", "undeclared"]
FRESH_DAYS = 7  # evidence older than this (its end) no longer describes the tenant
BASIC_RULE = "no-basic-smtp-auth"


@dataclass(frozen=True)
class Judged:
    seen: SeenSender
    category: Category
    declared_as: str | None  # "serviceAccounts.scanner", "sendAs of erp-mailer", "connector dc1-relay"
    note: str = ""


@dataclass(frozen=True)
class Verdict:
    evidence: Evidence
    smtp_auth: tuple[Judged, ...]
    direct_send: tuple[Judged, ...]

    def breaking(self, switch: Switch) -> tuple[Judged, ...]:
        """The senders enforcing ``switch`` would cut off."""
        judged = self.smtp_auth if switch == "smtpAuth" else self.direct_send
        return tuple(j for j in judged if j.category == "undeclared")

    def window(self) -> str:
        e = self.evidence
        return f"{e.start:%Y-%m-%d %H:%M} to {e.end:%Y-%m-%d %H:%M} UTC"


def judge(evidence: Evidence, spec: RelaySpec, today: date) -> Verdict:
    owners = declared_senders(spec)
    accounts = {a.mailbox.lower(): a for a in spec.service_accounts.values()}
    basic = {s.address.lower() for s in evidence.basic_sign_ins}
    domains = {d.lower() for d in spec.domains} | {spec.tenant.initial_domain.lower()}
    smtp: list[Judged] = []
    for seen in evidence.basic_sign_ins:
        account = accounts.get(seen.address.lower())
        if account is None:
            smtp.append(Judged(seen, "undeclared", None, "Basic SMTP AUTH by an account the spec does not "
                                                        "declare: it fails once SMTP AUTH is off"))
        elif account.kind == "mailbox":
            smtp.append(Judged(seen, "declared-basic", f"serviceAccounts.{account.name}",
                               _waiver_note(spec, account.name, today)))
        else:
            smtp.append(Judged(seen, "basic-on-oauth", f"serviceAccounts.{account.name}",
                               "declared as an OAuth sender but signs in with a password: move the device "
                               "to its OAuth credential before Basic is removed"))
    direct: list[Judged] = []
    for seen in evidence.senders:
        address = seen.address.lower()
        if address in basic or address.rpartition("@")[2] not in domains:
            continue
        owner = owners.get(address)
        if owner is not None:
            account = spec.service_accounts.get(owner[1])
            if account is not None and account.kind == "application":
                smtp.append(Judged(seen, "declared-oauth", owner[0]))
            continue
        connector = _connector(spec, seen)
        if connector:
            direct.append(Judged(seen, "connector", f"connector {connector}"))
            continue
        direct.append(Judged(seen, "undeclared", None, "sends from our domain without authenticating and "
                                                       "through no declared connector"))
        if evidence.sign_in_log == "unlicensed":
            smtp.append(Judged(seen, "undeclared", None, "no sign-in log (Entra ID P1/P2) to tell whether it "
                                                         "uses SMTP AUTH: counted as if it did"))
    return Verdict(evidence, tuple(smtp), tuple(direct))


def _waiver_note(spec: RelaySpec, name: str, today: date) -> str:
    waivers = [w for w in spec.waivers if w.rule == BASIC_RULE and w.target == f"serviceAccounts.{name}"]
    live = [w for w in waivers if w.expires >= today]
    if live:
        return f"Basic waived until {max(w.expires for w in live)}"
    return "Basic not waived: lint's no-basic-smtp-auth flags it"


def _connector(spec: RelaySpec, seen: SeenSender) -> str | None:
    """The enabled relay connector, or partner connector scoped to the sender's domain, whose sender IPs
    cover every IP the sender was seen from (a certificate-pinned partner cannot be judged from a trace)."""
    covering: list[Connector | PartnerConnector] = [*spec.connectors.values(), *partners_for(spec, seen.address)]
    for connector in covering:
        networks = [ipaddress.ip_network(ip, strict=False) for ip in connector.sender_ips]
        if connector.enabled and seen.ips and all(ip_in(ip, networks) for ip in seen.ips):
            return connector.name
    return None


def evidence_gaps(evidence: Evidence | None, spec: RelaySpec, rollout: Rollout, today: date) -> list[str]:
    """Why the evidence cannot support enforcing (empty when it can): missing, another tenant, too
    short a window, or stale."""
    if evidence is None:
        return ["no evidence: run `relayctl smtp-auth-report SPEC --evidence FILE` and set tenant.evidence: FILE"]
    gaps = []
    if evidence.tenant.lower() != spec.tenant.id.lower():
        gaps.append(f"the evidence was read from tenant {evidence.tenant}, not {spec.tenant.id}")
    span = evidence.end - evidence.start
    if span < timedelta(days=rollout.evidence_days) - timedelta(minutes=5):
        gaps.append(f"the evidence covers {span.total_seconds() / 86400:.1f} days; evidenceDays asks for "
                    f"{rollout.evidence_days}")
    age = (today - evidence.end.date()).days
    if age > FRESH_DAYS:
        gaps.append(f"the evidence ends {evidence.end:%Y-%m-%d}, {age} days ago (at most {FRESH_DAYS}): "
                    "read it again")
    return gaps


def rollout_summary(spec: RelaySpec, switch: Switch, today: date) -> str:
    """One line for the plan/audit: the rollout's stage and what its evidence shows ("" without a rollout)."""
    rollout = spec.tenant.rollout(switch)
    if rollout is None:
        return ""
    stage = ("observe: left as the tenant has it" if rollout.stage == "observe"
             else "enforce: set by the stack")
    evidence = spec.tenant.evidence
    gaps = evidence_gaps(evidence, spec, rollout, today)
    if evidence is None:
        return f"rollout {stage}; {gaps[0]}"
    verdict = judge(evidence, spec, today)
    breaking = verdict.breaking(switch)
    shown = ", ".join(j.seen.address for j in breaking) if breaking else "no undeclared sender"
    verb = "enforcing would break" if breaking else "evidence shows"
    extra = f"; {'; '.join(gaps)}" if gaps else ""
    return f"rollout {stage}; {verb} {shown} (evidence {verdict.window()}){extra}"
