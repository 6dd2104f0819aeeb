"""What every route module and the SMTP servers of one sandbox share.

Its own module, below the routes: a route module imports it, and it imports no route module, so the
application (:mod:`o365relay.sandbox.app`) and its routes form no import circle.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from o365relay.sandbox import store as st
from o365relay.sandbox.certs import SandboxPki
from o365relay.sandbox.faults import FaultSwitch
from o365relay.sandbox.request_log import RequestLog
from o365relay.sandbox.tokens import TokenService


@dataclass
class SandboxContext:
    """What every route module and the SMTP servers share. ``base_url`` has no trailing slash."""

    store: st.Store
    pki: SandboxPki
    state_dir: Path
    base_url: str
    faults: FaultSwitch
    tokens: TokenService
    requests: RequestLog = field(default_factory=RequestLog)

    @property
    def tenant_id(self) -> str:
        return str(self.store.organization()["id"])

    @property
    def initial_domain(self) -> str:
        return str(self.store.organization()["initialDomain"])
