"""o365-relay's pure core: spec, validation, rules, tenant clients, sandbox, audit and CLI.

Nothing under this package imports Pulumi; the Pulumi program (``components/``) and the policy
pack (``policies/``) sit on top of it.
"""

__version__ = "0.1.0"
