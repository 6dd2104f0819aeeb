"""The cmdlet table of the sandbox's Exchange admin endpoint, and what a handler gets and raises.

Adding a cmdlet is one decorated function in one of the ``exchange_cmdlets_*`` modules::

    @cmdlet("Get-TransportConfig", reads=True)
    def get_transport_config(call: Call) -> list[Doc]:
        return [...]

``params`` lists the parameters it accepts (anything else is PowerShell's ParameterBindingException,
as over the real endpoint), ``required`` the mandatory ones. Handlers of cmdlets that write run
inside a store transaction: raising :class:`CmdletError` leaves nothing behind. Error texts are the
real ones where known (see the reference notes); where no capture exists the text is the sandbox's,
marked ``[sandbox wording]``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from o365relay.sandbox import store as st

if TYPE_CHECKING:
    from o365relay.sandbox.context import SandboxContext

Doc = st.Doc
DC_NAME = "SN4PR01A002DC01.NAMPR01A002.PROD.OUTLOOK.COM"
COMMON_PARAMS = frozenset({"Confirm", "ErrorAction", "WarningAction", "Verbose", "Force"})

NOT_FOUND = "Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException"
ALREADY_EXISTS = "Microsoft.Exchange.Data.Directory.ADObjectAlreadyExistsException"
PARAMETER_BINDING = "System.Management.Automation.ParameterBindingException"
VALIDATION = "Microsoft.Exchange.ManagementTasks.ValidationException"
DATA_VALIDATION = "Microsoft.Exchange.Data.DataValidationException"
TASK_ARGUMENT = "Microsoft.Exchange.Configuration.Tasks.TaskArgumentException"


class CmdletError(Exception):
    """A cmdlet failure; rendered as the real error body by the endpoint."""

    def __init__(
        self,
        exception_type: str,
        text: str,
        *,
        err_id: str = "Ex6F9304",
        status: int = 400,
        code: str = "BadRequest",
    ):
        self.exception_type, self.text, self.err_id = exception_type, text, err_id
        self.status, self.code = status, code
        super().__init__(f"{exception_type}: {text}")


def not_found(identity: Any) -> CmdletError:
    return CmdletError(
        NOT_FOUND,
        f"The operation couldn't be performed because object '{identity}' couldn't be found on '{DC_NAME}'.",
        err_id="Ex6F9304",
    )


def already_exists(name: str) -> CmdletError:
    return CmdletError(
        ALREADY_EXISTS,
        f"Active Directory operation failed on {DC_NAME}. The object '{name}' already exists.",
        err_id="Ex9A8A0B",
    )


def invalid(text: str, exception_type: str = DATA_VALIDATION) -> CmdletError:
    return CmdletError(exception_type, text, err_id="ExB2F4A1")


@dataclass
class Call:
    """One cmdlet invocation: parameters plus the tenant it runs against."""

    ctx: SandboxContext
    params: dict[str, Any]
    warnings: list[str] = field(default_factory=list)

    @property
    def store(self) -> st.Store:
        return self.ctx.store

    def has(self, name: str) -> bool:
        return name in self.params

    def get(self, name: str, default: Any = None) -> Any:
        return self.params.get(name, default)

    def list_param(self, name: str) -> list[Any]:
        """A MultiValuedProperty parameter: a list, a single value, or an ``{Add, Remove}`` hashtable."""
        value = self.params.get(name)
        if value is None:
            return []
        return list(value) if isinstance(value, list | tuple) else [value]


Handler = Callable[[Call], list[Doc]]


@dataclass(frozen=True)
class Cmdlet:
    name: str
    handler: Handler
    params: frozenset[str]
    required: frozenset[str]
    reads: bool


CMDLETS: dict[str, Cmdlet] = {}


def cmdlet(
    name: str, params: tuple[str, ...] = (), required: tuple[str, ...] = (), reads: bool = False
) -> Callable[[Handler], Handler]:
    """Register a handler under ``name`` (looked up case-insensitively, as PowerShell does)."""

    def register(handler: Handler) -> Handler:
        if name.lower() in CMDLETS:
            raise ValueError(f"cmdlet {name} registered twice")
        CMDLETS[name.lower()] = Cmdlet(
            name, handler, frozenset(params) | frozenset(required) | COMMON_PARAMS, frozenset(required), reads
        )
        return handler

    return register


def check_parameters(spec: Cmdlet, params: dict[str, Any]) -> dict[str, Any]:
    """Bind parameters the way PowerShell does: case-insensitive names, unknown or missing refused."""
    by_lower = {p.lower(): p for p in spec.params}
    bound: dict[str, Any] = {}
    for key, value in params.items():
        canonical = by_lower.get(key.lower())
        if canonical is None:
            raise CmdletError(
                PARAMETER_BINDING,
                f"A parameter cannot be found that matches parameter name '{key}'.",
                err_id="NamedParameterNotFound",
            )
        bound[canonical] = value
    missing = sorted(spec.required - bound.keys())
    if missing:
        raise CmdletError(
            PARAMETER_BINDING,
            "Cannot process command because of one or more missing "
            f"mandatory parameters: {' '.join(missing)}.",
            err_id="MissingMandatoryParameter",
        )
    return bound


def find_one(store: st.Store, kind: str, identity: Any, *fields: str) -> Doc | None:
    """The first object of ``kind`` whose indexed ``fields`` (or id) equal ``identity`` case-insensitively."""
    found = store.lookup(kind, identity, fields)
    return found[0] if found else None


def public(doc: Doc) -> Doc:
    """A stored document as the cmdlet returns it: no store key, no sandbox-only ``x*`` fields."""
    return {k: v for k, v in doc.items() if k != "id" and not (k[:1] == "x" and k[1:2].isupper())}


def as_bool(call: Call, name: str, *, nullable: bool = False) -> bool | None:
    """A Boolean parameter (JSON true/false, or "True"/"$false" strings as PowerShell binds them)."""
    value = call.params.get(name)
    if value is None and nullable:
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower().lstrip("$")
    if text in ("true", "false"):
        return text == "true"
    raise CmdletError(
        PARAMETER_BINDING,
        f"Cannot bind parameter '{name}'. Cannot convert value \"{value}\" to "
        'type "System.Boolean". Boolean parameters accept only Boolean '
        "values and numbers, such as $True, $False, 1 or 0.",
        err_id="CannotConvertArgumentNoMessage",
    )


def multi_value(current: list[Any], value: Any) -> list[Any]:
    """Apply a MultiValuedProperty parameter: a list replaces; ``{"Add": [...], "Remove": [...]}`` edits."""
    if isinstance(value, dict):
        out = [v for v in current if v not in _as_list(value.get("Remove"))]
        return out + [v for v in _as_list(value.get("Add")) if v not in out]
    return _as_list(value)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def result_size(call: Call, rows: list[Doc], default: int | None = None) -> list[Doc]:
    """Apply ``-ResultSize`` (an integer or "Unlimited"), warning when rows were cut off."""
    raw = call.params.get("ResultSize", default)
    if raw is None or str(raw).lower() == "unlimited":
        return rows
    try:
        limit = int(raw)
    except (TypeError, ValueError):
        raise CmdletError(
            PARAMETER_BINDING,
            f"Cannot bind parameter 'ResultSize' to the target. Exception "
            f'setting "ResultSize": "{raw}" is not a valid value.',
            err_id="ParameterArgumentTransformationError",
        ) from None
    if len(rows) > limit:
        call.warnings.append(
            "There are more results available than are currently displayed. To view them, "
            "increase the value for the ResultSize parameter."
        )
    return rows[:limit]


def mailbox_users(store: st.Store) -> list[Doc]:
    return store.list(st.USER, xHasMailbox=True)


MAILBOX_NAMES = ("userPrincipalName", "mail", "mailNickname", "displayName", "xExchangeGuid", "proxyAddresses")


def resolve_mailbox(store: st.Store, identity: Any) -> Doc:
    """The USER whose mailbox ``identity`` names (UPN, address, alias, name, ids), or not_found."""
    for user in store.lookup(st.USER, identity, MAILBOX_NAMES):
        if user.get("xHasMailbox"):
            return user
    raise not_found(identity)
