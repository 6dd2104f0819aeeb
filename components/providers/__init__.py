"""Dynamic providers for the tenant objects Pulumi has no provider for (Exchange, Graph licences).

One module per kind; each resource class has its own type token
``pulumi-python:dynamic/<module>:<Name>`` so policies and plans can tell the kinds apart.
"""
