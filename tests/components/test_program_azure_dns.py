"""DNS backend ``azure``: the records become Azure DNS record sets (pulumi-azure-native, an optional
extra: ``pip install '.[azure-dns]'``), and DKIM signing waits for the CNAME record sets."""

from __future__ import annotations

import re
from importlib import metadata

import pulumi_mocks as pm
import pytest

from components import program

# Skipped only where the extra is not installed; an installed extra that fails to import fails here
# (`make test` and CI install it), instead of turning every test below into a silent skip.
try:
    metadata.distribution("pulumi-azure-native")
except metadata.PackageNotFoundError:
    pytest.skip("the azure-dns extra is not installed: pip install '.[azure-dns]'", allow_module_level=True)
import pulumi_azure_native.dns  # noqa: E402, F401 - the import that must work when the extra is installed

RECORD_SET = "azure-native:dns:RecordSet"
AZURE_SPF = "pulumi-python:dynamic/dns:AzureSpf"
SUBSCRIPTION = "00000000-1111-2222-3333-444444444444"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> pm.RecordingMonitor:
    text = pm.EXAMPLE_SPEC.read_text().replace(
        "  notify.contoso.com:\n",
        "  notify.contoso.com:\n    dns:\n      backend: azure\n      resourceGroup: dns-rg\n      zone: contoso.com\n"
        "    mtaSts: {mode: enforce}\n    tlsRpt: {rua: ['mailto:tls-reports@contoso.com']}\n")
    spec = pm.write_project(tmp_path_factory.mktemp("project"), text)
    return pm.render(program.run, {**pm.stack_config(spec), "azure-native:subscriptionId": SUBSCRIPTION})


def test_records_become_record_sets_relative_to_the_zone(stack: pm.RecordingMonitor) -> None:
    sets = {r.name: r for r in stack.registrations.values() if r.type == RECORD_SET}
    assert set(sets) == {f"notify.contoso.com-{s}" for s in ("dmarc-txt", "selector1-cname", "selector2-cname",
                                                               "mta-sts-txt", "tls-rpt-txt")}
    sts = sets["notify.contoso.com-mta-sts-txt"].inputs
    assert sts["relativeRecordSetName"] == "_mta-sts.notify"
    (value,) = sts["txtRecords"][0]["value"]
    assert re.fullmatch(r"v=STSv1; id=[0-9a-f]{20}", value)
    tls = sets["notify.contoso.com-tls-rpt-txt"].inputs
    assert (tls["relativeRecordSetName"], tls["txtRecords"]) == (
        "_smtp._tls.notify", [{"value": ["v=TLSRPTv1; rua=mailto:tls-reports@contoso.com"]}])
    assert sets["notify.contoso.com-dmarc-txt"].inputs["relativeRecordSetName"] == "_dmarc.notify"
    cname = sets["notify.contoso.com-selector1-cname"].inputs
    assert cname["relativeRecordSetName"] == "selector1._domainkey.notify"
    assert cname["cnameRecord"] == {"cname": pm.dkim_cname("notify.contoso.com", 1)}
    for record in sets.values():
        assert record.parent.rsplit("::", 1)[-1] == "notify.contoso.com"


def test_spf_is_a_value_merged_into_the_shared_apex_set_not_a_record_set(stack: pm.RecordingMonitor) -> None:
    """Azure replaces a record set whole: a RecordSet for the apex TXT would wipe MS=ms… verification."""
    (spf,) = [r for r in stack.registrations.values() if r.type == AZURE_SPF]
    assert spf.name == "notify.contoso.com-spf-txt"
    assert {k: spf.inputs[k] for k in ("subscription", "resource_group", "zone", "name", "spf")} == {
        "subscription": SUBSCRIPTION, "resource_group": "dns-rg", "zone": "contoso.com", "name": "notify",
        "spf": "v=spf1 ip4:203.0.113.0/28 ip4:198.51.100.25 include:spf.protection.outlook.com -all"}


def test_signing_depends_on_the_record_sets(stack: pm.RecordingMonitor) -> None:
    (signing,) = [r for r in stack.registrations.values() if r.name == "notify.contoso.com-dkim-signing"]
    assert {d.rsplit("::", 1)[-1] for d in signing.dependencies} == {
        "notify.contoso.com-selector1-cname", "notify.contoso.com-selector2-cname"}
    # the domain on backend none keeps its DNS checks
    assert not [r for r in stack.registrations.values()
                if r.type == RECORD_SET and r.name.startswith("contoso.com-")]


def test_without_a_subscription_the_program_says_which_setting_is_missing(
        tmp_path: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    import pulumi

    for name in ("ARM_SUBSCRIPTION_ID", "AZURE_SUBSCRIPTION_ID"):
        monkeypatch.delenv(name, raising=False)
    azure = "  notify.contoso.com:\n    dns:\n      backend: azure\n      resourceGroup: dns-rg\n"
    text = pm.EXAMPLE_SPEC.read_text().replace("  notify.contoso.com:\n", azure)
    spec = pm.write_project(tmp_path, text)  # type: ignore[arg-type]
    with pytest.raises(pulumi.RunError, match="azure-native:subscriptionId"):
        pm.render(program.run, pm.stack_config(spec))

