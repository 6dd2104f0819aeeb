"""o365-relay's pure core: spec, validation, rules, tenant clients, sandbox, audit and CLI.

Nothing under this package imports Pulumi; the Pulumi program (``components/``) and the policy
pack (``policies/``) sit on top of it.
"""

__version__ = "0.1.0"
# Where users find the project (SARIF's informationUri; the schema's $id lives under it).
HOMEPAGE = "https://github.com/contoso/o365-relay"
