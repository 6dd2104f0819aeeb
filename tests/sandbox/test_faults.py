"""Fault injection: the real shapes, reproducible by seed, switchable at runtime, admin routes exempt."""

from __future__ import annotations

import ssl
import time

import httpx
import pytest

from o365relay.errors import UsageError
from o365relay.sandbox.faults import EXO_CONCURRENCY_TEXT, FaultPlan


def _outcomes(sandbox, n: int) -> list[str]:
    """Status (or 'drop') of n sequential token requests (httpx reconnects after a drop)."""
    out = []
    with httpx.Client(verify=ssl.create_default_context(cafile=str(sandbox.ca_file))) as http:
        for _ in range(n):
            try:
                response = http.post(f"{sandbox.base_url}/{sandbox.tenant_id}/oauth2/v2.0/token", data={})
                out.append(str(response.status_code))
            except httpx.RemoteProtocolError:
                out.append("drop")
    return out


def test_same_seed_same_faults_and_rates_roughly_hold(sandbox) -> None:
    plan = {"throttle": 0.2, "unavailable": 0.1, "drop": 0.1, "seed": 42, "retry_after": 0}
    sandbox.set_faults(FaultPlan(**plan))
    first = _outcomes(sandbox, 60)
    sandbox.set_faults(FaultPlan(**plan))
    second = _outcomes(sandbox, 60)
    assert first == second
    assert {"429", "503", "drop", "400"} <= set(first)  # 400: the empty form, served normally
    assert 4 <= first.count("429") <= 22
    sandbox.set_faults(FaultPlan(**{**plan, "seed": 43}))
    assert _outcomes(sandbox, 60) != first


def test_fault_shapes(exo) -> None:
    exo.sandbox.set_faults(FaultPlan(throttle=1.0, retry_after=7))
    response = exo.invoke("Get-TransportConfig", token="x")
    assert response.status_code == 429 and response.headers["Retry-After"] == "7"
    assert response.text == EXO_CONCURRENCY_TEXT and response.headers["content-type"].startswith("text/plain")
    graph = exo.http.get(f"{exo.sandbox.base_url}/v1.0/users")
    assert graph.status_code == 429 and graph.json()["error"]["code"] == "TooManyRequests"
    exo.sandbox.set_faults(FaultPlan(unavailable=1.0))
    response = exo.invoke("Get-TransportConfig", token="x")
    assert response.status_code == 503 and response.headers["Retry-After"] == "1"
    assert exo.http.get(f"{exo.sandbox.base_url}/_sandbox/health").status_code == 200  # exempt
    exo.sandbox.set_faults(None)
    assert exo.ok("Get-TransportConfig")


def test_paths_latency_and_runtime_switch_over_http(exo) -> None:
    base = exo.sandbox.base_url
    response = exo.http.put(f"{base}/_sandbox/faults", json={"spec": "503=1,paths=/v1.0,latency=0.2"})
    assert response.json()["faults"]["paths"] == ["/v1.0"]
    started = time.monotonic()
    assert exo.http.get(f"{base}/v1.0/users").status_code == 503
    assert time.monotonic() - started >= 0.2
    assert exo.ok("Get-TransportConfig")  # /adminapi not covered
    assert exo.http.put(f"{base}/_sandbox/faults", json={"spec": "bogus=1"}).status_code == 400
    exo.http.put(f"{base}/_sandbox/faults", json={"spec": ""})
    assert exo.http.get(f"{base}/_sandbox/faults").json() == {"faults": None}


def test_parse_rejects_bad_plans() -> None:
    assert FaultPlan.parse("429=0.2,503=0.1,drop=0.05,seed=7,retry-after=2").retry_after == 2
    for text in ("429=2", "429=0.6,503=0.6", "drop", "latency=fast"):
        with pytest.raises(UsageError):
            FaultPlan.parse(text)


def test_reply_shapes_parse_and_reject_unknown_names() -> None:
    assert FaultPlan.parse("shapes=truncated:empty-2xx").shapes == ("truncated", "empty-2xx")
    assert FaultPlan.parse("shapes=unfiltered").describe()["shapes"] == ["unfiltered"]
    with pytest.raises(UsageError, match="unknown reply shape"):
        FaultPlan.parse("shapes=sideways")
