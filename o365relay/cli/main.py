"""``relayctl``: argument parsing, dispatch, and the one place errors become messages and exit codes.

Exit codes: 0 ok, 1 findings or drift, 2 bad input or usage, 3 tenant or network failure.
Command modules are imported to build the parser, so they must stay light at import time: heavy
libraries (httpx, msgraph, jsonschema, rich) are imported inside their ``run`` functions.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from types import ModuleType

from o365relay import __version__
from o365relay.errors import RelayError, SpecError

# Subcommand name -> module. Each module defines HELP (one line), add_arguments(parser), run(args) -> int.
COMMANDS: dict[str, str] = {
    "validate": "o365relay.cli.validate",
    "usage": "o365relay.cli.usage",
    "audit": "o365relay.cli.audit",
    "headers": "o365relay.cli.headers",
    "sandbox": "o365relay.cli.sandbox",
    "explain": "o365relay.cli.explain",
    "lint": "o365relay.cli.lint",
    "dns": "o365relay.cli.dns",
    "doctor": "o365relay.cli.doctor",
}

EPILOG = """exit codes: 0 ok, 1 findings or drift, 2 invalid spec or usage, 3 tenant or network failure
docs: README.md and docs/ in the project"""


def _command(name: str) -> ModuleType:
    return importlib.import_module(COMMANDS[name])


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="relayctl",
        description="Declare, check, apply and audit an Office 365 SMTP relay.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"relayctl {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        module = _command(name)
        sp = sub.add_parser(
            name,
            help=module.HELP,
            description=getattr(module, "DESCRIPTION", module.HELP),
            epilog=EPILOG,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        module.add_arguments(sp)
        sp.set_defaults(_run=module.run)
    return parser


def report_error(error: RelayError) -> None:
    """Print an error for a person: every spec problem on its own line, never a traceback."""
    if isinstance(error, SpecError):
        for problem in error.problems:
            print(problem, file=sys.stderr)
    print(f"relayctl: error: {error}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "_run", None):
        parser.print_help()
        return 2
    try:
        return int(args._run(args))
    except RelayError as error:
        report_error(error)
        return error.exit_code
    except KeyboardInterrupt:
        print("relayctl: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
