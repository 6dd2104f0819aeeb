"""What inbound and outbound connectors share: a named Exchange object driven by New/Set/Get/Remove-<noun>."""

from __future__ import annotations

from typing import Any, ClassVar

from components.providers import exo
from components.providers.base import Props, TenantProvider
from components.providers.session import TenantSession
from o365relay.kinds.base import Kind


class ConnectorProvider(TenantProvider):
    """Subclasses set ``descriptor``: the kind's noun, identity (``Name``, never Set) and fields."""

    descriptor: ClassVar[Kind]  # type: ignore[misc]
    # values New-<noun> is not given at all (Exchange's defaults apply); Set gets every value absolutely
    unset_on_create: ClassVar[tuple[Any, ...]] = (None,)

    @property
    def noun(self) -> str:
        return self.descriptor.noun

    def _name(self) -> str:
        return self.descriptor.parameter(self.descriptor.identity)

    def object_id(self, props: Props) -> str:
        return str(props["name"])

    def guidance(self, props: Props) -> str:
        return (f"another {self.kind} named {props['name']!r} already exists: rename the connector in the spec, "
                f"or delete the existing one (Remove-{self.noun} -Identity '{props['name']}') "
                "if it is a leftover, then run again")

    async def fetch(self, session: TenantSession, props: Props) -> Props | None:
        row = await exo.find(session, f"Get-{self.noun}", {"Identity": props["name"]},
                             lambda r: exo.same(r.get(self._name()), props["name"]))
        return None if row is None else self.descriptor.props(row)

    async def create_object(self, session: TenantSession, props: Props) -> Props:
        parameters = {k: v for k, v in self.descriptor.parameters(props).items() if v not in self.unset_on_create}
        rows = await exo.invoke(session, f"New-{self.noun}", {self._name(): props["name"], **parameters})
        return {key: rows[0].get(column) for key, column in self.descriptor.outputs} if rows else {}

    async def update_object(self, session: TenantSession, olds: Props, news: Props) -> Props:
        """Absolute values: lists go as given ([] clears), an absent optional value as null."""
        await exo.invoke(session, f"Set-{self.noun}", {"Identity": olds["name"], **self.descriptor.parameters(news)})
        return self.computed(olds)

    async def delete_object(self, session: TenantSession, props: Props) -> None:
        await exo.invoke(session, f"Remove-{self.noun}", {"Identity": props["name"], "Confirm": False})
