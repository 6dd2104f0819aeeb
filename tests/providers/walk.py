"""Apply a mock-rendered program to the sandbox the way ``pulumi up`` walks a graph, without the CLI.

Pulumi registers a resource only when its inputs are resolved, so the mock runtime calls
``new_resource`` in dependency order. :class:`SandboxMocks` answers each registration for real:

- dynamic resources go through the provider host over gRPC (Check, then Create, or Diff and then
  Update / replace / nothing against the state of the previous walk), as the engine would;
- azuread resources have no provider here: their effect is *simulated* by creating the same Entra
  objects in the sandbox's Graph through the CLIENTS' GraphClient (application, service principal,
  app-role assignment, federated credential); a certificate credential only gets made-up outputs.

After the program, resources of the previous state that were not registered again are deleted in
reverse order, as the engine's delete steps do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_mocks as pm
from dynhost import DynamicHost

DYNAMIC = "pulumi-python:dynamic/"
EXCHANGE_ONLINE = "00000002-0000-0ff1-ce00-000000000000"


@dataclass
class Entry:
    type: str
    id: str
    inputs: dict[str, Any]
    outputs: dict[str, Any]


@dataclass
class Walk:
    state: dict[str, Entry] = field(default_factory=dict)
    operations: list[tuple[str, str]] = field(default_factory=list)  # (create|update|replace|same|delete, name)

    def changes(self) -> list[tuple[str, str]]:
        return [op for op in self.operations if op[0] != "same"]


class SandboxMocks(pulumi.runtime.Mocks):
    def __init__(self, host: DynamicHost, graph: Callable[[Callable[[Any], Any]], Any], previous: Walk):
        self.host = host
        self.graph = graph
        self.previous = previous
        self.walk = Walk()

    def call(self, args: pulumi.runtime.MockCallArgs) -> dict:
        assert args.token == "azuread:index/getServicePrincipal:getServicePrincipal", args.token

        async def lookup(graph: Any) -> Any:
            return await graph.find_service_principal(args.args["clientId"])

        sp = self.graph(lookup)
        return {"clientId": sp.app_id, "objectId": sp.id, "id": sp.id, "displayName": sp.display_name,
                "appRoleIds": {role.value: str(role.id) for role in sp.app_roles or []}}

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict]:
        if not args.custom:
            return None, {}
        urn = f"urn:pulumi:{pm.STACK}::{pm.PROJECT}::{args.typ}::{args.name}"
        news = pm.unwrap(dict(args.inputs))
        old = self.previous.state.get(urn)
        if args.typ.startswith(DYNAMIC):
            entry, op = self._dynamic(urn, args.typ, news, old)
        elif old is not None and old.inputs == news:
            entry, op = old, "same"
        else:
            assert old is None, f"{args.name}: changing azuread resources is not simulated"
            rid, outs = self._entra(args.typ, args.name, news)
            entry, op = Entry(args.typ, rid, news, outs), "create"
        self.walk.state[urn] = entry
        self.walk.operations.append((op, args.name))
        return entry.id, entry.outputs

    def _dynamic(self, urn: str, typ: str, news: dict[str, Any], old: Entry | None) -> tuple[Entry, str]:
        inputs, failures = self.host.check(urn, old.inputs if old else {}, news)
        assert not failures, (urn, failures)
        if old is None:
            rid, outs = self.host.create(urn, inputs)
            return Entry(typ, rid, inputs, outs), "create"
        diff = self.host.diff(urn, old.id, old.outputs, inputs)
        if diff.changes != "DIFF_SOME":
            return Entry(typ, old.id, inputs, old.outputs), "same"
        if diff.replaces:
            if diff.delete_before_replace:
                self.host.delete(urn, old.id, old.outputs)
            rid, outs = self.host.create(urn, inputs)
            if not diff.delete_before_replace:
                self.host.delete(urn, old.id, old.outputs)
            return Entry(typ, rid, inputs, outs), "replace"
        return Entry(typ, old.id, inputs, self.host.update(urn, old.id, old.outputs, inputs)), "update"

    def _entra(self, typ: str, name: str, news: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """Make the Entra object an azuread resource would, through GraphClient; return (id, outputs)."""
        from msgraph.generated.models.application import Application
        from msgraph.generated.models.federated_identity_credential import FederatedIdentityCredential

        kind = typ.split(":")[-1]
        if kind == "Application":
            app = self.graph(lambda g: g.create_application(Application(display_name=news["displayName"],
                                                                          tags=news.get("tags"))))
            return f"/applications/{app.id}", {**news, "clientId": app.app_id, "objectId": app.id}
        if kind == "ServicePrincipal":
            sp = self.graph(lambda g: g.create_service_principal(news["clientId"]))
            return f"/servicePrincipals/{sp.id}", {**news, "objectId": sp.id}
        if kind == "AppRoleAssignment":
            grant = self.graph(lambda g: g.create_app_role_assignment(
                news["principalObjectId"], news["resourceObjectId"], news["appRoleId"]))
            return str(grant.id), news
        if kind == "ApplicationFederatedIdentityCredential":
            app_oid = news["applicationId"].rsplit("/", 1)[-1]
            fic = self.graph(lambda g: g.add_federated_identity_credential(app_oid, FederatedIdentityCredential(
                name=news["displayName"], issuer=news["issuer"], subject=news["subject"],
                audiences=news["audiences"])))
            return str(fic.id), {**news, "credentialId": str(fic.id)}
        if kind == "ApplicationCertificate":
            return pm.stable_guid(name), news  # not simulated: GraphClient has no key-credential call
        raise AssertionError(f"no simulation for {typ}")


def apply(program: Callable[[], Any], config: dict[str, str], host: DynamicHost,
          graph: Callable[[Callable[[Any], Any]], Any], previous: Walk | None = None) -> Walk:
    """One ``pulumi up``: render with mocks that apply each resource, then delete what disappeared."""
    previous = previous or Walk()
    mocks = SandboxMocks(host, graph, previous)
    pm.render(program, config, mocks)
    for urn in reversed(list(previous.state)):
        if urn not in mocks.walk.state:
            entry = previous.state[urn]
            assert entry.type.startswith(DYNAMIC), f"{urn}: deleting azuread resources is not simulated"
            host.delete(urn, entry.id, entry.outputs)
            mocks.walk.operations.append(("delete", urn.rsplit("::", 1)[-1]))
    return mocks.walk
