"""The descriptor of an Exchange object kind, and the one comparison every consumer uses.

A :class:`Kind` lists its :class:`Field`\\ s; each field ties together the provider input key, the
cmdlet parameter (also the field of a Get- row), the spec model attribute, the normaliser that makes
Exchange's value forms compare equal, and the value check. From that one list come the provider's
inputs and cmdlet parameters, the audit's desired and actual values, the export's spec values and the
policy pack's view of a resource. :func:`diff` is the only place desired and actual values are compared.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from o365relay import exchange_values as xv

Values = dict[str, Any]


@dataclass(frozen=True)
class FieldDiff:
    """One compared field: its desired and actual value, both normalised."""

    field: str
    desired: Any
    actual: Any

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "desired": self.desired, "actual": self.actual}


def diff(desired: Mapping[str, Any], actual: Mapping[str, Any]) -> tuple[FieldDiff, ...]:
    """The fields of ``desired`` whose normalised value ``actual`` does not have (providers and audit alike)."""
    return tuple(FieldDiff(k, v, actual.get(k)) for k, v in desired.items() if v != actual.get(k))


@dataclass(frozen=True)
class Field:
    """One property of a kind.

    ``name``: the provider input key. ``parameter``: the cmdlet parameter and Get- row field (None for
    bookkeeping inputs the tenant never sees). ``spec``: the spec model attribute it comes from, or
    None with ``fixed`` the value the product always sets. ``replace``: a change needs a new object.
    ``tenant``: compared with the tenant by the provider (the audit compares every field that has a
    parameter, the identity aside). ``managed_if_set``: an absent value means "leave that property
    alone". ``unset``: what Set- is given for an absent value.
    ``read_normalised``: a provider reads the value back in its normal form (Exchange's own form,
    such as ``smtp:*;1``, would show in the outputs as a change nobody made).
    """

    name: str
    kind: type
    parameter: str | None = None
    spec: str | None = None
    fixed: Any = None
    required: bool = True
    replace: bool = False
    tenant: bool = True
    norm: Callable[[Any], Any] = xv.text
    item_check: Callable[[str], str | None] | None = None
    choices: tuple[Any, ...] = ()
    managed_if_set: bool = False
    unset: Any = None
    read_normalised: bool = False

    def coerce(self, value: Any) -> tuple[Any, str | None]:
        """The value as a provider uses it (numbers cross gRPC as floats), or a failure reason."""
        if value is None:
            return None, (f"{self.name} is required" if self.required else None)
        if self.kind is bool and not isinstance(value, bool):
            return value, f"{self.name} must be true or false, not {value!r}"
        if self.kind is int:
            if isinstance(value, bool) or not isinstance(value, int | float) or int(value) != value:
                return value, f"{self.name} must be a whole number, not {value!r}"
            value = int(value)
        if self.kind is str and not isinstance(value, str):
            return value, f"{self.name} must be a string, not {value!r}"
        if self.kind is list:
            if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
                return value, f"{self.name} must be a list of strings, not {value!r}"
            value = list(value)
        if self.choices and value not in self.choices:
            return value, f"{self.name} must be one of {', '.join(map(str, self.choices))}, not {value!r}"
        return value, self._check_items(value)

    def _check_items(self, value: Any) -> str | None:
        if self.item_check is None:
            return None
        items = value if isinstance(value, list) else [value]
        reasons = [r for r in (self.item_check(v) for v in items) if r]
        return f"{self.name}: " + "; ".join(reasons) if reasons else None

    def spec_value(self, value: Any) -> Any:
        """A provider value in the spec model's type (tuples for lists, unset switches off)."""
        if self.kind is list:
            return tuple(value or ())
        return bool(value) if self.kind is bool else value


def normalised(fields: Iterable[Field], values: Mapping[str, Any]) -> Values:
    """Provider values keyed by input key, each in its normal form."""
    return {f.name: f.norm(values.get(f.name)) for f in fields}


@dataclass(frozen=True)
class Kind:
    """An Exchange object kind: its name in messages, cmdlet noun, identity field and fields.

    ``outputs``: values the tenant assigns (output key -> Get- row field). ``extra_evidence``: the Get-
    row fields an audit report shows besides the kind's own.
    """

    name: str
    noun: str
    identity: str
    fields: tuple[Field, ...]
    outputs: tuple[tuple[str, str], ...] = ()
    extra_evidence: tuple[str, ...] = ()

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    def parameter(self, name: str) -> str:
        """The cmdlet parameter of the field ``name``."""
        return str(self.field(name).parameter)

    # ------------------------------------------------------------------ providers

    def inputs(self, obj: Any) -> Values:
        """Provider inputs for a spec object (unset optional values left out)."""
        out: Values = {}
        for f in self.fields:
            value = f.fixed if f.spec is None else getattr(obj, f.spec)
            if value is not None:
                out[f.name] = list(value) if f.kind is list else value
        return out

    def parameters(self, props: Mapping[str, Any]) -> Values:
        """Cmdlet parameters for the provider values ``props``, the identity excepted: absolute values
        (an absent optional value goes as its ``unset`` form)."""
        return {str(f.parameter): props.get(f.name, f.unset)
                for f in self.fields if f.parameter and f.tenant and f.name != self.identity}

    def props(self, row: Mapping[str, Any]) -> Values:
        """Provider values (and outputs) from a Get- row, as the tenant has them."""
        out: Values = {}
        for f in self.fields:
            if f.parameter:
                value = row.get(f.parameter)
                if f.read_normalised:
                    value = f.norm(value)
                out[f.name] = list(value or ()) if f.kind is list else value
        return {**out, **{key: row.get(column) for key, column in self.outputs}}

    # ------------------------------------------------------------------ audit

    def audited(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.parameter and f.name != self.identity)

    def desired(self, obj: Any) -> Values:
        """What a spec object asks of the tenant, keyed by cmdlet parameter, normalised."""
        inputs = self.inputs(obj)
        return {str(f.parameter): f.norm(inputs.get(f.name)) for f in self.audited()}

    def actual(self, row: Mapping[str, Any]) -> Values:
        """What a Get- row holds, keyed by cmdlet parameter, normalised."""
        return {str(f.parameter): f.norm(row.get(str(f.parameter))) for f in self.audited()}

    def names(self) -> set[str]:
        """Every cmdlet parameter and Get- row field this descriptor names (the ones no other module may)."""
        return {*(str(f.parameter) for f in self.fields if f.parameter), *(c for _, c in self.outputs),
                *self.extra_evidence}

    def evidence(self) -> tuple[str, ...]:
        """The Get- row fields an audit report quotes as evidence."""
        return (*(str(f.parameter) for f in self.fields if f.parameter), *self.extra_evidence)

    def value(self, row: Mapping[str, Any], name: str) -> Any:
        """The normalised value of the field ``name`` in a Get- row."""
        f = self.field(name)
        return f.norm(row.get(str(f.parameter)))

    # ------------------------------------------------------------------ export and policies

    def spec_values(self, props: Mapping[str, Any]) -> Values:
        """Spec model attributes from provider values (those present), in the model's types."""
        return {str(f.spec): f.spec_value(props[f.name]) for f in self.fields if f.spec and f.name in props}

    def spec_values_of(self, row: Mapping[str, Any]) -> Values:
        """Spec model attributes from a Get- row, normalised (what an export writes)."""
        return self.spec_values(normalised(self.fields, self.props(row)))
