"""The sandbox's Azure DNS refuses what Azure refuses: no token, no api-version, a TXT string over 255
characters, a write whose precondition no longer holds, a record set without its zone."""

from __future__ import annotations

import ssl

import httpx
import pytest

from o365relay.sandbox.runner import Sandbox
from o365relay.sandbox.tokens import ARM_RESOURCE, GRAPH_RESOURCE

ZONE = ("/subscriptions/00000000-1111-2222-3333-444444444444/resourceGroups/dns-rg/providers/"
        "Microsoft.Network/dnsZones/contoso.com")
API = {"api-version": "2018-05-01"}


def client(sandbox: Sandbox, resource: str | None = ARM_RESOURCE) -> httpx.Client:
    headers = {}
    if resource:
        headers["Authorization"] = f"Bearer {sandbox.ctx.tokens.issue(sandbox.deployer_client_id, resource)}"
    return httpx.Client(base_url=sandbox.base_url, verify=ssl.create_default_context(cafile=sandbox.ca_file),
                        headers=headers, timeout=10)


def txt(*strings: str) -> dict[str, object]:
    return {"properties": {"TTL": 3600, "TXTRecords": [{"value": list(strings)}]}}


@pytest.mark.parametrize(("resource", "code"), [(None, "InvalidAuthenticationToken"),
                                                (GRAPH_RESOURCE, "InvalidAuthenticationToken")])
def test_a_resource_manager_token_is_required(sandbox: Sandbox, resource: str | None, code: str) -> None:
    with client(sandbox, resource) as http:
        response = http.put(ZONE, params=API, json={"location": "global"})
    assert (response.status_code, response.json()["error"]["code"]) == (401, code)


def test_rules_of_record_sets(sandbox: Sandbox) -> None:
    with client(sandbox) as http:
        assert http.put(f"{ZONE}/TXT/@", params=API, json=txt("x")).json()["error"]["code"] == "ParentResourceNotFound"
        assert http.put(ZONE, params=API, json={"location": "global"}).status_code == 201
        assert http.get(f"{ZONE}/TXT/@").json()["error"]["code"] == "MissingApiVersionParameter"
        assert http.get(f"{ZONE}/TXT/@", params=API).status_code == 404
        long = http.put(f"{ZONE}/TXT/@", params=API, json=txt("v" * 256))
        assert (long.status_code, long.json()["error"]["code"]) == (400, "BadRequest")
        created = http.put(f"{ZONE}/TXT/@", params=API, json=txt("v" * 255, "tail"), headers={"If-None-Match": "*"})
        assert created.status_code == 201
        etag = created.json()["etag"]
        again = http.put(f"{ZONE}/TXT/@", params=API, json=txt("y"), headers={"If-None-Match": "*"})
        assert (again.status_code, again.json()["error"]["code"]) == (412, "PreconditionFailed")
        stale = http.put(f"{ZONE}/TXT/@", params=API, json=txt("y"), headers={"If-Match": "not-" + etag})
        assert stale.status_code == 412
        replaced = http.put(f"{ZONE}/TXT/@", params=API, json=txt("y"), headers={"If-Match": etag})
        assert replaced.status_code == 200 and replaced.json()["etag"] != etag
        assert http.get(f"{ZONE}/TXT/@", params=API).json()["properties"]["TXTRecords"] == [{"value": ["y"]}]
        assert http.delete(f"{ZONE}/TXT/@", params=API, headers={"If-Match": etag}).status_code == 412
        assert http.delete(f"{ZONE}/TXT/@", params=API).status_code == 200
        assert http.delete(f"{ZONE}/TXT/@", params=API).status_code == 204
