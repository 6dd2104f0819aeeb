r"""The CRUD plumbing every o365-relay dynamic provider shares.

A kind declares its input :class:`~o365relay.kinds.base.Field`\ s (an Exchange kind by its
:class:`~o365relay.kinds.base.Kind` descriptor) and four async tenant
operations (``fetch``, ``create_object``, ``update_object``, ``delete_object``); this base turns them
into the engine's Check/Create/Read/Diff/Update/Delete with the same rules for every kind:

- ``check`` coerces inputs (numbers arrive as floats) and returns ``CheckFailure``s, never raises;
- ``create`` looks first: an identical object is adopted (so a run that died after the tenant
  accepted a create converges on the next run), a conflicting one is refused with guidance;
- ``diff`` compares normalised values (old outputs against new inputs) and reports replacements
  with ``changes=True``, the only form the engine acts on;
- ``update`` returns the full outputs (the host would otherwise drop them);
- ``delete`` accepts "already gone"; ``read`` serves ``pulumi refresh`` (blank id = gone).

Providers are stateless: they are pickled (by reference) into state, so they hold only the stack
config handed to ``configure()`` inside the host, and open a :class:`TenantSession` per call.
"""

from __future__ import annotations

import contextlib
from typing import Any, ClassVar

import pulumi
from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    ConfigureRequest,
    CreateResult,
    DiffResult,
    ReadResult,
    Resource,
    ResourceProvider,
    UpdateResult,
)
from pulumi.output import Unknown

from components.providers import pulumi_sdk
from components.providers.session import TenantSession, read_config, run
from o365relay.errors import Conflict, NotFound
from o365relay.kinds.base import Field, FieldDiff, Kind, diff, normalised

Props = dict[str, Any]


class TenantProvider(ResourceProvider):
    """Base of every kind; subclasses set ``descriptor`` (or ``kind`` and ``fields``) and the tenant operations."""

    # The pickled blob holds the class reference and an empty config only (a canary test proves
    # it), so it need not be encrypted in state; that saves one encrypt call per resource.
    serialize_as_secret_always = False

    descriptor: ClassVar[Kind | None] = None
    kind: ClassVar[str] = "object"
    fields: ClassVar[tuple[Field, ...]] = ()
    # True where an existing object is the tenant's own (a setting, a domain's DKIM config) and the
    # spec takes it over; False where a differing object belongs to someone else and is refused.
    converge_existing: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.descriptor is not None:
            cls.kind, cls.fields = cls.descriptor.name, cls.descriptor.fields

    def __init__(self) -> None:
        super().__init__()
        self._config: dict[str, str] = {}

    def configure(self, req: ConfigureRequest) -> None:
        self._config = read_config(req.config)

    # ------------------------------------------------------------------ per-kind hooks

    def object_id(self, props: Props) -> str:
        """The resource id: a stable, human-readable identity of the tenant object."""
        raise NotImplementedError

    def validate(self, props: Props) -> list[CheckFailure]:
        """Checks across fields, after each field passed on its own."""
        return []

    async def fetch(self, session: TenantSession, props: Props) -> Props | None:
        """The object as the tenant has it, keyed like the inputs (plus computed outputs), or None."""
        raise NotImplementedError

    async def create_object(self, session: TenantSession, props: Props) -> Props:
        """Create the object; return the computed outputs."""
        raise NotImplementedError

    async def update_object(self, session: TenantSession, olds: Props, news: Props) -> Props:
        """Change the mutable fields; return the computed outputs."""
        raise NotImplementedError

    async def delete_object(self, session: TenantSession, props: Props) -> None:
        """Remove the object; raise NotFound if it is already gone."""
        raise NotImplementedError

    def guidance(self, props: Props) -> str:
        """How a user resolves a conflict with an object the stack did not create."""
        return (f"change the spec to match it, or remove the existing {self.kind} "
                f"{self.object_id(props)!r} from the tenant and run again")

    # ------------------------------------------------------------------ comparisons

    def changes(self, olds: Props, news: Props, tenant_only: bool = False) -> tuple[FieldDiff, ...]:
        """The fields whose normalised value ``news`` (desired) and ``olds`` (actual) disagree on."""
        fields = [f for f in self.fields
                  if (f.tenant or not tenant_only) and not (f.managed_if_set and news.get(f.name) is None)]
        return diff(normalised(fields, news), normalised(fields, olds))

    @staticmethod
    def describe(changes: tuple[FieldDiff, ...]) -> str:
        return "; ".join(f"{c.field}: tenant has {c.actual!r}, spec wants {c.desired!r}" for c in changes)

    # ------------------------------------------------------------------ engine calls

    def check(self, _olds: Props, news: Props) -> CheckResult:
        clean: Props = {k: v for k, v in news.items() if k not in {f.name for f in self.fields}}
        failures: list[CheckFailure] = []
        for field in self.fields:
            raw = news.get(field.name)
            value, reason = (raw, None) if _is_unknown(raw) else field.coerce(raw)
            if reason:
                failures.append(CheckFailure(field.name, reason))
            if value is not None:
                clean[field.name] = value
        unknown = sorted(k for k in news if not k.startswith("__") and k not in {f.name for f in self.fields})
        failures += [CheckFailure(k, f"{k} is not an input of {self.kind}") for k in unknown]
        if not failures:
            failures = self.validate(clean)
        return CheckResult(clean, failures)

    def diff(self, id_: str, olds: Props, news: Props) -> DiffResult:
        changed = self.changes(olds, news)
        replaces = [c.field for c in changed if self._field(c.field).replace]
        return DiffResult(changes=bool(changed), replaces=replaces,
                          delete_before_replace=bool(replaces) and self.object_id(news) == id_)

    def create(self, props: Props) -> CreateResult:
        return CreateResult(self.object_id(props), run(self._create(props)))

    async def _create(self, props: Props) -> Props:
        async with TenantSession(self._config) as session:
            current = await self.fetch(session, props)
            if current is None:
                computed = await self.create_object(session, props)
            elif not (differing := self.changes(current, props, tenant_only=True)):
                computed = self.computed(current)
            elif self.converge_existing:
                computed = await self.update_object(session, current, props)
            else:
                raise Conflict(f"{self.kind} {self.object_id(props)!r} already exists in the tenant "
                               f"with different settings ({self.describe(differing)}); "
                               f"{self.guidance(props)}")
        return {**props, **computed}

    def _field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    def computed(self, current: Props) -> Props:
        """The outputs of a fetched object that are not inputs (ids the tenant assigned, ...)."""
        names = {f.name for f in self.fields}
        return {k: v for k, v in current.items() if k not in names}

    def read(self, id_: str, props: Props) -> ReadResult:
        current = run(self._read(props))
        if current is None:
            return ReadResult(None, {})
        return ReadResult(id_, {**props, **current})

    async def _read(self, props: Props) -> Props | None:
        async with TenantSession(self._config) as session:
            return await self.fetch(session, props)

    def update(self, _id: str, olds: Props, news: Props) -> UpdateResult:
        return UpdateResult({**news, **run(self._update(olds, news))})

    async def _update(self, olds: Props, news: Props) -> Props:
        async with TenantSession(self._config) as session:
            if not self.changes(olds, news, tenant_only=True):
                return self.computed(olds)
            return await self.update_object(session, olds, news)

    def delete(self, _id: str, props: Props) -> None:
        run(self._delete(props))

    async def _delete(self, props: Props) -> None:
        async with TenantSession(self._config) as session:
            with contextlib.suppress(NotFound):  # already gone: the goal of a delete is reached
                await self.delete_object(session, props)


def _is_unknown(value: Any) -> bool:
    """A value still unknown during ``pulumi preview`` (another resource's output, such as a DKIM
    selector target): it passes unchecked, there is nothing to check until the engine knows it."""
    return isinstance(value, Unknown) or (isinstance(value, list) and any(isinstance(v, Unknown) for v in value))


class SettingProvider(TenantProvider):
    """A tenant setting rather than an object: it always exists, so create is "set it".

    There is no conflicting object to refuse: the spec owns the setting. ``delete`` hands the
    setting back (``release``), which each kind defines.
    """

    converge_existing = True

    async def create_object(self, session: TenantSession, props: Props) -> Props:
        raise NotFound(f"{self.kind} {self.object_id(props)!r} does not exist in the tenant")

    async def delete_object(self, session: TenantSession, props: Props) -> None:
        await self.release(session, props)

    async def release(self, session: TenantSession, props: Props) -> None:
        """What removing the resource from the stack does to the setting."""
        raise NotImplementedError


class TenantResource(Resource):
    """Base of the resource classes: registers the kind with its provider blob and computed outputs.

    The provider is stateless, so its serialized form is the same for every resource of a kind:
    it is made once per class with the SDK's own serializer and reused (one dill pickle per kind
    instead of one per resource; a 5,000-grant spec registers 5,000 resources of one kind). The
    registration is what ``pulumi.dynamic.Resource.__init__`` does with that blob.

    The SDK internals this takes are in :mod:`components.providers.pulumi_sdk`, checked there.
    """

    provider_class: ClassVar[type[TenantProvider]]
    computed_outputs: ClassVar[tuple[str, ...]] = ()
    _blob: ClassVar[tuple[str, bool] | None] = None

    def __init__(self, resource_name: str, props: dict[str, Any],
                 opts: pulumi.ResourceOptions | None = None) -> None:
        blob, has_secrets = type(self)._serialized()
        provider: Any = pulumi.Output.secret(blob) if has_secrets else blob
        pulumi_sdk.register(self, f"pulumi-python:{self._resource_type_name}", resource_name,
                            {**dict.fromkeys(self.computed_outputs), **props, "__provider": provider}, opts)

    @classmethod
    def _serialized(cls) -> tuple[str, bool]:
        if cls.__dict__.get("_blob") is None:
            provider = cls.provider_class()
            blob, captured_secret = pulumi_sdk.serialize(provider)
            cls._blob = (blob, captured_secret or provider.serialize_as_secret_always)
        return cls._blob  # type: ignore[return-value]
