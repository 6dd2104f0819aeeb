"""Renderers for the reports relayctl prints: DNS checks (``dns``) and audits (``audit_*``).

Each renderer turns a result object into a string; the CLI decides where it goes. SARIF for lint
lives in ``sarif.py`` (owned by the rules).
"""
