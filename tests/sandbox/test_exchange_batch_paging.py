"""$batch (at most 10, per-item results) and @odata.nextLink paging with Prefer: odata.maxpagesize."""

from __future__ import annotations

import uuid


def _item(exo, cmdlet: str, params: dict | None = None) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "method": "POST",
        "url": exo.url,
        "body": {"CmdletInput": {"CmdletName": cmdlet, "Parameters": params or {}}},
        "headers": {"Content-Type": "application/json"},
    }


def _batch(exo, items: list[dict]):
    return exo.http.post(
        exo.url.replace("InvokeCommand", "$batch"),
        json={"requests": items},
        headers={"Authorization": f"Bearer {exo.token()}"},
    )


def test_batch_returns_each_result_or_error_in_order(exo) -> None:
    """The items run concurrently (no item sees another's write), the replies keep the request order."""
    exo.ok("New-InboundConnector", {"Name": "b", "SenderDomains": ["*"], "SenderIPAddresses": ["192.0.2.2"]})
    items = [
        _item(
            exo,
            "New-InboundConnector",
            {"Name": "a", "SenderDomains": ["*"], "SenderIPAddresses": ["192.0.2.1"]},
        ),
        _item(exo, "Get-CASMailbox", {"Identity": "ghost"}),
        _item(exo, "Get-InboundConnector", {"Identity": "b"}),
        _item(exo, "Get-Nothing"),
    ]
    response = _batch(exo, items)
    assert response.status_code == 200
    replies = response.json()["responses"]
    assert [r["id"] for r in replies] == [i["id"] for i in items]
    assert [r["status"] for r in replies] == [200, 400, 200, 403]
    assert replies[0]["body"]["value"][0]["Name"] == "a"
    assert "ManagementObjectNotFoundException" in replies[1]["body"]["error"]["details"][0]["message"]
    assert replies[2]["body"]["value"][0]["Name"] == "b"


def test_batch_of_more_than_ten_is_refused_whole(exo) -> None:
    response = _batch(exo, [_item(exo, "Get-TransportConfig") for _ in range(11)])
    assert response.status_code == 400
    assert "must not exceed 10" in response.json()["error"]["message"]
    assert _batch(exo, [_item(exo, "Get-TransportConfig") for _ in range(10)]).status_code == 200


def test_batch_needs_a_token(exo) -> None:
    response = exo.http.post(exo.url.replace("InvokeCommand", "$batch"), json={"requests": []})
    assert response.status_code == 401


def test_paging_follows_next_link_with_the_same_body(exo) -> None:
    for n in range(7):
        exo.ok(
            "New-InboundConnector",
            {"Name": f"c{n}", "SenderDomains": ["*"], "SenderIPAddresses": [f"192.0.2.{n}"]},
        )
    names, url, pages = [], exo.url, 0
    while url:
        body = exo.invoke("Get-InboundConnector", url=url, headers={"Prefer": "odata.maxpagesize=3"}).json()
        assert body["@adminapi.warnings"] == []
        names += [c["Name"] for c in body["value"]]
        url, pages = body.get("@odata.nextLink"), pages + 1
    assert names == [f"c{n}" for n in range(7)] and pages == 3


def test_select_and_result_size_warning(exo) -> None:
    for n in range(3):
        exo.ok(
            "New-InboundConnector",
            {"Name": f"c{n}", "SenderDomains": ["*"], "SenderIPAddresses": [f"192.0.2.{n}"]},
        )
    body = exo.invoke("Get-InboundConnector", {"ResultSize": 2}, url=exo.url + "?$select=Name,Enabled").json()
    assert body["value"] == [{"Enabled": True, "Name": "c0"}, {"Enabled": True, "Name": "c1"}]
    assert "more results available" in body["@adminapi.warnings"][0]
