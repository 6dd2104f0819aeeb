"""The exceptions o365-relay raises, and the exit code each maps to.

    RelayError                      base; .exit_code; str() is safe to show (never holds a secret)
    ├── SpecError                   the spec is invalid; .problems lists every Problem   (exit 2)
    ├── UsageError                  bad command-line use or configuration                (exit 2)
    │   └── FileRefused             a named file cannot be read or written; .path, .reason
    ├── TenantError                 the tenant (or the network to it) failed             (exit 3)
    │   ├── AuthError               no token, or the token was refused (401)
    │   ├── PermissionDenied        the identity lacks a permission or role; .fix says how to grant it
    │   ├── LicenceRequired         the tenant lacks the licence a feature needs (sign-in logs: Entra P1/P2)
    │   ├── NotFound                the object does not exist
    │   ├── Conflict                the object exists and differs from what was asked
    │   ├── Throttled               still throttled after the retry budget was spent
    │   ├── TransientError          5xx / connection failures after the retry budget was spent
    │   └── IncompleteRead          the tenant answered with part of a result (truncated)
    └── InternalError               a bug in relayctl; exit 3, never to be read as ok or drift

Only the CLI (``o365relay.cli.main``) and the Pulumi entry point translate these into messages and
exit codes; everything else raises.
"""

from __future__ import annotations

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing alone costs more than the rest of --help

# This module is on every command's start-up path: at run time the fields come from
# collections.namedtuple, which costs nothing more to import, while type checkers see the typed form.
if TYPE_CHECKING:
    from typing import NamedTuple

    class _ProblemFields(NamedTuple):
        file: str
        line: int
        column: int
        path: str
        message: str
else:
    from collections import namedtuple

    _ProblemFields = namedtuple("_ProblemFields", "file line column path message")


class Problem(_ProblemFields):
    """One thing wrong with an input file, located precisely enough for an editor to jump to it."""

    __slots__ = ()

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.path}: {self.message}"


class RelayError(Exception):
    exit_code = 1


class SpecError(RelayError):
    exit_code = 2

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=lambda p: (p.file, p.line, p.column, p.path, p.message))
        from o365relay.reports.wording import plural  # imported when raised: errors.py stays cheap to import

        super().__init__(f"{plural(len(self.problems), 'problem')} in the spec")


class UsageError(RelayError):
    exit_code = 2


class FileRefused(UsageError):
    def __init__(self, path: object, reason: str, verb: str = "read"):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"cannot {verb} {path}: {reason}")


class InternalError(RelayError):
    exit_code = 3


class TenantError(RelayError):
    exit_code = 3


class AuthError(TenantError):
    pass


class PermissionDenied(TenantError):
    def __init__(self, message: str, fix: str = ""):
        self.fix = fix
        super().__init__(f"{message}\n  fix: {fix}" if fix else message)


class LicenceRequired(TenantError):
    """The tenant is not licensed for what was asked; callers may fall back to another source."""


class NotFound(TenantError):
    pass


class Conflict(TenantError):
    pass


class Throttled(TenantError):
    pass


class TransientError(TenantError):
    pass


class IncompleteRead(TenantError):
    pass
