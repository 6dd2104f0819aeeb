"""Relay volume per sender from message trace: ``read_traces`` -> ``analyze_usage`` -> ``render``."""
