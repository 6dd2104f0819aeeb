"""``relayctl explain CODE``: what an SMTP reply, sign-in error or header verdict means, and the fix."""

from __future__ import annotations

import argparse

DESCRIPTION = """Explain what a device or a bounce shows: a code (5.7.139), a whole reply line pasted in
quotes ("535 5.7.139 Authentication unsuccessful, ..."), an Entra sign-in error (AADSTS7000215), a
TLS error, or a header verdict (compauth=fail reason=001). The reply's words select the variant
when one code has several meanings. Exit 0 when explained, 1 when the table has no entry."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("code", nargs="+", metavar="CODE", help="a code, or the whole reply line")
    parser.add_argument("--format", choices=("text", "markdown", "json"), default="text")


def run(args: argparse.Namespace) -> int:
    from o365relay.smtp.explain import explain, render

    diagnosis = explain(" ".join(args.code))
    print(render(diagnosis, args.format))
    return 0 if diagnosis.explanation else 1
