"""An Entra application's service principal as Exchange registers it (New/Set/Get/Remove-ServicePrincipal).

``object_id`` is the *enterprise application* (service principal) object id, not the app registration's:
the wrong one makes OAuth SMTP fail (Microsoft Learn, "Authenticate an IMAP, POP or SMTP connection
using OAuth"). Exchange's ``Identity`` of the registration is what permission grants name as holder.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from o365relay import exchange_values as xv
from o365relay.kinds.base import Field, Kind
from o365relay.spec.addresses import check_guid

SERVICE_ID = "ServiceId"


@dataclass(frozen=True)
class PrincipalKind(Kind):
    def keys(self, row: Mapping[str, Any]) -> list[Any]:
        """Every way Exchange names a service principal (for matching trustees and rows)."""
        return [row.get(k) for k in ("Identity", self.parameter("object_id"), self.parameter("app_id"),
                                     self.parameter("display_name"), "Name", SERVICE_ID)]

    def object_id_of(self, row: Mapping[str, Any]) -> list[Any]:
        return [row.get(self.parameter("object_id"))]

    def display_name_of(self, row: Mapping[str, Any]) -> list[Any]:
        return [row.get(self.parameter("display_name"))]

    def shown(self, row: Mapping[str, Any]) -> str:
        """A registration as people know it: its display name, else its application id."""
        return str(self.display_name_of(row)[0] or row.get(self.parameter("app_id")))

    def app_id_of(self, row: Mapping[str, Any]) -> str:
        return xv.lower(row.get(self.parameter("app_id")))

    def identity_fields(self) -> tuple[str, ...]:
        """The Get- row fields that identify a registration besides the generic ones."""
        return self.parameter("app_id"), self.parameter("object_id")


SERVICE_PRINCIPAL = PrincipalKind(
    name="Exchange service principal",
    noun="ServicePrincipal",
    identity="app_id",
    fields=(
        Field("app_id", str, "AppId", replace=True, norm=xv.lower, item_check=check_guid),
        Field("object_id", str, "ObjectId", replace=True, norm=xv.lower, item_check=check_guid),
        Field("display_name", str, "DisplayName"),
    ),
    outputs=(("identity", "Identity"),),
    extra_evidence=("Identity",),
)
