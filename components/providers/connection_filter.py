"""exchange:ConnectionFilterPolicy: the tenant's Default connection filter policy (IP Block List, IP
Allow List, safe list; the kind: :mod:`o365relay.kinds.connection_filter`).

The policy always exists, so create adopts it: the first run records the block list the tenant had
(``adopted_block_list``) and sets the spec's values. Lists compare by the addresses they cover, so
Exchange's forms (``first-last`` ranges, ``/32``, order, host bits) are never a change.

Delete restores nothing it did not set: it removes from the IP Block List the entries this stack added
(declared, and not in the tenant when the stack adopted the policy) and leaves the rest as they are.
In particular it neither re-opens an allow list nor switches the safe list back on: releasing
management must not weaken filtering (as with the organisation switches).
"""

from __future__ import annotations

from typing import Any

from pulumi.dynamic import CheckFailure

from components.providers import exo
from components.providers.base import Props, SettingProvider, TenantResource
from components.providers.session import TenantSession
from o365relay import exchange_values as xv
from o365relay.kinds.connection_filter import CONNECTION_FILTER, MAX_ENTRIES, POLICY

ADOPTED = "adopted_block_list"
LISTS = ("ip_block_list", "ip_allow_list")


class ConnectionFilterPolicyProvider(SettingProvider):
    descriptor = CONNECTION_FILTER

    def object_id(self, props: Props) -> str:
        return POLICY

    def validate(self, props: Props) -> list[CheckFailure]:
        return [CheckFailure(name, f"{name} has {len(props[name])} entries; Exchange keeps at most {MAX_ENTRIES}")
                for name in LISTS if len(props[name]) > MAX_ENTRIES]

    async def fetch(self, session: TenantSession, props: Props) -> Props | None:
        row = exo.first(await exo.invoke(session, f"Get-{CONNECTION_FILTER.noun}", {"Identity": POLICY}))
        return {**{name: CONNECTION_FILTER.entries(row, name) for name in LISTS},
                "enable_safe_list": bool(CONNECTION_FILTER.value(row, "enable_safe_list"))}

    def computed(self, current: Props) -> Props:
        """The adoption record: kept from the old outputs, or taken from the tenant on the first run."""
        return {ADOPTED: current.get(ADOPTED, current.get("ip_block_list") or [])}

    async def update_object(self, session: TenantSession, olds: Props, news: Props) -> Props:
        await _set(session, {"ip_block_list": news["ip_block_list"], "ip_allow_list": news["ip_allow_list"],
                             "enable_safe_list": bool(news["enable_safe_list"])})
        return self.computed(olds)

    async def release(self, session: TenantSession, props: Props) -> None:
        before = {_key(e) for e in props.get(ADOPTED) or []}
        added = {_key(e) for e in props.get("ip_block_list") or []} - before
        current = await self.fetch(session, props)
        assert current is not None
        kept = [e for e in current["ip_block_list"] if _key(e) not in added]
        if len(kept) != len(current["ip_block_list"]):
            await _set(session, {"ip_block_list": kept})


async def _set(session: TenantSession, values: dict[str, Any]) -> None:
    await exo.invoke(session, f"Set-{CONNECTION_FILTER.noun}", CONNECTION_FILTER.setting(values))


def _key(entry: str) -> tuple[str, ...]:
    return tuple(xv.ip_coverage([entry]))


class ConnectionFilterPolicy(TenantResource, module="exchange", name="ConnectionFilterPolicy"):
    """The Default connection filter policy (``pulumi-python:dynamic/exchange:ConnectionFilterPolicy``)."""

    provider_class = ConnectionFilterPolicyProvider
    computed_outputs = (ADOPTED,)
