"""What inbound and outbound connectors share: a named Exchange object driven by New/Set/Get/Remove-<noun>."""

from __future__ import annotations

from typing import Any, ClassVar

from components.providers import exo
from components.providers.base import Props, TenantProvider
from components.providers.session import TenantSession


class ConnectorProvider(TenantProvider):
    """Subclasses set ``noun`` (the cmdlet noun), ``parameters`` (input key -> cmdlet parameter; ``Name``
    is the identity, never Set) and ``fields``, and turn a Get-<noun> row into props in ``record``."""

    noun: ClassVar[str]
    parameters: ClassVar[dict[str, str]]
    # values New-<noun> is not given at all (Exchange's defaults apply); Set gets every value absolutely
    unset_on_create: ClassVar[tuple[Any, ...]] = (None,)

    def object_id(self, props: Props) -> str:
        return str(props["name"])

    def guidance(self, props: Props) -> str:
        return (f"another {self.kind} named {props['name']!r} already exists: rename the connector in the spec, "
                f"or delete the existing one (Remove-{self.noun} -Identity '{props['name']}') "
                "if it is a leftover, then run again")

    def record(self, row: dict[str, Any]) -> Props:
        raise NotImplementedError

    async def fetch(self, session: TenantSession, props: Props) -> Props | None:
        row = await exo.find(session, f"Get-{self.noun}", {"Identity": props["name"]},
                             lambda r: exo.same(r.get("Name"), props["name"]))
        return None if row is None else {**self.record(row), "name": row.get("Name"),
                                         "comment": row.get("Comment") or "", "guid": row.get("Guid")}

    def _parameters(self, props: Props) -> dict[str, Any]:
        return {param: props.get(key, "" if key == "comment" else None) for key, param in self.parameters.items()}

    async def create_object(self, session: TenantSession, props: Props) -> Props:
        parameters = {k: v for k, v in self._parameters(props).items() if v not in self.unset_on_create}
        rows = await exo.invoke(session, f"New-{self.noun}", {"Name": props["name"], **parameters})
        return {"guid": rows[0].get("Guid")} if rows else {}

    async def update_object(self, session: TenantSession, olds: Props, news: Props) -> Props:
        """Absolute values: lists go as given ([] clears), an absent optional value as null."""
        await exo.invoke(session, f"Set-{self.noun}", {"Identity": olds["name"], **self._parameters(news)})
        return self.computed(olds)

    async def delete_object(self, session: TenantSession, props: Props) -> None:
        await exo.invoke(session, f"Remove-{self.noun}", {"Identity": props["name"], "Confirm": False})
