"""The CRUD rules every kind shares (components/providers/base.py), driven in-process on real kinds.

The host-over-gRPC tests beside this file cover each kind end to end; these call the provider object
directly (as the host does), so the shared rules are checked once, quickly, and traced by mutation runs.
"""

from __future__ import annotations

from components.providers.reject_direct_send import RejectDirectSendProvider


def test_check_reports_every_bad_input_and_never_raises() -> None:
    result = RejectDirectSendProvider().check({}, {"enabled": "yes", "colour": "blue", "__provider": "blob"})
    assert [(f.property, f.reason) for f in result.failures] == [
        ("enabled", "enabled must be true or false, not 'yes'"),
        ("colour", "colour is not an input of reject-direct-send setting"),
    ]
