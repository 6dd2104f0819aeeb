"""Get-/Set-HostedConnectionFilterPolicy: the one Default policy with Exchange's parameter shapes
(absolute lists, {Add, Remove} hashtables, $null to empty) and the entries Exchange refuses."""

from __future__ import annotations

NOT_FOUND = "Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException"


def test_default_policy_exists_and_starts_empty(exo) -> None:
    [row] = exo.ok("Get-HostedConnectionFilterPolicy")
    assert (row["Identity"], row["IPAllowList"], row["IPBlockList"], row["EnableSafeList"]) == ("Default", [], [],
                                                                                                False)
    assert exo.fails("Get-HostedConnectionFilterPolicy", {"Identity": "Contoso policy"})[0] == NOT_FOUND


def test_lists_take_absolute_values_hashtables_and_null(exo) -> None:
    exo.ok("Set-HostedConnectionFilterPolicy", {"Identity": "Default", "IPBlockList": ["192.0.2.1", "198.51.100.0/25"],
                                                "EnableSafeList": "$true"})
    exo.ok("Set-HostedConnectionFilterPolicy", {"Identity": "default", "IPBlockList": {
        "@odata.type": "#Exchange.GenericHashTable", "Add": ["203.0.113.1-203.0.113.9"], "Remove": ["192.0.2.1"]}})
    [row] = exo.ok("Get-HostedConnectionFilterPolicy", {"Identity": "Default"})
    assert row["IPBlockList"] == ["198.51.100.0/25", "203.0.113.1-203.0.113.9"] and row["EnableSafeList"] is True
    exo.ok("Set-HostedConnectionFilterPolicy", {"Identity": "Default", "IPBlockList": None})
    assert exo.ok("Get-HostedConnectionFilterPolicy")[0]["IPBlockList"] == []


def test_entries_exchange_refuses(exo) -> None:
    for entry in ("0.0.0.0/0", "198.51.100.0/23", "2001:db8::/64", "printer", "203.0.113.9-203.0.113.1"):
        exc, text = exo.fails("Set-HostedConnectionFilterPolicy", {"Identity": "Default", "IPAllowList": [entry]})
        assert exc.endswith("DataValidationException") and entry in text, (entry, text)
    too_many = [f"198.51.{i // 256}.{i % 256}" for i in range(1274)]
    _, text = exo.fails("Set-HostedConnectionFilterPolicy", {"Identity": "Default", "IPBlockList": too_many})
    assert "1273" in text
    assert exo.ok("Get-HostedConnectionFilterPolicy")[0]["IPAllowList"] == []  # nothing half-applied
