"""Exchange authentication policies and who they apply to: three kinds.

- ``exchange:AuthenticationPolicy``: New-/Set-/Get-/Remove-AuthenticationPolicy. Its inputs are the
  name (a new name is a new policy: Exchange cannot rename one) and the protocols it allows Basic for;
  every switch is set absolutely. An existing policy with the same switches is adopted; one with others
  is someone else's and is refused with guidance.
- ``exchange:AuthenticationPolicyAssignment``: ``Set-User``'s AuthenticationPolicy on a sender's mailbox
  user, named by the mailbox. Removing it sets ``$null``: the user falls back to the org default.
- ``exchange:DefaultAuthenticationPolicy``: ``Set-OrganizationConfig``'s DefaultAuthenticationPolicy.
  The first run records the default the tenant had (``adopted_policy``); removing the resource puts that
  one back, so a destroy leaves no default naming a policy the stack is removing.

References come back as the policy's DN; :mod:`o365relay.kinds.auth_policy` reads both forms.
"""

from __future__ import annotations

from typing import Any

from components.providers import exo
from components.providers.base import Props, SettingProvider, TenantProvider, TenantResource
from components.providers.session import TenantSession
from o365relay import exchange_values as xv
from o365relay.kinds import auth_policy as ap
from o365relay.kinds.base import Field
from o365relay.spec.addresses import check_address

ADOPTED = "adopted_policy"


def _check_protocol(value: str) -> str | None:
    return None if value in ap.PROTOCOLS else f"{value!r} is not one of {', '.join(ap.PROTOCOLS)}"


def _norm_name(value: Any) -> str:
    return str(value or "").casefold()


def _norm_policy(value: Any) -> str:
    return (ap.policy_name(value) or "").casefold()


class AuthenticationPolicyProvider(TenantProvider):
    kind = "authentication policy"
    fields = (
        Field("name", str, replace=True, norm=_norm_name),
        Field("allow_basic_auth", list, norm=ap.normal_protocols, item_check=_check_protocol),
    )

    def object_id(self, props: Props) -> str:
        return str(props["name"])

    def guidance(self, props: Props) -> str:
        return (f"another authentication policy named {props['name']!r} already exists with other switches: "
                "declare it as the tenant has it (relayctl export shows it), or choose another name")

    async def fetch(self, session: TenantSession, props: Props) -> Props | None:
        row = await exo.find(session, "Get-AuthenticationPolicy", {"Identity": props["name"]},
                             lambda r: exo.same(r.get("Name"), props["name"]))
        return None if row is None else {"name": row.get("Name"), "allow_basic_auth": ap.allowed(row)}

    async def create_object(self, session: TenantSession, props: Props) -> Props:
        await exo.invoke(session, "New-AuthenticationPolicy",
                         {"Name": props["name"], **ap.switches(props.get("allow_basic_auth") or [])})
        return {}

    async def update_object(self, session: TenantSession, olds: Props, news: Props) -> Props:
        await exo.invoke(session, "Set-AuthenticationPolicy",
                         {"Identity": olds["name"], **ap.switches(news.get("allow_basic_auth") or [])})
        return {}

    async def delete_object(self, session: TenantSession, props: Props) -> None:
        await exo.invoke(session, "Remove-AuthenticationPolicy", {"Identity": props["name"], "Confirm": False})


class AuthenticationPolicyAssignmentProvider(SettingProvider):
    kind = "authentication policy assignment"
    fields = (
        Field("mailbox", str, replace=True, norm=xv.lower, item_check=check_address),
        Field("policy", str, norm=_norm_policy),
    )

    def object_id(self, props: Props) -> str:
        return str(props["mailbox"])

    async def fetch(self, session: TenantSession, props: Props) -> Props | None:
        row = await exo.find(session, "Get-User", {"Identity": props["mailbox"]},
                             lambda r: exo.names_mailbox(r, props["mailbox"]))
        return None if row is None else {"mailbox": props["mailbox"],
                                         "policy": ap.policy_name(row.get(ap.USER_POLICY))}

    async def update_object(self, session: TenantSession, olds: Props, news: Props) -> Props:
        await self._set(session, news["mailbox"], news["policy"])
        return {}

    async def release(self, session: TenantSession, props: Props) -> None:
        await self._set(session, props["mailbox"], None)

    async def _set(self, session: TenantSession, mailbox: str, policy: str | None) -> None:
        await exo.invoke(session, "Set-User", {"Identity": mailbox, ap.USER_POLICY: policy})


class DefaultAuthenticationPolicyProvider(SettingProvider):
    kind = "default authentication policy"
    fields = (Field("policy", str, norm=_norm_policy),)

    def object_id(self, props: Props) -> str:
        return ap.ORG_DEFAULT

    async def fetch(self, session: TenantSession, props: Props) -> Props | None:
        row = exo.first(await exo.invoke(session, "Get-OrganizationConfig"))
        return {"policy": ap.policy_name(row.get(ap.ORG_DEFAULT))}

    def computed(self, current: Props) -> Props:
        """The adoption record: kept from the old outputs, or taken from the tenant on the first run."""
        return {ADOPTED: current.get(ADOPTED, current.get("policy"))}

    async def update_object(self, session: TenantSession, olds: Props, news: Props) -> Props:
        await self._set(session, news["policy"])
        return self.computed(olds)

    async def release(self, session: TenantSession, props: Props) -> None:
        await self._set(session, props.get(ADOPTED))

    async def _set(self, session: TenantSession, policy: str | None) -> None:
        await exo.invoke(session, "Set-OrganizationConfig", {ap.ORG_DEFAULT: policy})


class AuthenticationPolicy(TenantResource, module="exchange", name="AuthenticationPolicy"):
    """One authentication policy (``pulumi-python:dynamic/exchange:AuthenticationPolicy``)."""

    provider_class = AuthenticationPolicyProvider


class AuthenticationPolicyAssignment(TenantResource, module="exchange", name="AuthenticationPolicyAssignment"):
    """A sender's user's policy (``pulumi-python:dynamic/exchange:AuthenticationPolicyAssignment``)."""

    provider_class = AuthenticationPolicyAssignmentProvider


class DefaultAuthenticationPolicy(TenantResource, module="exchange", name="DefaultAuthenticationPolicy"):
    """The org default (``pulumi-python:dynamic/exchange:DefaultAuthenticationPolicy``)."""

    provider_class = DefaultAuthenticationPolicyProvider
    computed_outputs = (ADOPTED,)
