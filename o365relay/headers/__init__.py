"""Read a received message's headers and say why it passed or failed authentication.

``parse_headers(text, source) -> MessageHeaders``, ``analyze(headers, spec=None) -> HeaderReport``,
``render(report, fmt)`` with fmt in text, markdown, json.
"""

from o365relay.headers.analyze import Finding, HeaderReport, analyze
from o365relay.headers.parse import MessageHeaders, parse_headers
from o365relay.headers.render import render

__all__ = ["Finding", "HeaderReport", "MessageHeaders", "analyze", "parse_headers", "render"]
