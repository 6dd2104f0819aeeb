"""``relayctl headers FILE|-``: why a received message passed or failed authentication."""

from __future__ import annotations

import argparse

from o365relay.errors import UsageError

DESCRIPTION = """Read Authentication-Results (SPF, DKIM, DMARC, compauth), ARC, DKIM-Signature, Received
hops and the Exchange anti-spam headers of a message saved as .eml (or its headers pasted on
standard input with '-'), and say what failed, why, and the fix. With --spec, relate them to the
declared connectors and domains. Exit 0 when authentication passed, 1 when something failed,
2 when the input holds no headers."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="an .eml file, or - for standard input")
    parser.add_argument("--spec", help="the relay spec to relate the headers to (relay.<stack>.yaml)")
    parser.add_argument("--format", choices=("text", "markdown", "json"), default="text")


def run(args: argparse.Namespace) -> int:
    from o365relay.headers import analyze, parse_headers, render

    spec = None
    if args.spec:
        from o365relay.spec.loader import load_spec

        spec = load_spec(args.spec)
    text, source = _read(args.file)
    report = analyze(parse_headers(text, source), spec)
    print(render(report, args.format))
    return 1 if report.failed else 0


MAX_HEADER_BYTES = 1024 * 1024  # real header blocks are a few kB; long ARC chains stay well under this


def _read(path: str) -> tuple[str, str]:
    """The message's text up to the end of its header block (the body, however large, is never read)."""
    from o365relay.fileio import read_head

    data, more = read_head(path, MAX_HEADER_BYTES, "a message")
    source = "<stdin>" if path == "-" else path
    if more and not _ends_headers(data):
        raise UsageError(f"{source}: the header block is larger than {MAX_HEADER_BYTES:,} bytes; "
                         "this is not a message's header block")
    # Headers are ASCII by RFC 5322; a stray Latin-1 byte must not stop the analysis.
    return data.decode("utf-8", errors="replace"), source


def _ends_headers(data: bytes) -> bool:
    return b"\n\n" in data or b"\n\r\n" in data
