"""Apply a mock-rendered program to the sandbox the way ``pulumi up`` walks a graph, without the CLI.

Pulumi registers a resource only when its inputs are resolved, so the mock runtime calls
``new_resource`` in dependency order. :class:`SandboxMocks` answers each registration for real:

- dynamic resources go through the provider host over gRPC (Check, then Create, or Diff and then
  Update / replace / nothing against the state of the previous walk), as the engine would;
- azuread resources have no provider here: their effect is *simulated* by creating the same Entra
  objects in the sandbox's Graph through GraphClient (application, service principal, app-role
  assignment, federated credential); a certificate credential only gets a stable made-up id.
  Only creating them is simulated: changing or deleting one is refused with UsageError.

After the program, resources of the previous state that were not registered again are deleted in
reverse order, as the engine's delete steps do. The :class:`Walk` is the state between runs.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from typing import Any, TypeVar

import grpc
import pulumi

from components.offline.host import DynamicHost, make_urn, provider_error, strip_secrets
from components.offline.render import render
from o365relay.errors import RelayError, UsageError

T = TypeVar("T")
# Runs one Graph call (an async function of a GraphClient) to completion.
GraphRunner = Callable[[Callable[[Any], Awaitable[Any]]], Any]
# Told about each dynamic resource (type token, inputs) before the walk applies it.
BeforeHook = Callable[[str, dict[str, Any]], None]

DYNAMIC = "pulumi-python:dynamic/"
GET_SERVICE_PRINCIPAL = "azuread:index/getServicePrincipal:getServicePrincipal"
STATE_VERSION = 1
OPERATIONS = ("create", "update", "replace", "delete", "same")


@dataclass
class Entry:
    type: str
    id: str
    inputs: dict[str, Any]
    outputs: dict[str, Any]


@dataclass
class Walk:
    state: dict[str, Entry] = field(default_factory=dict)  # urn -> entry, in registration order
    operations: list[tuple[str, str]] = field(default_factory=list)  # (one of OPERATIONS, name)

    def changes(self) -> list[tuple[str, str]]:
        return [op for op in self.operations if op[0] != "same"]

    def to_document(self, tenant_id: str) -> dict[str, Any]:
        """Plain JSON for the next run (inputs and outputs hold no secret: the canary test proves it)."""
        return {"version": STATE_VERSION, "tenantId": tenant_id,
                "resources": [{"urn": urn, **asdict(entry)} for urn, entry in self.state.items()]}

    @classmethod
    def from_document(cls, doc: Any, tenant_id: str, source: str) -> Walk:
        """The state a previous run saved for ``tenant_id``; UsageError if it is not one."""
        if not isinstance(doc, dict) or doc.get("version") != STATE_VERSION or not isinstance(
                doc.get("resources"), list):
            raise UsageError(f"{source} is not an offline-apply state file (version {STATE_VERSION})")
        if str(doc.get("tenantId", "")).lower() != tenant_id.lower():
            raise UsageError(f"{source} holds the state of tenant {doc.get('tenantId')}, not {tenant_id}: "
                             "use another --state file for this tenant")
        try:
            return cls({r["urn"]: Entry(r["type"], r["id"], r["inputs"], r["outputs"]) for r in doc["resources"]})
        except (KeyError, TypeError) as error:
            raise UsageError(f"{source}: a resource entry lacks {error}") from None


class SandboxMocks(pulumi.runtime.Mocks):
    """Answers each registration by applying it; keeps the first failure, which ends the walk."""

    def __init__(self, host: DynamicHost, graph: GraphRunner, previous: Walk, stack: str,
                 before: BeforeHook | None = None):
        self.host = host
        self.graph = graph
        self.previous = previous
        self.stack = stack
        self.before = before
        self.walk = Walk()
        self.failure: RelayError | None = None

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict, list[tuple[str, str]] | None]:
        if args.token != GET_SERVICE_PRINCIPAL:
            raise self._fail(UsageError(f"the offline apply cannot answer the invoke {args.token}"))

        async def lookup(graph: Any) -> Any:
            return await graph.find_service_principal(args.args["clientId"])

        sp = self._guard(lambda: self.graph(lookup))
        if sp is None:
            raise self._fail(UsageError(f"the tenant has no service principal for app {args.args['clientId']}"))
        return {"clientId": sp.app_id, "objectId": sp.id, "id": sp.id, "displayName": sp.display_name,
                "appRoleIds": {role.value: str(role.id) for role in sp.app_roles or []}}, []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict]:
        if not args.custom:
            return None, {}
        if self.failure is not None:  # the engine stops at the first failed step
            raise self.failure
        urn = make_urn(args.typ, args.name, self.stack)
        news = strip_secrets(dict(args.inputs))
        old = self.previous.state.get(urn)
        if args.typ.startswith(DYNAMIC):
            entry, op = self._guard(lambda: self._dynamic(urn, args.typ, news, old))
        elif old is not None and old.inputs == news:
            entry, op = old, "same"
        elif old is not None:
            raise self._fail(UsageError(f"{args.name}: changing an azuread resource is not simulated on the "
                                        "sandbox; start again from a fresh sandbox and state file"))
        else:
            rid, outs = self._guard(lambda: self._entra(args.typ, args.name, news))
            entry, op = Entry(args.typ, rid, news, outs), "create"
        self.walk.state[urn] = entry
        self.walk.operations.append((op, args.name))
        return entry.id, entry.outputs

    def _fail(self, error: RelayError) -> RelayError:
        if self.failure is None:
            self.failure = error
        return error

    def _guard(self, step: Callable[[], T]) -> T:
        """Run one step; remember its failure (as an o365relay error) so apply() can raise it."""
        try:
            return step()
        except grpc.RpcError as error:
            raise self._fail(provider_error(error)) from None
        except RelayError as error:
            raise self._fail(error) from None

    def _dynamic(self, urn: str, typ: str, news: dict[str, Any], old: Entry | None) -> tuple[Entry, str]:
        if self.before is not None:
            self.before(typ, news)
        inputs, failures = self.host.check(urn, old.inputs if old else {}, news)
        if failures:
            name = urn.rsplit("::", 1)[-1]
            raise UsageError(f"{name}: the provider refused its inputs: "
                             + "; ".join(f"{prop}: {reason}" for prop, reason in failures))
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
            # not simulated: GraphClient has no key-credential call; a stable id stands in
            return str(uuid.UUID(hashlib.sha256(f"{typ}|{name}".encode()).hexdigest()[:32])), news
        raise UsageError(f"{name}: the offline apply cannot simulate {typ} on the sandbox; "
                         "apply this spec with `pulumi up` against a real tenant")


def apply(program: Callable[[], Any], config: dict[str, str], host: DynamicHost, graph: GraphRunner,
          previous: Walk | None = None, *, stack: str = "sandbox", before: BeforeHook | None = None,
          save: Callable[[Walk], None] | None = None) -> Walk:
    """One ``pulumi up``: render with mocks that apply each resource, then delete what disappeared.

    Raises the first step's failure as an o365relay error (what a provider raised keeps its class).
    ``save`` gets the state to keep even then, as the engine checkpoints each step: what was applied,
    plus what the previous state holds and this run did not reach.
    """
    previous = previous or Walk()
    mocks = SandboxMocks(host, graph, previous, stack, before)
    walk = mocks.walk
    remaining = dict(previous.state)  # what the tenant still holds of the previous state
    try:
        try:
            render(program, config, mocks, stack=stack)
        except Exception:
            if mocks.failure is None:
                raise
        if mocks.failure is not None:
            raise mocks.failure
        for urn in reversed(list(previous.state)):
            if urn not in walk.state:
                _delete(host, urn, remaining[urn])
                del remaining[urn]
                walk.operations.append(("delete", urn.rsplit("::", 1)[-1]))
    finally:
        if save is not None:
            save(Walk({**walk.state, **{u: e for u, e in remaining.items() if u not in walk.state}},
                      walk.operations))
    return walk


def _delete(host: DynamicHost, urn: str, entry: Entry) -> None:
    """The engine's delete step for a resource the program no longer declares."""
    name = urn.rsplit("::", 1)[-1]
    if not entry.type.startswith(DYNAMIC):
        raise UsageError(f"{name}: deleting an azuread resource is not simulated on the sandbox; "
                         "start again from a fresh sandbox and state file")
    try:
        host.delete(urn, entry.id, entry.outputs)
    except grpc.RpcError as error:
        raise provider_error(error) from None
