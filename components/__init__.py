"""The Pulumi layer of o365-relay: component resources and dynamic providers on top of the core."""
