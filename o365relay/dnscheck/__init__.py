"""Live DNS checks of the sending domains a spec declares (``relayctl dns``).

SPF and DMARC parsing and lookup counting come from checkdmarc; DKIM selector CNAMEs, MX and DNSBL
lookups use dnspython directly. Every check ends as ``ok``, ``finding``, ``unknown`` (the lookup
failed: a DNS failure is never reported as a missing record) or ``skipped`` (an input was absent,
e.g. no tenant to read the DKIM targets from).
"""

from o365relay.dnscheck.model import Check, DnsReport
from o365relay.dnscheck.runner import DnsInputs, run_checks

__all__ = ["Check", "DnsInputs", "DnsReport", "run_checks"]
