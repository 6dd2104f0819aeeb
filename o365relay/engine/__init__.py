"""Driving the Pulumi CLI from the core: the ``sandbox`` stack, its environment, the engine's plan.

The core imports no Pulumi: it runs the ``pulumi`` executable as a subprocess (:mod:`.cli`), reads
what the engine writes (``pulumi preview --json`` and its ``--event-log``, :mod:`.plan`) and settles
operations an interrupted run left pending (:mod:`.pending`). ``relayctl demo``, the end-to-end
tests and the benchmarks use it.
"""
