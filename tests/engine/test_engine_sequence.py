"""`pulumi preview/up/refresh/destroy` of the program against the sandbox, one step per test, in order.

The module shares one stack (the ``stack`` fixture): each test starts from what the previous one
left, as an operator's successive runs do. Every step is checked in the tenant (the sandbox's store
and request journal), not only in what the CLI prints.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from engine_stack import ROOT, Stack, tenant_snapshot
from exo_client import ExoCaller

from o365relay.cli.sandbox import ENV_FILE, exports
from o365relay.engine.plan import read_plan, refreshed, render_markdown
from o365relay.sandbox import connection_filter
from o365relay.sandbox import store as st
from o365relay.sandbox.faults import FaultPlan

pytestmark = pytest.mark.slow

SEEDED: dict[str, dict] = {}  # the tenant before the first apply, for the destroy test


def exchange_calls(stack: Stack, since: int = 0) -> list[tuple[str, float, float]]:
    """(cmdlet, start, end) of every successful Exchange request after journal entry ``since``."""
    return [(c, e["start"], e["end"]) for e in stack.requests() if e["seq"] > since and e["status"] == 200
            for c in e["cmdlets"]]


def last_seq(stack: Stack) -> int:
    entries = stack.requests()
    return entries[-1]["seq"] if entries else 0


def audit(stack: Stack) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "o365relay.cli.main", "audit", str(stack.spec), "--format", "json"],
                          cwd=ROOT, env={**os.environ, **stack.sandbox.env()}, capture_output=True, text=True,
                          timeout=300, check=False)


def test_preview_shows_the_plan_and_policy_findings(stack: Stack) -> None:
    SEEDED.update(tenant_snapshot(stack.sandbox))
    plan = read_plan(stack.pulumi.preview().events())
    created = {(s.kind, s.name) for s in plan.steps if s.op == "create"}
    assert {("exchange:InboundConnector", "dc1-relay-connector"),
            ("exchange:InboundConnector", "branch-relay-connector"),
            ("exchange:MailboxSmtpAuth", "scanner3@contoso.com-smtp-auth"), ("exchange:OrgSmtpAuth", "org-smtp-auth"),
            ("exchange:SendAsGrant", "erp@contoso.com-sendas-invoices@contoso.com")} <= created
    assert {s.op for s in plan.steps} == {"create"} and not plan.blocked
    assert "dc1-relay-connector" in render_markdown(plan, "sandbox")
    # a preview changes nothing in the tenant
    assert not [c for c, _, _ in exchange_calls(stack) if not c.startswith("Get-")]


def test_an_unwaived_mandatory_violation_fails_the_preview(stack: Stack) -> None:
    spec = stack.read_spec()
    spec["waivers"] = spec["waivers"][:1]  # erp-legacy's Basic SMTP AUTH is no longer waived
    original = stack.spec.read_text(encoding="utf-8")
    stack.write_spec(spec)
    try:
        preview = stack.pulumi.preview(check=False)
    finally:
        stack.spec.write_text(original, encoding="utf-8")
    assert preview.returncode != 0
    plan = read_plan(preview.events())
    assert plan.blocked
    (finding,) = [f for f in plan.findings if f.level == "mandatory"]
    assert finding.policy == "no-basic-smtp-auth" and "erp-legacy" in finding.message


def test_up_converges_with_the_org_switches_last(stack: Stack) -> None:
    since = last_seq(stack)
    stack.pulumi.up(parallel=16)
    calls = exchange_calls(stack, since)
    keep_working = [end for c, _, end in calls if c in ("New-InboundConnector", "Set-CASMailbox")]
    switches = [start for c, start, _ in calls if c in ("Set-TransportConfig", "Set-OrganizationConfig")]
    assert len(keep_working) == 4 and switches  # 2 connectors, 2 SMTP AUTH exceptions; RejectDirectSend set
    assert min(switches) >= max(keep_working)
    assert connection_filter.policy(stack.sandbox.store)["IPBlockList"] == ["192.0.2.66"]
    done = audit(stack)
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout)["verdict"] == "in_sync"


def test_a_second_preview_expects_no_changes(stack: Stack) -> None:
    since = last_seq(stack)
    stack.pulumi.run("preview", "--expect-no-changes")
    assert not [c for c, _, _ in exchange_calls(stack, since) if not c.startswith("Get-")]


def relayctl(stack: Stack, *argv: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "o365relay.cli.main", *argv], cwd=ROOT, input=stdin,
                          env={**os.environ, **stack.sandbox.env()}, capture_output=True, text=True, timeout=300,
                          check=False)


def test_dns_checks_pass_once_the_stacks_zone_files_are_published(stack: Stack) -> None:
    dns = ["dns", str(stack.spec), "--dnsbl", "dnsbl.example", "--format", "json"]
    before = relayctl(stack, *dns)
    assert before.returncode == 1, before.stderr
    missing = {c["check"]: c["message"] for c in json.loads(before.stdout)["checks"] if c["status"] == "finding"}
    assert sorted(missing) == ["dmarc", "spf"]  # DKIM's CNAMEs the DNS team published as Exchange made them
    assert missing["spf"].startswith("no SPF record; dns.backend none: the stack publishes nothing itself; "
                                     "publish its zoneFiles output")
    # the DNS team publishes what the apply handed over, as `relayctl sandbox` users do
    (stack.sandbox.state_dir / ENV_FILE).write_text(exports(stack.sandbox.env()), encoding="utf-8")
    zone_files = stack.pulumi.run("stack", "output", "zoneFiles", "--json").stdout
    published = relayctl(stack, "sandbox", "publish", "-", "--state-dir", str(stack.sandbox.state_dir),
                         stdin=zone_files)
    assert published.returncode == 0, published.stderr
    after = relayctl(stack, *dns)
    assert after.returncode == 0, after.stdout + after.stderr
    assert {c["status"] for c in json.loads(after.stdout)["checks"]} == {"ok"}
    audited = relayctl(stack, "audit", str(stack.spec), "--dns", "--dnsbl", "dnsbl.example", "--format", "json")
    assert audited.returncode == 0, audited.stdout + audited.stderr


def test_a_spec_change_converges_with_the_fewest_steps(stack: Stack) -> None:
    spec = stack.read_spec()
    spec["sendAs"].append({"trustee": "erp-legacy", "mailbox": "purchasing@contoso.com"})  # a grant more
    spec["connectors"]["dc1-relay"]["senderIPs"] = ["203.0.113.0/28", "203.0.113.64/29"]  # new IPs
    spec["serviceAccounts"]["scanner-floor3"]["mailbox"] = "purchasing@contoso.com"  # another mailbox's exception
    stack.write_spec(spec)
    plan = read_plan(stack.pulumi.preview().events())
    assert sorted((s.op, s.name, s.fields) for s in plan.steps) == [
        ("create", "erp@contoso.com-sendas-purchasing@contoso.com", ()),
        ("create", "purchasing@contoso.com-smtp-auth", ()),
        ("delete", "scanner3@contoso.com-smtp-auth", ()),
        ("update", "dc1-relay-connector", ("sender_ips",)),
    ]
    since = last_seq(stack)
    stack.pulumi.up()
    writes = [c for c, _, _ in exchange_calls(stack, since) if not c.startswith("Get-")]
    # one grant added, one Set on the connector, the new mailbox enabled and the old one released
    assert sorted(writes) == ["Add-RecipientPermission", "Set-CASMailbox", "Set-CASMailbox", "Set-InboundConnector"]
    stack.pulumi.run("preview", "--expect-no-changes")
    assert audit(stack).returncode == 0


def test_drift_behind_the_stacks_back_shows_in_refresh_and_in_audit(stack: Stack) -> None:
    ExoCaller(stack.sandbox).ok("Set-InboundConnector", {"Identity": "branch-relay",
                                                          "SenderIPAddresses": ["192.0.2.0/24"]})
    assert [(s.op, s.name) for s in refreshed(stack.pulumi.refresh_preview().events())] == [
        ("update", "branch-relay-connector")]
    done = audit(stack)
    assert done.returncode == 1
    drift = [i for i in json.loads(done.stdout)["items"] if i["status"] == "drift"]
    assert [i["name"] for i in drift] == ["branch-relay"]
    stack.pulumi.run("refresh", "--yes")
    stack.pulumi.up()
    assert audit(stack).returncode == 0


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL], ids=["SIGINT", "SIGKILL"])
def test_an_interrupted_up_converges_on_refresh_and_up_without_duplicates(stack: Stack, sig: int) -> None:
    spec = stack.read_spec()
    trustee = "scanner-floor3" if sig == signal.SIGINT else "erp-legacy"
    mailboxes = ["invoices@contoso.com", "purchasing@contoso.com", "erp@contoso.com", "scanner3@contoso.com",
                 "admin@contoso.onmicrosoft.com"]
    spec["sendAs"] += [g for g in ({"trustee": trustee, "mailbox": m} for m in mailboxes) if g not in spec["sendAs"]]
    stack.write_spec(spec)
    stack.sandbox.set_faults(FaultPlan.parse("latency=0.4"))  # slow enough to stop it halfway
    try:
        since = last_seq(stack)
        proc = stack.pulumi.popen("up", "--yes", "--skip-preview", "--parallel", "2", start_new_session=True,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        _wait_for_a_write(stack, since, proc)
        plugins = _descendants(proc.pid)
        os.killpg(proc.pid, sig)  # the group, as Ctrl-C or a CI runner's kill reaches it
        out, _ = proc.communicate(timeout=300)
    finally:
        stack.sandbox.set_faults(None)
    # the engine starts its plugins in sessions of their own: after a SIGKILL the language host and the
    # provider hosts live on (a CI runner's cgroup kill ends them); end them as the runner would
    for pid in plugins:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    assert proc.returncode != 0, out
    stack.pulumi.recover()  # release what the killed run held, then `pulumi refresh --clear-pending-creates`
    stack.pulumi.up()
    stack.pulumi.run("preview", "--expect-no-changes")
    keys = [(p["xMailboxId"], p["xTrusteeId"]) for p in stack.sandbox.store.list(st.RECIPIENT_PERMISSION)]
    assert len(keys) == len(set(keys))  # nothing granted twice
    assert audit(stack).returncode == 0


def _descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (from /proc)."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            parents[int(stat.parent.name)] = int(fields[1])
    found, frontier = [], [pid]
    while frontier:
        children = [child for child, parent in parents.items() if parent in frontier]
        found += children
        frontier = children
    return found


def _wait_for_a_write(stack: Stack, since: int, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if any(c == "Add-RecipientPermission" for c, _, _ in exchange_calls(stack, since)):
            return
        time.sleep(0.05)
    out = proc.communicate(timeout=60)[0] if proc.poll() is not None else ""
    pytest.fail(f"`pulumi up` made no grant before it ended (exit {proc.poll()}): {out[-3000:]}")


def test_state_holds_no_plaintext_secret_and_the_provider_blobs_no_credential(stack: Stack) -> None:
    state = stack.pulumi.export()
    text = json.dumps(state)
    canaries = [stack.sandbox.deployer_client_secret, "PRIVATE KEY"]
    assert not [c for c in canaries if c and c in text]
    assert not re.search(r"eyJ[\w-]{10,}\.eyJ[\w-]{10,}", text)  # no bearer token (JWT)
    blobs = [r["inputs"]["__provider"] for r in state["deployment"]["resources"]
             if isinstance(r.get("inputs", {}).get("__provider"), str)]
    assert blobs
    for blob in set(blobs):
        raw = base64.b64decode(blob)
        assert len(raw) < 400 and b"components.providers" in raw  # a class reference, nothing captured
        assert not [c for c in canaries if c and c.encode() in raw]


def test_destroy_leaves_the_tenant_as_seeded(stack: Stack) -> None:
    stack.pulumi.run("destroy", "--yes")
    after = tenant_snapshot(stack.sandbox)
    org = next(iter(after[st.ORGANIZATION].values()))
    # the org-wide switches stay as the stack last set them: releasing management must neither
    # re-open SMTP AUTH nor re-allow direct send (components/providers/org_switch.py)
    assert org["rejectDirectSend"] is True
    org["rejectDirectSend"] = next(iter(SEEDED[st.ORGANIZATION].values()))["rejectDirectSend"]
    # a DKIM config's Status follows DNS: the selector CNAMEs the DNS team published stay published
    # (DNS is not the stack's), so contoso.com's reads Valid now where the seed said CnameMissing
    assert after[st.DKIM_CONFIG]["contoso.com"].pop("Status") == "Valid"
    SEEDED[st.DKIM_CONFIG]["contoso.com"].pop("Status")
    # the connection filter policy always exists in Exchange; the seed left it at its defaults, and
    # destroy takes out only the block entry the stack added, so it is back at its defaults
    applied = after.pop(st.CONNECTION_FILTER_POLICY)
    assert not SEEDED.pop(st.CONNECTION_FILTER_POLICY)
    lists = [(p["IPBlockList"], p["IPAllowList"], p["EnableSafeList"]) for p in applied.values()]
    assert lists in ([], [([], [], False)])
    changed = {(kind, oid, key): (doc.get(key), after[kind].get(oid, {}).get(key))
               for kind, docs in SEEDED.items() for oid, doc in docs.items()
               for key in {*doc, *after[kind].get(oid, {})} if doc.get(key) != after[kind].get(oid, {}).get(key)}
    assert after == SEEDED, changed
