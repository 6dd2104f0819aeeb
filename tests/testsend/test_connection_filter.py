"""relayctl test-send against the sandbox's connection filter: a blocked IP is refused with Exchange's
5.7.513 and explained (and leaves no message trace); an allow-listed IP skips the spam verdict that a
GTUBE test message gets otherwise."""

from __future__ import annotations

import re
from typing import Any

from testsend_helpers import SPEC

from o365relay.cli.main import main
from o365relay.sandbox import store as st
from o365relay.tenant.exchange import ExchangeClient
from o365relay.tenant.sync import run_sync

FAST = ["--timeout", "20"]


def send(capsys: Any, *args: str) -> tuple[int, str]:
    code = main(["test-send", SPEC, *args])
    return code, capsys.readouterr().out


def set_policy(tenant: Any, **lists: list[str]) -> None:
    """As an admin would, through the Exchange admin endpoint."""
    async def go() -> None:
        async with ExchangeClient(tenant.endpoints()) as exo:
            await exo.invoke("Set-HostedConnectionFilterPolicy", {"Identity": "Default", **lists}, idempotent=True)

    run_sync(go())


def test_blocked_ip_is_refused_with_5_7_513_explained_and_not_traced(tenant: Any, capsys: Any) -> None:
    set_policy(tenant, IPBlockList=["192.0.2.66"])
    before = tenant.store.count(st.MESSAGE_TRACE)
    code, out = send(capsys, "dc1-relay", "--method", "direct", "--client-ip", "192.0.2.66",
                     "--from", "printer@contoso.com", "--to", "erp@contoso.com", *FAST)
    assert code == 1
    assert re.search(r"550 5\.7\.513 Service unavailable, Client host \[192\.0\.2\.66\] blocked by contoso\.com "
                     r"using Customer Block list \(AS16012607\)", out), out
    assert "IP Block List" in out and "tenant.connectionFilter.ipBlockList" in out
    assert tenant.store.count(st.MESSAGE_TRACE) == before  # Exchange keeps no trace of blocked sources


def test_allow_list_wins_over_the_block_list(tenant: Any, capsys: Any) -> None:
    set_policy(tenant, IPBlockList=["192.0.2.0/24"], IPAllowList=["192.0.2.66"])
    code, out = send(capsys, "dc1-relay", "--method", "direct", "--client-ip", "192.0.2.66",
                     "--from", "printer@contoso.com", "--to", "erp@contoso.com", *FAST)
    assert code == 0 and "verdict: DELIVERED" in out, out


def test_allow_listed_ip_skips_the_spam_verdict_others_get(tenant: Any, capsys: Any) -> None:
    code, out = send(capsys, "dc1-relay", "--method", "direct", "--client-ip", "192.0.2.10", "--spam-test",
                     "--from", "printer@contoso.com", "--to", "erp@contoso.com", *FAST)
    assert code == 1 and re.search(r"erp@contoso\.com\s+filteredAsSpam", out), out
    assert "Filtered as spam" in out

    set_policy(tenant, IPAllowList=["192.0.2.10"])
    code, out = send(capsys, "dc1-relay", "--method", "direct", "--client-ip", "192.0.2.10", "--spam-test",
                     "--from", "printer@contoso.com", "--to", "erp@contoso.com", *FAST)
    assert code == 0 and re.search(r"erp@contoso\.com\s+delivered", out), out
