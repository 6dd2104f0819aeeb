"""``relayctl validate FILE...``: check specs against the schema and the semantic rules."""

from __future__ import annotations

import argparse

from o365relay.errors import Problem, SpecError
from o365relay.reports.wording import plural

DESCRIPTION = """Check one or more relay specs without touching a tenant: YAML syntax, the JSON Schema
(schemas/relay.v1.schema.json), and the rules a schema cannot express (send-as trustees are declared
service accounts, mailboxes are in declared domains, sender IPs are public IPv4 /24-/32, waiver
targets exist...). Every problem is reported, one per line, as

  FILE:LINE:COL: spec.path: what is wrong and what would be right

Policy (e.g. an expired waiver, SMTP AUTH left on) is `relayctl lint`'s job, not this command's.

examples:
  relayctl validate relay.prod.yaml
  relayctl validate relay.*.yaml --format json"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help="spec files to check (relay.<stack>.yaml)")
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="text: one line per problem and a summary (default); json: a list of "
                             "{file, line, column, path, message} objects, sorted, on stdout")


def run(args: argparse.Namespace) -> int:
    import json

    from o365relay.spec.loader import load_spec

    problems: list[Problem] = []
    invalid = 0
    for file in args.files:
        try:
            load_spec(file)
        except SpecError as error:
            problems.extend(error.problems)
            invalid += 1
    if args.format == "json":
        print(json.dumps([p._asdict() for p in problems], indent=2))
    else:
        _print_text(problems, len(args.files), invalid)
    return 2 if invalid else 0


def _print_text(problems: list[Problem], files: int, invalid: int) -> None:
    for problem in problems:
        print(problem)
    if invalid:
        print(f"{plural(len(problems), 'problem')} in {invalid} of {plural(files, 'file')}")
    else:
        print(f"{plural(files, 'file')} valid")
