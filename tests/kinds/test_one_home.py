"""Each Exchange kind has one home: its descriptor in o365relay/kinds. No other production module
names one of its cmdlet parameters, so a field is added, renamed or normalised in one place.

The sandbox is outside the rule on purpose: it stands for Microsoft and keeps its own model.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path
from types import ModuleType

import o365relay.kinds
from o365relay.kinds.base import Kind

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = ("o365relay", "components", "policies")
OUTSIDE = ("o365relay/sandbox/", "o365relay/kinds/")
# Names every Exchange object has: they identify and describe an object, not a setting of its kind.
# Where the same name is another service's parameter: Graph PowerShell's New-MgServicePrincipal -AppId.
ELSEWHERE = {("o365relay/doctor.py", "AppId")}
GENERIC = {"Name", "Identity", "Guid", "Enabled", "Comment", "Status", "WhenChangedUTC"}


def kind_modules() -> list[ModuleType]:
    modules = pkgutil.iter_modules(o365relay.kinds.__path__)
    return [importlib.import_module(f"o365relay.kinds.{m.name}") for m in modules]


def descriptors() -> list[Kind]:
    return [v for module in kind_modules() for v in vars(module).values() if isinstance(v, Kind)]


def parameters() -> set[str]:
    """The names the descriptors declare, and those a kind that is not field-by-field declares in ``NAMES``."""
    declared = {name for module in kind_modules() for name in getattr(module, "NAMES", ())}
    return ({name for kind in descriptors() for name in kind.names()} | declared) - GENERIC


def production_modules() -> list[Path]:
    files = [p for top in PRODUCTION for p in (ROOT / top).rglob("*.py")]
    return [p for p in files if not str(p.relative_to(ROOT)).startswith(OUTSIDE)]


def naming(parameter: str) -> list[str]:
    """Production modules (outside the sandbox and the kinds) whose code names ``parameter``: as a string
    (a row field or parameter key; a resource type's ``name=`` aside) or as a cmdlet switch (``-SenderDomains``)."""
    pattern = re.compile(rf"""(?<!name=)["']{parameter}["']|(?<!\w)-{parameter}\b""")
    return sorted(where for p in production_modules() if pattern.search(p.read_text())
                  and (where := str(p.relative_to(ROOT)), parameter) not in ELSEWHERE)


def test_the_descriptors_are_found() -> None:
    nouns = {k.noun for k in descriptors()}
    assert {"InboundConnector", "OutboundConnector"} <= nouns
    assert {"SenderIPAddresses", "RequireTls", "SmartHosts", "TlsDomain"} <= parameters()
    assert {"AllowBasicAuthSmtp", "AuthenticationPolicy", "DefaultAuthenticationPolicy", "DomainName"} <= parameters()


def test_no_cmdlet_parameter_is_named_outside_its_kind() -> None:
    named = {p: where for p in sorted(parameters()) if (where := naming(p))}
    assert named == {}


def test_the_adding_a_kind_page_names_what_exists() -> None:
    """docs/adding-a-kind.md stays true: every file it names exists, every attribute or method its
    tables name is one of Kind's or Field's."""
    from dataclasses import fields

    from o365relay.kinds.base import Field

    page = (ROOT / "docs" / "adding-a-kind.md").read_text(encoding="utf-8")
    for path in re.findall(r"`((?:o365relay|components|policies|tests)/[\w/.*]+)`", page):
        assert list(ROOT.glob(path)), f"docs/adding-a-kind.md names {path}, which does not exist"
    known = {f.name for f in fields(Kind)} | {f.name for f in fields(Field)} | set(dir(Kind))
    for row in re.findall(r"^\| (`[^|]+) \|", page, re.M):
        for name in re.findall(r"`(\w+)", row):
            assert name in known, f"docs/adding-a-kind.md names {name}, which Kind and Field do not have"
