"""``relayctl``: argument parsing, dispatch, and the one place errors become messages and exit codes.

Exit codes: 0 ok, 1 findings or drift, 2 bad input or usage, 3 tenant or network failure.
Start-up stays light: the command table below holds each command's one-line summary, so
``relayctl --help`` imports no command module, and a command imports only its own module (which in
turn imports heavy libraries such as httpx, msgraph or jsonschema inside its ``run``).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from o365relay import __version__
from o365relay.errors import TYPE_CHECKING, RelayError, SpecError

if TYPE_CHECKING:
    import argparse

# name -> (module, summary). A module defines add_arguments(parser), run(args) -> int, and optionally
# DESCRIPTION (its --help text; the summary otherwise).
COMMANDS: dict[str, tuple[str, str]] = {
    "validate": ("o365relay.cli.validate", "check relay specs (YAML, schema, references); exit 0 valid, 2 invalid"),
    "lint": ("o365relay.cli.lint", "check a spec against the policy rules (exit 1 on a mandatory finding)"),
    "plan": ("o365relay.cli.plan",
             "the PR comment: the engine's plan (pulumi preview) with policy findings, and the audit's drift"),
    "audit": ("o365relay.cli.audit", "compare the tenant with the spec: in sync, drift, missing, unexpected, unknown"),
    "export": ("o365relay.cli.export", "write a spec from an existing tenant (connectors, senders, Send As, domains)"),
    "dns": ("o365relay.cli.dns", "check the live DNS of every sending domain (SPF, DKIM, DMARC, MX, DNSBL)"),
    "test-send": ("o365relay.cli.testsend",
                  "send a test message the way a declared sender does, then follow it in message trace"),
    "explain": ("o365relay.cli.explain",
                "explain an SMTP reply code, an AADSTS sign-in error or a header verdict, with the fix"),
    "headers": ("o365relay.cli.headers",
                "read a received message's headers and say why it passed or failed authentication"),
    "usage": ("o365relay.cli.usage", "volume per sender from message trace: limits, sudden rises, undeclared senders"),
    "smtp-auth-report": ("o365relay.cli.smtp_auth_report",
                         "who signs in with Basic SMTP AUTH or sends by direct send, against the spec; evidence"),
    "doctor": ("o365relay.cli.doctor",
               "check the deploying identity's tokens, permissions and Exchange role, and print each fix"),
    "sandbox": ("o365relay.cli.sandbox",
                "run the offline sandbox tenant (Graph, Exchange admin, token, SMTP) on loopback"),
    "demo": ("o365relay.cli.demo",
             "the whole story on the sandbox: validate, lint, plan, apply, audit, test-send"),
}

DEBUG_FLAG = "--debug"
EPILOG = """exit codes: 0 ok, 1 findings or drift, 2 invalid spec or usage, 3 tenant or network failure
--debug (anywhere on the line) shows tracebacks and the libraries' logs
docs: README.md and docs/ in the project"""


def overview() -> str:
    """The top-level help, written without argparse: `relayctl` and `relayctl --help` are the
    commands people run most often, and argparse alone costs a third of the start-up."""
    width = max(map(len, COMMANDS)) + 2
    rows = "\n".join(f"  {name:<{width}}{summary}" for name, (_, summary) in COMMANDS.items())
    return (f"usage: relayctl [-h] [--version] [--debug] COMMAND ...\n\n"
            f"Declare, check, apply and audit an Office 365 SMTP relay.\n\ncommands:\n{rows}\n\n"
            f"Run `relayctl COMMAND --help` for a command's options.\n\n{EPILOG}\n")


def _chosen(argv: Sequence[str]) -> str | None:
    """The subcommand named on the command line, if any (the first word that is not an option)."""
    for word in argv:
        if not word.startswith("-"):
            return word if word in COMMANDS else None
    return None


def build_parser(argv: Sequence[str] = ()) -> argparse.ArgumentParser:
    """The parser; only the chosen subcommand's module is imported to add its arguments."""
    import argparse
    import importlib

    parser = argparse.ArgumentParser(
        prog="relayctl",
        description="Declare, check, apply and audit an Office 365 SMTP relay.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"relayctl {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    chosen = _chosen(argv)
    for name, (module_name, summary) in COMMANDS.items():
        if name != chosen:
            sub.add_parser(name, help=summary)
            continue
        module = importlib.import_module(module_name)
        sp = sub.add_parser(name, help=summary, description=getattr(module, "DESCRIPTION", summary),
                            epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
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
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list in ([], ["-h"], ["--help"]):
        sys.stdout.write(overview())
        return 0 if args_list else 2
    debug = DEBUG_FLAG in args_list[: _end_of_options(args_list)]
    if debug:
        args_list.remove(DEBUG_FLAG)
    _configure_logging(debug)
    parser = build_parser(args_list)
    args = parser.parse_args(args_list)
    if not getattr(args, "_run", None):
        parser.print_help()
        return 2
    try:
        return int(args._run(args))
    except BaseException as error:  # the one error boundary: every failure ends as an exit code
        return _failed(error, debug)


def _end_of_options(args: list[str]) -> int:
    return args.index("--") if "--" in args else len(args)


def _configure_logging(debug: bool) -> None:
    """Our warnings as one line each; the libraries' (azure-identity's credential chain, httpx,
    msal) only with --debug, where they help, rather than as noise before the real message."""
    import logging

    root = logging.getLogger()
    if debug:
        logging.basicConfig(level=logging.DEBUG, format="%(name)s: %(levelname)s: %(message)s")
        return
    root.addHandler(logging.NullHandler())  # no "last resort" handler printing library warnings
    ours = logging.getLogger("o365relay")
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("relayctl: warning: %(message)s"))
    handler.setLevel(logging.WARNING)
    ours.addHandler(handler)


def _failed(error: BaseException, debug: bool) -> int:
    """The exit code for ``error``, after one line on stderr saying what failed and what to do."""
    if isinstance(error, SystemExit):
        raise error
    if isinstance(error, BrokenPipeError):
        # The reader went away (`relayctl ... | head`): stop quietly, as other Unix tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    if isinstance(error, KeyboardInterrupt):
        print("relayctl: interrupted", file=sys.stderr)
        return 130
    if debug:
        import traceback

        traceback.print_exception(error)
    relay_error = _as_relay_error(error)
    report_error(relay_error)
    return relay_error.exit_code


def _as_relay_error(error: BaseException) -> RelayError:
    """Any exception as the RelayError that says it best (transport failures: exit 3; files: exit 2)."""
    from o365relay.errors import FileRefused, InternalError
    from o365relay.netfail import is_transport_failure, transport_error

    if isinstance(error, RelayError):
        return error
    if is_transport_failure(error):
        return transport_error(error, "the endpoint")
    if isinstance(error, OSError) and error.filename is not None:
        return FileRefused(error.filename, error.strerror or str(error), "use")
    detail = str(error).strip().splitlines()
    return InternalError(f"internal error: {type(error).__name__}{': ' + detail[0][:200] if detail else ''} "
                         f"(run again with {DEBUG_FLAG} for the traceback, and report it)")


if __name__ == "__main__":
    sys.exit(main())
