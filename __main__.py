"""Pulumi entry point: wires the stack config to the relay program (components/program.py)."""

from components import program

program.run()
